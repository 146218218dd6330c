using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Dense.Detection.Ops;

/// <summary>
/// Per-category NMS with the indices of <c>torchvision.ops.batched_nms</c> (ops/boxes.py, 0.14): up to 4000 box
/// coordinates (1000 boxes) it shifts each category's boxes by <c>idx * (max coordinate + 1)</c> so that categories
/// cannot overlap and runs one <see cref="Nms"/>; above that it runs NMS per category (ascending category id) and
/// orders the union of kept boxes by score with the same unstable descending sort. Both paths are reproduced because
/// they can differ: the offset costs float precision, and ties are broken over different arrays.
/// </summary>
public static class BatchedNms
{
    /// <summary>torchvision's CPU switch: <c>boxes.numel() &gt; 4000</c> takes the per-category path.</summary>
    public const int OffsetTrickMaxCoordinates = 4000;

    static readonly Scalar One = 1;

    /// <summary>Kept indices, by descending score. boxes: [N, 4], scores: [N], categories: [N] integer → int64 [K].</summary>
    /// <param name="boxes">[N, 4] (x1, y1, x2, y2).</param>
    /// <param name="scores">[N].</param>
    /// <param name="categories">[N] integer; boxes of different categories never suppress each other.</param>
    /// <param name="iouThreshold">Suppress boxes whose IoU with a kept box is above this.</param>
    /// <param name="hostLoop">As in <see cref="Nms.Apply"/>.</param>
    public static Tensor Apply(Tensor boxes, Tensor scores, Tensor categories, double iouThreshold, bool hostLoop = true)
    {
        BoxIou.CheckBoxes(boxes, nameof(boxes));
        long n = boxes.shape[0];
        if (scores.dim() != 1 || scores.shape[0] != n)
            throw new ArgumentException($"scores must be [{n}] (one per box), got [{string.Join(", ", scores.shape)}]", nameof(scores));
        if (categories.dim() != 1 || categories.shape[0] != n)
            throw new ArgumentException($"categories must be [{n}] (one per box), got [{string.Join(", ", categories.shape)}]", nameof(categories));
        if (n == 0) return empty(0, ScalarType.Int64, boxes.device);
        var keep = boxes.numel() > OffsetTrickMaxCoordinates
            ? PerCategory(boxes, scores, categories, iouThreshold, hostLoop)
            : OffsetTrick(boxes, scores, categories, iouThreshold, hostLoop);
        return tensor(keep, ScalarType.Int64, boxes.device);
    }

    // torchvision _batched_nms_coordinate_trick: offsets = idxs.to(boxes) * (boxes.max() + 1), in the boxes' dtype.
    static long[] OffsetTrick(Tensor boxes, Tensor scores, Tensor categories, double iouThreshold, bool hostLoop)
    {
        using var scope = NewDisposeScope();
        var maxPlusOne = boxes.max().add(One, One);                                  // []
        var offsets = categories.to_type(boxes.dtype).mul(maxPlusOne);           // [N]
        var shifted = boxes.add(offsets.unsqueeze(1), One);                       // [N, 4]
        return Nms.KeptIndices(shifted, scores, iouThreshold, hostLoop);
    }

    // torchvision _batched_nms_vanilla: NMS per category in torch.unique order (ascending), a keep mask, then the kept
    // indices (ascending, from torch.where) sorted by score with the unstable descending sort.
    static long[] PerCategory(Tensor boxes, Tensor scores, Tensor categories, double iouThreshold, bool hostLoop)
    {
        using var scope = NewDisposeScope();
        var cats = categories.to_type(ScalarType.Int64).cpu().data<long>().ToArray();
        var allScores = Nms.HostDoubles(scores);
        var keepMask = new bool[cats.Length];
        foreach (long c in cats.Distinct().Order())
        {
            var members = Enumerable.Range(0, cats.Length).Where(i => cats[i] == c).Select(i => (long)i).ToArray();
            var idx = tensor(members, ScalarType.Int64, boxes.device);
            foreach (long k in Nms.KeptIndices(boxes.index_select(0, idx), scores.index_select(0, idx), iouThreshold, hostLoop))
                keepMask[members[k]] = true;
        }
        var kept = Enumerable.Range(0, cats.Length).Where(i => keepMask[i]).ToArray();
        var keptScores = kept.Select(i => allScores[i]).ToArray();
        return TorchCpuSort.Descending(keptScores).Select(o => (long)kept[o]).ToArray();
    }
}
