using MimScale.Dense.Detection.Ops;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Dense.Detection.Anchors;

/// <summary>
/// mmdet's <c>AnchorGenerator</c> (mmdet/models/task_modules/prior_generators/anchor_generator.py) with square strides,
/// <c>base_sizes</c> = strides, <c>scale_major</c> true, <c>center_offset</c> 0 and no explicit centres: the settings of
/// Mask R-CNN's RPN (and RetinaNet's, through <see cref="WithOctaveScales"/>).
/// </summary>
/// <remarks>
/// Base anchors of a level (<c>gen_single_level_base_anchors</c>): h_ratio = sqrt(ratio), w_ratio = 1/h_ratio,
/// w = base_size·w_ratio·scale, h = base_size·h_ratio·scale, ratio-major (all scales of ratio 0.5, then of 1, then 2),
/// centred on 0: (-w/2, -h/2, w/2, h/2), not rounded (torchvision rounds them). Grid (<c>single_level_grid_priors</c>):
/// the base anchors shifted by (x·stride, y·stride) for every cell, row-major, anchors of one cell contiguous:
/// index = (y·W + x)·A + a. All in float32, operation by operation as mmdet computes them.
/// </remarks>
/// <param name="Strides">Per level, the stride and base size in pixels.</param>
/// <param name="Ratios">Height/width ratios.</param>
/// <param name="Scales">Anchor sizes in units of the level's base size.</param>
public sealed record AnchorGenerator(int[] Strides, double[] Ratios, double[] Scales)
{
    static readonly Scalar Half = 0.5, One = 1;

    /// <summary>Mask R-CNN's RPN anchors: strides 4..64 (P2-P6), ratios 0.5, 1, 2, scale 8 → sizes 32..512.</summary>
    public static AnchorGenerator MaskRcnn => new(new[] { 4, 8, 16, 32, 64 }, new[] { 0.5, 1.0, 2.0 }, new[] { 8.0 });

    /// <summary>Scales from <c>octave_base_scale</c> · 2^(i / scales_per_octave), i &lt; scales_per_octave (RetinaNet: 4, 3).</summary>
    public static AnchorGenerator WithOctaveScales(int[] strides, double[] ratios, double octaveBaseScale, int scalesPerOctave) =>
        new(strides, ratios, Enumerable.Range(0, scalesPerOctave).Select(i => Math.Pow(2, (double)i / scalesPerOctave) * octaveBaseScale).ToArray());

    /// <summary>Anchors per feature-map cell (ratios × scales).</summary>
    public int AnchorsPerCell => Ratios.Length * Scales.Length;

    /// <summary>Base anchors of <paramref name="level"/>: float32 [A, 4] (x1, y1, x2, y2) centred on the origin.</summary>
    public Tensor BaseAnchors(int level, Device? device = null)
    {
        Validate(level);
        using var scope = NewDisposeScope();
        using var size = ((double)Strides[level]).ToScalar();
        var hRatios = tensor(Ratios, ScalarType.Float32, device).sqrt();                  // [R]
        var wRatios = hRatios.reciprocal();                                               // 1 / h_ratios
        var scales = tensor(Scales, ScalarType.Float32, device);                          // [S]
        var ws = wRatios.unsqueeze(1).mul(size).mul(scales.unsqueeze(0)).reshape(-1);     // [R·S] (w * w_ratio) * scale
        var hs = hRatios.unsqueeze(1).mul(size).mul(scales.unsqueeze(0)).reshape(-1);
        var halfW = ws.mul(Half);
        var halfH = hs.mul(Half);
        // x_center = center_offset * w = 0: (0 - w/2, 0 - h/2, 0 + w/2, 0 + h/2)
        return stack(new[] { halfW.neg(), halfH.neg(), halfW, halfH }, -1).MoveToOuterDisposeScope(); // [A, 4]
    }

    /// <summary>
    /// All anchors of one level for a feature map of <paramref name="height"/> × <paramref name="width"/> cells:
    /// float32 [H·W·A, 4], index (y·W + x)·A + a.
    /// </summary>
    public Tensor GridAnchors(int level, long height, long width, Device? device = null)
    {
        Validate(level);
        if (height < 0 || width < 0) throw new ArgumentException($"feature map size must be non-negative, got {height}x{width}");
        using var scope = NewDisposeScope();
        using var stride = ((double)Strides[level]).ToScalar();
        var baseAnchors = BaseAnchors(level, device);                                     // [A, 4]
        var shiftX = Arange.Of(width, ScalarType.Float32, device ?? CPU).mul(stride);               // [W]
        var shiftY = Arange.Of(height, ScalarType.Float32, device ?? CPU).mul(stride);              // [H]
        var xx = shiftX.repeat(height);                                                   // [H·W] row-major
        var yy = shiftY.view(-1, 1).repeat(1, width).view(-1);                            // [H·W]
        var shifts = stack(new[] { xx, yy, xx, yy }, -1);                                 // [H·W, 4]
        return baseAnchors.unsqueeze(0).add(shifts.unsqueeze(1), One).view(-1, 4).MoveToOuterDisposeScope();
    }

    void Validate(int level)
    {
        if (Strides is not { Length: > 0 } || Strides.Any(s => s <= 0))
            throw new ArgumentException("anchor strides must be a non-empty list of positive integers");
        if (Ratios is not { Length: > 0 } || Ratios.Any(r => !(r > 0)) || Scales is not { Length: > 0 } || Scales.Any(s => !(s > 0)))
            throw new ArgumentException("anchor ratios and scales must be non-empty lists of positive numbers");
        if (level < 0 || level >= Strides.Length)
            throw new ArgumentOutOfRangeException(nameof(level), $"level {level} is outside 0..{Strides.Length - 1}");
    }
}
