using MimScale.Dense.Detection.Ops;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Dense.Detection.Rpn;

/// <summary>Proposals of one image: boxes [P, 4] (x1, y1, x2, y2, detached) and objectness scores [P], best first.</summary>
public sealed record Proposals(Tensor Boxes, Tensor Scores);

/// <summary>
/// mmdet's RPN proposals (RPNHead._predict_by_feat_single + _bbox_post_process): per image and level, the sigmoid scores
/// sorted descending and cut to the first <see cref="NmsPre"/>; their anchors decoded with the RPN coder (stds 1) and
/// clipped to the image; boxes of zero width or height removed (min_bbox_size 0 keeps w &gt; 0 and h &gt; 0); one batched
/// NMS at <see cref="NmsIou"/> with the level as the category (<see cref="BatchedNms"/>); the first
/// <see cref="MaxPerImage"/> kept. mmdet: train nms_pre 2000, test 1000; max_per_img 1000; NMS 0.7.
/// </summary>
/// <param name="NmsPre">Top-scoring anchors kept per level before NMS.</param>
/// <param name="MaxPerImage">Proposals kept after NMS.</param>
/// <param name="NmsIou">NMS IoU threshold.</param>
public sealed record ProposalGenerator(int NmsPre, int MaxPerImage, double NmsIou)
{
    static readonly Scalar Zero = 0, One = 1;

    /// <summary>
    /// Proposals of image <paramref name="image"/> of the batch. anchors: [N, 4]; imageHw: the image's size before
    /// padding (mmdet img_shape), the clip bounds.
    /// </summary>
    public Proposals Generate(RpnOutput output, Tensor anchors, int image, (int Height, int Width) imageHw)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var logits = output.Logits[image].detach();          // [N]
        var deltas = output.Deltas[image].detach();          // [N, 4]
        var scoresPerLevel = new List<Tensor>();
        var boxesPerLevel = new List<Tensor>();
        var levelIds = new List<Tensor>();
        long start = 0;
        for (int l = 0; l < output.LevelSizes.Length; l++)
        {
            long n = output.LevelSizes[l];
            var scores = logits.narrow(0, start, n).sigmoid();
            var idx = Arange.Of(n, ScalarType.Int64, scores.device);
            if (n > NmsPre)
            {
                var (sorted, order) = scores.sort(descending: true);
                scores = sorted.narrow(0, 0, NmsPre);
                idx = order.narrow(0, 0, NmsPre);
            }
            using var offset = start.ToScalar();
            var global = idx.add(offset, One);                 // int64 (a double Scalar would promote to float)
            boxesPerLevel.Add(DeltaXywhBoxCoder.Rpn.Decode(anchors.index_select(0, global), deltas.index_select(0, global), imageHw));
            scoresPerLevel.Add(scores);
            levelIds.Add(tensor(Enumerable.Repeat((long)l, (int)scores.shape[0]).ToArray(), ScalarType.Int64));
            start += n;
        }
        var boxes = cat(boxesPerLevel, 0);
        var allScores = cat(scoresPerLevel, 0);
        var levels = cat(levelIds, 0);
        var w = boxes[.., 2].sub(boxes[.., 0]);
        var h = boxes[.., 3].sub(boxes[.., 1]);
        var valid = w.gt(Zero).logical_and(h.gt(Zero)).nonzero().view(-1);
        boxes = boxes.index_select(0, valid);
        allScores = allScores.index_select(0, valid);
        levels = levels.index_select(0, valid);
        var keep = BatchedNms.Apply(boxes, allScores, levels, NmsIou);
        if (keep.shape[0] > MaxPerImage) keep = keep.narrow(0, 0, MaxPerImage);
        return new Proposals(boxes.index_select(0, keep).MoveToOuterDisposeScope(), allScores.index_select(0, keep).MoveToOuterDisposeScope());
    }
}
