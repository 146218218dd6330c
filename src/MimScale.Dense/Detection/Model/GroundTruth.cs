using static TorchSharp.torch;

namespace MimScale.Dense.Detection.Model;

/// <summary>
/// The training targets of one image in the network's input coordinates: boxes [G, 4] float32 (x1, y1, x2, y2),
/// labels [G] int64 (0-based class indices), masks [G, H, W] uint8 (1 = object) at the padded input size.
/// </summary>
public sealed record GroundTruth(Tensor Boxes, Tensor Labels, Tensor Masks) : IDisposable
{
    /// <summary>Instances.</summary>
    public long Count => Boxes.shape[0];

    /// <inheritdoc/>
    public void Dispose()
    {
        Boxes.Dispose();
        Labels.Dispose();
        Masks.Dispose();
    }
}
