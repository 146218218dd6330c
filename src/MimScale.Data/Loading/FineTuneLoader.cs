using MimScale.Data.Errors;
using MimScale.Data.Sources;
using MimScale.Data.Transforms;
using static TorchSharp.torch;

namespace MimScale.Data.Loading;

/// <summary>
/// One fine-tuning batch: Images (B, 3, S, S) float32; Labels (B) int64 (hard, as loaded); Targets (B, K) float32
/// soft targets when Mixup/CutMix is on (label smoothing folded in), else null (smooth in the loss).
/// </summary>
public sealed class FineTuneBatch : IDisposable
{
    /// <summary>(B, 3, S, S) float32.</summary>
    public Tensor Images { get; }
    /// <summary>(B) int64.</summary>
    public Tensor Labels { get; }
    /// <summary>(B, K) float32 soft targets, or null.</summary>
    public Tensor? Targets { get; }
    /// <summary>Where this batch is in the stream.</summary>
    public LoaderPosition Position { get; }
    /// <summary>Source index of each sample.</summary>
    public IReadOnlyList<int> Indices { get; }

    internal FineTuneBatch(HostBatch host)
    {
        int b = host.Count, s = host.ImageSize;
        Images = TensorPack.Float32(host.Images.AsSpan(0, b * host.ImageFloats), b, 3, s, s);
        Labels = TensorPack.Int64(host.Labels, b);
        Targets = host.Targets is null ? null : TensorPack.Float32(host.Targets, b, host.TargetClasses);
        Position = host.Position;
        Indices = host.Indices;
    }

    /// <summary>Disposes the tensors.</summary>
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
        Targets?.Dispose();
    }
}

/// <summary>
/// Fine-tuning / evaluation stream: <see cref="FineTuneTransform"/> (+ optional <see cref="MixupCutmix"/>, applied on
/// the worker per batch) for training, or <see cref="ValidationTransform"/> with <see cref="CentreCropConfig.FineTuneEval"/>
/// and <see cref="LoaderOptions.Evaluation"/> for evaluation. Same position/resume semantics as <see cref="SimMimLoader"/>.
/// </summary>
public sealed class FineTuneLoader : IDisposable
{
    private readonly BatchPipeline pipeline;

    public FineTuneLoader(IImageSource source, ISampleTransform transform, LoaderOptions options, MixupConfig? mixup = null,
        LoaderPosition? start = null)
    {
        Action<HostBatch>? post = null;
        if (mixup is not null)
        {
            if (source.ClassNames.Count == 0) throw new ArgumentException("Mixup needs a labelled source");
            if (options.BatchSize % 2 != 0) throw new ArgumentException($"batch-mode Mixup needs an even batch size, got {options.BatchSize}");
            if (!options.DropLast) throw new ArgumentException("Mixup needs drop-last (full, even batches)");
            var mix = new MixupCutmix(mixup, source.ClassNames.Count, options.Seed);
            post = h => mix.Apply(h);
        }
        pipeline = new BatchPipeline(source, transform, options, start, post);
    }

    /// <summary>Position of the next batch.</summary>
    public LoaderPosition Position => pipeline.Position;
    /// <summary>Batches per epoch for this rank.</summary>
    public int BatchesPerEpoch => pipeline.BatchesPerEpoch;
    /// <summary>Images skipped so far.</summary>
    public BadImageReport BadImages => pipeline.BadImages;

    /// <summary>The next batch, or null at the end of a finite stream.</summary>
    public FineTuneBatch? Next()
    {
        using var host = pipeline.Next();
        return host is null ? null : new FineTuneBatch(host);
    }

    /// <summary>All remaining batches.</summary>
    public IEnumerable<FineTuneBatch> ReadToEnd()
    {
        while (Next() is { } b) yield return b;
    }

    /// <summary>Stops the workers.</summary>
    public void Dispose() => pipeline.Dispose();
}
