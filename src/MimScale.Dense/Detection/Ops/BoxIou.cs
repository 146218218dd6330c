using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Dense.Detection.Ops;

/// <summary>
/// Pairwise intersection-over-union of (x1, y1, x2, y2) boxes, no +1 on widths, with the same float operations in the
/// same order as <c>torchvision.ops.box_iou</c> (ops/boxes.py <c>_box_inter_union</c>) and the NMS kernel
/// (csrc/ops/cpu/nms_kernel.cpp: <c>inter / (area_i + area_j - inter)</c>), so NMS decisions match bit for bit.
/// </summary>
public static class BoxIou
{
    static readonly Scalar Zero = 0, One = 1;

    /// <summary>Box areas <c>(x2 - x1) * (y2 - y1)</c>. boxes: [N, 4] → [N].</summary>
    public static Tensor Area(Tensor boxes)
    {
        CheckBoxes(boxes, nameof(boxes));
        using var scope = NewDisposeScope();
        var wh = boxes[.., 2..].sub(boxes[.., ..2]);                     // [N, 2]
        return wh[.., 0].mul(wh[.., 1]).MoveToOuterDisposeScope();       // [N]
    }

    /// <summary>IoU matrix. a: [N, 4], b: [M, 4] → [N, M] (same dtype and device as the boxes).</summary>
    public static Tensor Pairwise(Tensor a, Tensor b)
    {
        CheckBoxes(a, nameof(a));
        CheckBoxes(b, nameof(b));
        using var scope = NewDisposeScope();
        var areaA = Area(a);                                             // [N]
        var areaB = Area(b);                                             // [M]
        var lt = torch.maximum(a[.., TensorIndex.None, ..2], b[.., ..2]); // [N, M, 2]
        var rb = torch.minimum(a[.., TensorIndex.None, 2..], b[.., 2..]); // [N, M, 2]
        var wh = rb.sub(lt).clamp_min(Zero);                             // [N, M, 2]
        var inter = wh[.., .., 0].mul(wh[.., .., 1]);                    // [N, M]
        var union = areaA.unsqueeze(1).add(areaB, One).sub(inter);       // [N, M]
        return inter.div(union).MoveToOuterDisposeScope();
    }

    internal static void CheckBoxes(Tensor boxes, string name)
    {
        if (boxes.dim() != 2 || boxes.shape[1] != 4)
            throw new ArgumentException($"{name} must be [N, 4] (x1, y1, x2, y2), got [{string.Join(", ", boxes.shape)}]", name);
        if (!boxes.is_floating_point())
            throw new ArgumentException($"{name} must be a floating-point tensor, got {boxes.dtype}", name);
    }
}
