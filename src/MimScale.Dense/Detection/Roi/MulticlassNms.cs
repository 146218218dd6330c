using MimScale.Dense.Detection.Ops;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Dense.Detection.Roi;

/// <summary>Final detections of one image: boxes [D, 4], scores [D], labels [D] (0-based class indices), best first.</summary>
public sealed record Detections(Tensor Boxes, Tensor Scores, Tensor Labels);

/// <summary>
/// mmdet's <c>multiclass_nms</c> (mmdet/models/layers/bbox_nms.py) as the Mask R-CNN box head calls it at test time:
/// class-specific boxes [K, C, 4] and softmax scores without the background column, every (RoI, class) pair whose score
/// is &gt; score_thr (0.05), one batched NMS per class (IoU 0.5, <see cref="BatchedNms"/>), the first max_per_img (100)
/// by descending score.
/// </summary>
public static class MulticlassNms
{
    /// <summary>boxes: [K, 4·C]; scores: [K, C + 1] (softmax, background last).</summary>
    public static Detections Apply(Tensor boxes, Tensor scores, double scoreThreshold, double iouThreshold, int maxPerImage)
    {
        using var scope = NewDisposeScope();
        long k = scores.shape[0], c = scores.shape[1] - 1;
        var perClass = boxes.reshape(k * c, 4);                                                  // (RoI, class) row-major
        var s = scores[.., ..(int)c].reshape(-1);                                                // [K·C]
        var labels = Arange.Of(c, ScalarType.Int64, CPU).repeat(k);                              // [K·C]
        using var thr = scoreThreshold.ToScalar();
        var valid = s.gt(thr).nonzero().view(-1);
        var b = perClass.index_select(0, valid);
        s = s.index_select(0, valid);
        labels = labels.index_select(0, valid);
        var keep = BatchedNms.Apply(b, s, labels, iouThreshold);
        if (keep.shape[0] > maxPerImage) keep = keep.narrow(0, 0, maxPerImage);
        return new Detections(b.index_select(0, keep).MoveToOuterDisposeScope(), s.index_select(0, keep).MoveToOuterDisposeScope(),
            labels.index_select(0, keep).MoveToOuterDisposeScope());
    }
}
