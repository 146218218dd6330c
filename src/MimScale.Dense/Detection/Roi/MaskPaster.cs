using MimScale.Dense.Detection.Ops;
using MimScale.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MimScale.Dense.Detection.Roi;

/// <summary>
/// mmdet's <c>_do_paste_mask</c> (mmdet/models/roi_heads/mask_heads/fcn_mask_head.py) as it runs on the CPU
/// (skip_empty, one mask per chunk), then the threshold of <c>_predict_by_feat_single</c>: each m x m probability map is
/// sampled bilinearly (grid_sample, align_corners False, zero padding) at the image's pixel centres mapped into its box,
/// <c>g = (p + 0.5 - x0) / (x1 - x0) · 2 - 1</c>, only inside the box's integer region
/// [max(floor(x0) - 1, 0), min(ceil(x1) + 1, W)) x (same for y), zero elsewhere; a pixel belongs to the mask when its
/// value is &gt;= the threshold (mask_thr_binary 0.5).
/// </summary>
public static class MaskPaster
{
    static readonly Scalar One = 1, Two = 2, Half = 0.5;

    /// <summary>
    /// Pasted probabilities. probs: [K, m, m]; boxes: [K, 4] in the image's coordinates → float32 [K, H, W].
    /// </summary>
    public static Tensor PasteProbabilities(Tensor probs, Tensor boxes, int height, int width)
    {
        long k = probs.shape[0];
        if (k == 0) return zeros(0, height, width);
        using var scope = NewDisposeScope();
        var b = boxes.detach().to_type(ScalarType.Float32);
        var x0 = b[.., 0..1]; var y0 = b[.., 1..2]; var x1 = b[.., 2..3]; var y1 = b[.., 3..4];           // [K, 1]
        var px = Arange.Of(width, ScalarType.Float32, CPU).add(Half, One);                                    // [W]
        var py = Arange.Of(height, ScalarType.Float32, CPU).add(Half, One);                                   // [H]
        var gx = px.unsqueeze(0).sub(x0).div(x1.sub(x0)).mul(Two).sub(One);                              // [K, W]
        var gy = py.unsqueeze(0).sub(y0).div(y1.sub(y0)).mul(Two).sub(One);                              // [K, H]
        var grid = stack(new[] { gx.unsqueeze(1).expand(k, height, width), gy.unsqueeze(2).expand(k, height, width) }, 3);
        var pasted = functional.grid_sample(probs.to_type(ScalarType.Float32).unsqueeze(1), grid,
            mode: GridSampleMode.Bilinear, padding_mode: GridSamplePaddingMode.Zeros, align_corners: false).squeeze(1); // [K, H, W]
        return pasted.mul(RegionMask(b, height, width)).MoveToOuterDisposeScope();
    }

    /// <summary>Binary masks: <see cref="PasteProbabilities"/> &gt;= <paramref name="threshold"/> → bool [K, H, W].</summary>
    public static Tensor Paste(Tensor probs, Tensor boxes, int height, int width, double threshold = 0.5)
    {
        using var pasted = PasteProbabilities(probs, boxes, height, width);
        using var t = threshold.ToScalar();
        return pasted.ge(t);
    }

    // 1 inside each mask's skip_empty region, 0 outside: [K, H, W].
    static Tensor RegionMask(Tensor b, int height, int width)
    {
        long k = b.shape[0];
        var host = b.data<float>().ToArray();
        var region = new float[k * height * width];
        for (int i = 0; i < k; i++)
        {
            int xa = Math.Max((int)Math.Floor(host[4 * i]) - 1, 0), ya = Math.Max((int)Math.Floor(host[4 * i + 1]) - 1, 0);
            int xb = Math.Min((int)Math.Ceiling(host[4 * i + 2]) + 1, width), yb = Math.Min((int)Math.Ceiling(host[4 * i + 3]) + 1, height);
            for (int y = ya; y < yb; y++)
                for (int x = xa; x < xb; x++) region[((long)i * height + y) * width + x] = 1f;
        }
        return tensor(region).view(k, height, width);
    }
}
