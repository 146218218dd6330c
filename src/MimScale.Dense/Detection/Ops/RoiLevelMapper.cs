using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Dense.Detection.Ops;

/// <summary>
/// mmdet's <c>SingleRoIExtractor.map_roi_levels</c> (mmdet/models/roi_heads/roi_extractors/single_level_roi_extractor.py):
/// scale = sqrt(w·h), level = floor(log2(scale / finest_scale + 1e-6)) clamped to [0, levels - 1]. With finest_scale 56:
/// scale &lt; 112 → level 0 (P2), [112, 224) → 1, [224, 448) → 2, ≥ 448 → 3; widths without +1.
/// </summary>
public static class RoiLevelMapper
{
    /// <summary>mmdet's default <c>finest_scale</c>.</summary>
    public const int DefaultFinestScale = 56;

    static readonly Scalar Eps = 1e-6, Zero = 0, One = 1;

    /// <summary>Level of each RoI. rois: [K, 5] (batch, x1, y1, x2, y2) → int64 [K] in 0..numLevels-1.</summary>
    public static Tensor Map(Tensor rois, int numLevels, int finestScale = DefaultFinestScale)
    {
        if (rois.dim() != 2 || rois.shape[1] != 5)
            throw new ArgumentException($"rois must be [K, 5] (batch index, x1, y1, x2, y2), got [{string.Join(", ", rois.shape)}]", nameof(rois));
        if (numLevels <= 0) throw new ArgumentException($"numLevels must be positive, got {numLevels}", nameof(numLevels));
        if (finestScale <= 0) throw new ArgumentException($"finestScale must be positive, got {finestScale}", nameof(finestScale));
        using var scope = NewDisposeScope();
        using var finest = ((long)finestScale).ToScalar();
        using var top = ((long)numLevels - 1).ToScalar();
        var scale = rois[.., 3].sub(rois[.., 1]).mul(rois[.., 4].sub(rois[.., 2])).sqrt();   // [K]
        var level = scale.div(finest).add(Eps, One).log2().floor();                                // [K]
        return level.clamp(Zero, top).to_type(ScalarType.Int64).MoveToOuterDisposeScope();
    }
}
