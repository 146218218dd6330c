using static TorchSharp.torch;

namespace MimScale.Data.Loading;

/// <summary>
/// One SimMIM batch: Images (B, 3, H, W) float32 normalised; Masks (B, H/p, W/p) int64, 1 = masked;
/// Labels (B) int64 (-1 when unlabelled; unused by pre-training). Owns its tensors: dispose it.
/// </summary>
public sealed class SimMimBatch : IDisposable
{
    /// <summary>(B, 3, H, W) float32.</summary>
    public Tensor Images { get; }
    /// <summary>(B, H/p, W/p) int64.</summary>
    public Tensor Masks { get; }
    /// <summary>(B) int64.</summary>
    public Tensor Labels { get; }
    /// <summary>Where this batch is in the stream (epoch, batch index).</summary>
    public LoaderPosition Position { get; }
    /// <summary>Source index of each sample's image (after any bad-image substitution).</summary>
    public IReadOnlyList<int> Indices { get; }

    internal SimMimBatch(HostBatch host, int maskSize)
    {
        int b = host.Count, s = host.ImageSize;
        Images = TensorPack.Float32(host.Images.AsSpan(0, b * host.ImageFloats), b, 3, s, s);
        Masks = TensorPack.Int64(host.Masks.AsSpan(0, b * host.MaskLength), b, maskSize, maskSize);
        Labels = TensorPack.Int64(host.Labels, b);
        Position = host.Position;
        Indices = host.Indices;
    }

    /// <summary>Batch size.</summary>
    public int Count => Indices.Count;

    /// <summary>Disposes the three tensors.</summary>
    public void Dispose()
    {
        Images.Dispose();
        Masks.Dispose();
        Labels.Dispose();
    }
}
