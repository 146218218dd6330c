using MimScale.Dense.Detection.Model;
using static TorchSharp.torch;

namespace MimScale.Dense.Detection.Data;

/// <summary>Samples stacked for the network: images (B, 3, S, S) and, per image, its size before padding and targets.</summary>
public sealed class DetectionBatch : IDisposable
{
    public DetectionBatch(IReadOnlyList<DetectionSample> samples)
    {
        if (samples.Count == 0) throw new ArgumentException("a batch needs at least one sample");
        Samples = samples;
        Images = stack(samples.Select(s => s.Image).ToList(), 0);
    }

    /// <summary>The samples, in batch order.</summary>
    public IReadOnlyList<DetectionSample> Samples { get; }

    /// <summary>(B, 3, S, S).</summary>
    public Tensor Images { get; }

    /// <summary>Each image's size before padding.</summary>
    public IReadOnlyList<(int Height, int Width)> ImageHws => Samples.Select(s => s.ImageHw).ToList();

    /// <summary>Each image's targets (training samples only).</summary>
    public IReadOnlyList<GroundTruth> Truths => Samples.Select(s => s.Truth ?? throw new InvalidOperationException("a test sample has no targets")).ToList();

    /// <inheritdoc/>
    public void Dispose()
    {
        Images.Dispose();
        foreach (var s in Samples) s.Dispose();
    }
}
