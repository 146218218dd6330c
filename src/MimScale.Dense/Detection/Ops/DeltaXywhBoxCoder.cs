using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Dense.Detection.Ops;

/// <summary>
/// mmdet's <c>DeltaXYWHBBoxCoder</c> (mmdet/models/task_modules/coders/delta_xywh_bbox_coder.py, <c>bbox2delta</c> /
/// <c>delta2bbox</c>): box regression targets (dx, dy, dw, dh) = ((gx - px)/pw, (gy - py)/ph, log(gw/pw), log(gh/ph)),
/// normalised by means and stds. Widths are <c>x2 - x1</c> (mmdet 2.x/3.x: no +1). Decoding clamps dw, dh to
/// ±|log(wh_ratio_clip)| and clips to the image; <c>add_ctr_clamp</c> (YOLOF only) is off, as in mmdet's default.
/// </summary>
/// <param name="Means">Target means (mmdet default 0, 0, 0, 0).</param>
/// <param name="Stds">Target stds: (1, 1, 1, 1) for the RPN, (0.1, 0.1, 0.2, 0.2) for the Mask R-CNN box head.</param>
/// <param name="ClipBorder">Clip decoded boxes to [0, W] × [0, H] when an image shape is given (mmdet default true).</param>
public sealed record DeltaXywhBoxCoder(double[] Means, double[] Stds, bool ClipBorder = true)
{
    /// <summary>mmdet's default <c>wh_ratio_clip</c>: deltas beyond log(1000/16) ≈ 4.135 are clamped.</summary>
    public const double DefaultWhRatioClip = 16.0 / 1000.0;

    static readonly Scalar Zero = 0, One = 1, Half = 0.5;

    /// <summary>The RPN coder of mmdet's Mask R-CNN (configs/_base_/models/mask-rcnn_r50_fpn.py): means 0, stds 1.</summary>
    public static DeltaXywhBoxCoder Rpn => new(new double[] { 0, 0, 0, 0 }, new double[] { 1, 1, 1, 1 });

    /// <summary>The RoI box head coder of mmdet's Mask R-CNN: means 0, stds (0.1, 0.1, 0.2, 0.2).</summary>
    public static DeltaXywhBoxCoder RoiHead => new(new double[] { 0, 0, 0, 0 }, new double[] { 0.1, 0.1, 0.2, 0.2 });

    /// <summary>Regression targets. proposals, targets: [N, 4] (x1, y1, x2, y2) → float32 [N, 4].</summary>
    public Tensor Encode(Tensor proposals, Tensor targets)
    {
        Validate();
        BoxIou.CheckBoxes(proposals, nameof(proposals));
        BoxIou.CheckBoxes(targets, nameof(targets));
        if (proposals.shape[0] != targets.shape[0])
            throw new ArgumentException($"proposals ({proposals.shape[0]}) and targets ({targets.shape[0]}) must pair up one to one");
        using var scope = NewDisposeScope();
        var (pxy, pwh) = CentreSize(proposals.to_type(ScalarType.Float32));   // [N, 2] each
        var (gxy, gwh) = CentreSize(targets.to_type(ScalarType.Float32));
        var dxy = gxy.sub(pxy).div(pwh);                                     // [N, 2]
        var dwh = gwh.div(pwh).log();                                        // [N, 2]
        var deltas = cat(new[] { dxy, dwh }, 1);                              // [N, 4]
        return deltas.sub(Row(Means, deltas)).div(Row(Stds, deltas)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Boxes from deltas. rois: [N, 4]; deltas: [N, 4·k] (k = 1, or one box per class) → [N, 4·k]. With
    /// <paramref name="imageHw"/> (height, width) and <see cref="ClipBorder"/>, x clips to [0, W] and y to [0, H].
    /// </summary>
    public Tensor Decode(Tensor rois, Tensor deltas, (int Height, int Width)? imageHw = null, double whRatioClip = DefaultWhRatioClip)
    {
        Validate();
        BoxIou.CheckBoxes(rois, nameof(rois));
        if (deltas.dim() != 2 || deltas.shape[0] != rois.shape[0] || deltas.shape[1] % 4 != 0 || deltas.shape[1] == 0)
            throw new ArgumentException($"deltas must be [{rois.shape[0]}, 4k], got [{string.Join(", ", deltas.shape)}]", nameof(deltas));
        long n = deltas.shape[0], k = deltas.shape[1] / 4;
        if (n == 0) return deltas.clone();
        using var scope = NewDisposeScope();
        var d = deltas.reshape(-1, 4);                                       // [N·k, 4]
        var denorm = d.mul(Row(Stds, d)).add(Row(Means, d), One);            // deltas * stds + means
        var r = rois.to_type(d.dtype).repeat(1, k).reshape(-1, 4);           // [N·k, 4]
        var pxy = r[.., ..2].add(r[.., 2..], One).mul(Half);                 // [N·k, 2]
        var pwh = r[.., 2..].sub(r[.., ..2]);
        var dxyWh = pwh.mul(denorm[.., ..2]);
        using var maxRatio = ((double)Math.Abs(Math.Log(whRatioClip))).ToScalar();
        using var minRatio = (-Math.Abs(Math.Log(whRatioClip))).ToScalar();
        var dwh = denorm[.., 2..].clamp(minRatio, maxRatio);
        var gxy = pxy.add(dxyWh, One);
        var halfWh = pwh.mul(dwh.exp()).mul(Half);                           // gwh * 0.5
        var boxes = cat(new[] { gxy.sub(halfWh), gxy.add(halfWh, One) }, 1); // [N·k, 4]
        if (ClipBorder && imageHw is { } hw)
        {
            using var w = ((double)hw.Width).ToScalar();
            using var h = ((double)hw.Height).ToScalar();
            var x = boxes[.., TensorIndex.Slice(0, null, 2)].clamp(Zero, w);
            var y = boxes[.., TensorIndex.Slice(1, null, 2)].clamp(Zero, h);
            boxes = stack(new[] { x[.., 0], y[.., 0], x[.., 1], y[.., 1] }, 1);
        }
        return boxes.reshape(n, -1).MoveToOuterDisposeScope();
    }

    static (Tensor Centre, Tensor Size) CentreSize(Tensor boxes) =>
        (boxes[.., ..2].add(boxes[.., 2..], One).mul(Half), boxes[.., 2..].sub(boxes[.., ..2]));

    static Tensor Row(double[] values, Tensor like) => tensor(values, like.dtype, like.device).view(1, 4);

    void Validate()
    {
        if (Means is not { Length: 4 } || Stds is not { Length: 4 })
            throw new ArgumentException("box coder means and stds must have 4 values each (dx, dy, dw, dh)");
        if (Stds.Any(s => !(s > 0)))
            throw new ArgumentException($"box coder stds must be positive, got ({string.Join(", ", Stds)})");
    }
}
