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
    private readonly BatchPipeline _pipeline;
    private readonly int _maskSize;

    /// <summary>Starts the workers at <paramref name="start"/> (default: the beginning).</summary>
    public SimMimLoader(IImageSource source, ISampleTransform transform, LoaderOptions options, LoaderPosition? start = null)
    {
        if (transform.MaskLength == 0) throw new ArgumentException("a SimMIM loader needs a transform that produces masks", nameof(transform));
        _maskSize = transform.MaskSize;
        _pipeline = new BatchPipeline(source, transform, options, start);
    }

    /// <summary>Position of the next batch (save this to resume).</summary>
    public LoaderPosition Position => _pipeline.Position;
    /// <summary>Batches per epoch for this rank.</summary>
    public int BatchesPerEpoch => _pipeline.BatchesPerEpoch;
    /// <summary>Images skipped so far, to print at the end of a run.</summary>
    public BadImageReport BadImages => _pipeline.BadImages;

    /// <summary>The next batch, or null when the configured epochs are exhausted.</summary>
    public SimMimBatch? Next()
    {
        using var host = _pipeline.Next();
        return host is null ? null : new SimMimBatch(host, _maskSize);
    }

    /// <summary>All remaining batches (for a finite stream such as validation).</summary>
    public IEnumerable<SimMimBatch> ReadToEnd()
    {
        while (Next() is { } batch) yield return batch;
    }

    /// <summary>Stops the workers.</summary>
    public void Dispose() => _pipeline.Dispose();
}
