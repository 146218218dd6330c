using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using MimScale.Data.Errors;
using MimScale.Data.Sources;
using MimScale.Data.Transforms;

namespace MimScale.Data.Loading;

/// <summary>
/// The engine under the loaders: worker threads build whole batches (decode, transform, optional batch-level
/// post-processing) into pooled host buffers, at most <see cref="LoaderOptions.Prefetch"/> batches ahead, and the
/// consumer receives them strictly in stream order. Every random draw is keyed by (seed, epoch, position), never by
/// thread or timing, so the stream is reproducible for any number of workers.
/// </summary>
public sealed class BatchPipeline : IDisposable
{
    private sealed class Job(EpochPlan plan, int batch)
    {
        public readonly EpochPlan Plan = plan;
        public readonly int Batch = batch;
        public readonly ManualResetEventSlim Done = new(false);
        public HostBatch? Result;
        public ExceptionDispatchInfo? Error;
    }

    private readonly IImageSource source;
    private readonly ISampleTransform transform;
    private readonly LoaderOptions options;
    private readonly Action<HostBatch>? postProcess;
    private readonly BlockingCollection<Job> queue = new();
    private readonly Queue<Job> pending = new();
    private readonly Thread[] threads;
    private readonly CancellationTokenSource cts = new();
    private EpochPlan plan;
    private LoaderPosition cursor; // next batch to schedule
    private bool disposed;

    /// <summary>Images that were skipped (policy <see cref="BadImagePolicy.Skip"/>).</summary>
    public BadImageReport BadImages { get; } = new();
    /// <summary>Position of the next batch <see cref="Next"/> returns.</summary>
    public LoaderPosition Position { get; private set; }
    /// <summary>Batches per epoch for this rank (the same every epoch).</summary>
    public int BatchesPerEpoch { get; }
    /// <summary>The options.</summary>
    public LoaderOptions Options => options;

    /// <summary>Starts the workers at <paramref name="start"/>.</summary>
    public BatchPipeline(IImageSource source, ISampleTransform transform, LoaderOptions options, LoaderPosition? start = null,
        Action<HostBatch>? postProcess = null)
    {
        options.Validate();
        if (source.Count == 0) throw new DataSourceException(source.Description, "source has no images");
        this.source = source;
        this.transform = transform;
        this.options = options;
        this.postProcess = postProcess;
        var s = start ?? LoaderPosition.Start;
        plan = new EpochPlan(source.Count, s.Epoch, options);
        BatchesPerEpoch = plan.BatchCount;
        if (BatchesPerEpoch == 0)
            throw new DataSourceException(source.Description,
                $"{source.Count} images give no full batch of {options.BatchSize} per rank for world size {options.WorldSize}");
        if (s.BatchIndex >= BatchesPerEpoch)
            throw new ArgumentException($"start position {s} is past the {BatchesPerEpoch} batches of an epoch");
        Position = s;
        cursor = s;
        threads = new Thread[options.Workers];
        for (int i = 0; i < threads.Length; i++)
        {
            threads[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"mimscale-data-{i}" };
            threads[i].Start();
        }
    }

    /// <summary>The next batch in stream order, or null when <see cref="LoaderOptions.Epochs"/> are exhausted.</summary>
    public HostBatch? Next()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        Fill();
        if (pending.Count == 0) return null;
        var job = pending.Dequeue();
        job.Done.Wait();
        job.Done.Dispose();
        Fill();
        job.Error?.Throw();
        Position = Advance(new LoaderPosition(job.Plan.Epoch, job.Batch));
        return job.Result;
    }

    private LoaderPosition Advance(LoaderPosition p) =>
        p.BatchIndex + 1 >= BatchesPerEpoch ? new LoaderPosition(p.Epoch + 1, 0) : p with { BatchIndex = p.BatchIndex + 1 };

    private void Fill()
    {
        int depth = Math.Max(options.Prefetch, options.Workers);
        while (pending.Count < depth && (options.Epochs is null || cursor.Epoch < options.Epochs))
        {
            if (plan.Epoch != cursor.Epoch) plan = new EpochPlan(source.Count, cursor.Epoch, options);
            var job = new Job(plan, cursor.BatchIndex);
            pending.Enqueue(job);
            queue.Add(job);
            cursor = Advance(cursor);
        }
    }

    private void WorkerLoop()
    {
        if (options.IdlePriority) WorkerPriority.LowerCurrentThread();
        try
        {
            foreach (var job in queue.GetConsumingEnumerable(cts.Token))
            {
                try { job.Result = Build(job); }
                catch (Exception e) { job.Error = ExceptionDispatchInfo.Capture(e); }
                finally { job.Done.Set(); }
            }
        }
        catch (OperationCanceledException) { }
    }

    private HostBatch Build(Job job)
    {
        var (first, count) = job.Plan.BatchRange(job.Batch);
        var host = new HostBatch(count, transform.ImageSize, transform.MaskLength, new LoaderPosition(job.Plan.Epoch, job.Batch));
        try
        {
            for (int s = 0; s < count; s++)
            {
                if (cts.IsCancellationRequested) throw new OperationCanceledException();
                int planned = job.Plan.Indices[first + s];
                var ctx = new SampleContext(options.Seed, job.Plan.Epoch, job.Plan.Positions[first + s], planned);
                using var image = LoadWithPolicy(planned, out int actual);
                transform.Apply(image, ctx, host.Image(s), host.Mask(s));
                host.Labels[s] = source.GetLabel(actual);
                host.Indices[s] = actual;
            }
            postProcess?.Invoke(host);
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Loads image <paramref name="index"/>; under <see cref="BadImagePolicy.Skip"/> a bad image is reported and
    /// replaced by the next decodable one (index+1, +2, ... wrapping): a deterministic function of the source.
    /// </summary>
    private DecodedImage LoadWithPolicy(int index, out int actual)
    {
        int n = source.Count;
        for (int step = 0; step < n; step++)
        {
            int i = (index + step) % n;
            if (BadImages.IsKnownBad(i)) continue;
            try
            {
                var image = source.Load(i);
                if (step > 0) BadImages.CountSubstitution();
                actual = i;
                return image;
            }
            catch (ImageDecodeException e) when (options.BadImages == BadImagePolicy.Skip)
            {
                BadImages.Add(new BadImage(i, source.GetId(i), e.Message));
            }
        }
        throw new DataSourceException(source.Description, $"no decodable image left in the source ({BadImages.Count} bad)");
    }

    /// <summary>Stops the workers and returns the buffers of batches not handed out.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        cts.Cancel();
        queue.CompleteAdding();
        foreach (var t in threads) t.Join();
        while (pending.Count > 0)
        {
            var job = pending.Dequeue();
            if (job.Done.IsSet) job.Result?.Dispose();
        }
        queue.Dispose();
        cts.Dispose();
    }
}
