using MimScale.Dense.Detection.Ops;
using MimScale.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Dense.Detection.Roi;

/// <summary>
/// mmdet's mask targets (mmdet/models/roi_heads/mask_heads/... <c>mask_target_single</c> with
/// <c>BitmapMasks.crop_and_resize</c>): each positive proposal, clipped to the mask's size, crops its assigned ground-truth
/// mask by RoIAlign (output mask_size x mask_size, spatial scale 1, sampling_ratio 0, aligned True, average) and the
/// result is binarised at &gt;= 0.5 (soft_mask_target off).
/// </summary>
public static class MaskTargets
{
    static readonly Scalar Half = 0.5, Zero = 0;

    /// <summary>
    /// Targets of one image. proposals: [P, 4]; gtIndex: [P] int64 index into <paramref name="gtMasks"/> [G, H, W] (any
    /// dtype, 1 = object) → float32 [P, size, size] of 0/1.
    /// </summary>
    public static Tensor Compute(Tensor proposals, Tensor gtIndex, Tensor gtMasks, int size)
    {
        long p = proposals.shape[0];
        if (p == 0) return zeros(0, size, size);
        using var scope = NewDisposeScope();
        long h = gtMasks.shape[1], w = gtMasks.shape[2];
        using var maxW = ((double)w).ToScalar();
        using var maxH = ((double)h).ToScalar();
        var b = proposals.detach().to_type(ScalarType.Float32);
        var x1 = b[.., 0].clamp(Zero, maxW); var y1 = b[.., 1].clamp(Zero, maxH);
        var x2 = b[.., 2].clamp(Zero, maxW); var y2 = b[.., 3].clamp(Zero, maxH);
        var rois = stack(new[] { gtIndex.to_type(ScalarType.Float32), x1, y1, x2, y2 }, 1);              // [P, 5]
        var masks = gtMasks.to_type(ScalarType.Float32).unsqueeze(1);                                    // [G, 1, H, W]
        var pooled = RoiAlign.Forward(masks, rois, size, size, 1.0, samplingRatio: 0, aligned: true);   // [P, 1, s, s]
        return pooled.squeeze(1).ge(Half).to_type(ScalarType.Float32).MoveToOuterDisposeScope();
    }
}
