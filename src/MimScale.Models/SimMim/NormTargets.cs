using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MimScale.Models.SimMim;

/// <summary>
/// Sliding-window normalised reconstruction targets (SimMIM / SPEC §3.5): per channel, subtract the mean and divide by
/// the unbiased standard deviation of the k x k window centred at each pixel, counting only in-image pixels.
/// The data-scaling paper uses k = 47 (+0.3 top-1 for SwinV2-L).
/// </summary>
public static class NormTargets
{
    /// <param name="x">(B, C, H, W) images (already ImageNet-normalised).</param>
    /// <param name="window">Odd window size k.</param>
    public static Tensor Compute(Tensor x, int window)
    {
        if (window <= 1 || window % 2 == 0) throw new ArgumentException($"norm-target window must be odd and > 1, got {window}");
        using var scope = NewDisposeScope();
        int pad = window / 2;
        var mean = functional.avg_pool2d(x, window, 1, pad, count_include_pad: false);
        var sqMean = functional.avg_pool2d(x * x, window, 1, pad, count_include_pad: false);
        // Number of in-image pixels under each window (edge-aware), for the unbiased correction n/(n-1).
        var count = functional.avg_pool2d(torch.ones_like(x), window, 1, pad, count_include_pad: true) * (window * window);
        var variance = ((sqMean - mean * mean) * (count / (count - 1))).clamp_min(0);
        return ((x - mean) / (variance + 1e-6).sqrt()).MoveToOuterDisposeScope();
    }
}
