using System.Buffers;

namespace MimScale.Data.Loading;

/// <summary>
/// One batch in host memory before it becomes tensors: pooled arrays (returned on dispose), sample-major.
/// Images (Count, 3, S, S) floats; Masks (Count, M) longs; Labels (Count); optional soft Targets (Count, K).
/// </summary>
public sealed class HostBatch : IDisposable
{
    /// <summary>Samples in the batch.</summary>
    public int Count { get; }
    /// <summary>Image side.</summary>
    public int ImageSize { get; }
    /// <summary>Mask elements per sample (0 = none).</summary>
    public int MaskLength { get; }
    /// <summary>Where this batch is in the stream.</summary>
    public LoaderPosition Position { get; }
    /// <summary>Pooled image buffer; the first Count*3*S*S floats are the batch.</summary>
    public float[] Images { get; private set; }
    /// <summary>Pooled mask buffer; the first Count*MaskLength longs are the batch.</summary>
    public long[] Masks { get; private set; }
    /// <summary>Labels (hard targets), -1 for unlabelled sources.</summary>
    public long[] Labels { get; }
    /// <summary>Source index of the image each sample actually shows (a substitute when the planned one was bad).</summary>
    public int[] Indices { get; }
    /// <summary>Soft targets (Count, <see cref="TargetClasses"/>) after Mixup/CutMix/label smoothing, or null.</summary>
    public float[]? Targets { get; internal set; }
    /// <summary>Classes of <see cref="Targets"/>.</summary>
    public int TargetClasses { get; internal set; }

    internal HostBatch(int count, int imageSize, int maskLength, LoaderPosition position)
    {
        Count = count;
        ImageSize = imageSize;
        MaskLength = maskLength;
        Position = position;
        Images = ArrayPool<float>.Shared.Rent(Math.Max(1, count * ImageFloats));
        Masks = maskLength > 0 ? ArrayPool<long>.Shared.Rent(count * maskLength) : [];
        Labels = new long[count];
        Indices = new int[count];
    }

    /// <summary>Floats per sample image (3*S*S).</summary>
    public int ImageFloats => 3 * ImageSize * ImageSize;

    /// <summary>Image of sample <paramref name="s"/>.</summary>
    public Span<float> Image(int s) => Images.AsSpan(s * ImageFloats, ImageFloats);

    /// <summary>Mask of sample <paramref name="s"/>.</summary>
    public Span<long> Mask(int s) => MaskLength == 0 ? Span<long>.Empty : Masks.AsSpan(s * MaskLength, MaskLength);

    /// <summary>Returns the pooled buffers.</summary>
    public void Dispose()
    {
        if (Images.Length > 0) ArrayPool<float>.Shared.Return(Images);
        if (Masks.Length > 0) ArrayPool<long>.Shared.Return(Masks);
        Images = [];
        Masks = [];
    }
}
