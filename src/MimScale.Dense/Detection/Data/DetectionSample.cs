using MimScale.Dense.Detection.Model;
using static TorchSharp.torch;

namespace MimScale.Dense.Detection.Data;

/// <summary>
/// One transformed image: the normalised, padded input [3, S, S], its size before padding (mmdet img_shape), the
/// resize factors from the original image (mmdet scale_factor, width then height) and, for training, its targets.
/// </summary>
public sealed record DetectionSample(long ImageId, Tensor Image, (int Height, int Width) ImageHw, (double W, double H) ScaleFactor,
    (int Height, int Width) OriginalHw, GroundTruth? Truth) : IDisposable
{
    /// <inheritdoc/>
    public void Dispose()
    {
        Image.Dispose();
        Truth?.Dispose();
    }
}
