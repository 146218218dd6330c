using MimScale.Data.Errors;
using MimScale.Data.Sources;
using MimScale.Data.Transforms;

namespace MimScale.Data.Loading;

/// <summary>
/// SimMIM data stream for one rank: images with masks, from a pre-training transform (<see cref="SimMimTransform"/>,
/// shuffled, drop-last, endless by default) or a validation transform (<see cref="ValidationTransform"/> with fixed
/// masks and <see cref="LoaderOptions.Evaluation"/>). Save <see cref="Position"/> with a checkpoint and pass it back as
/// <c>start</c> to resume the exact same batch sequence.
/// </summary>
public sealed class SimMimLoader : IDisposable
{
    private readonly BatchPipeline pipeline;
    private readonly int maskSize;

    /// <summary>Starts the workers at <paramref name="start"/> (default: the beginning).</summary>
    public SimMimLoader(IImageSource source, ISampleTransform transform, LoaderOptions options, LoaderPosition? start = null)
    {
        if (transform.MaskLength == 0) throw new ArgumentException("a SimMIM loader needs a transform that produces masks", nameof(transform));
        maskSize = transform.MaskSize;
        pipeline = new BatchPipeline(source, transform, options, start);
    }

    /// <summary>Position of the next batch (save this to resume).</summary>
    public LoaderPosition Position => pipeline.Position;
    /// <summary>Batches per epoch for this rank.</summary>
    public int BatchesPerEpoch => pipeline.BatchesPerEpoch;
    /// <summary>Images skipped so far, to print at the end of a run.</summary>
    public BadImageReport BadImages => pipeline.BadImages;

    /// <summary>The next batch, or null when the configured epochs are exhausted.</summary>
    public SimMimBatch? Next()
    {
        using var host = pipeline.Next();
        return host is null ? null : new SimMimBatch(host, maskSize);
    }

    /// <summary>All remaining batches (for a finite stream such as validation).</summary>
    public IEnumerable<SimMimBatch> ReadToEnd()
    {
        while (Next() is { } batch) yield return batch;
    }

    /// <summary>Stops the workers.</summary>
    public void Dispose() => pipeline.Dispose();
}
