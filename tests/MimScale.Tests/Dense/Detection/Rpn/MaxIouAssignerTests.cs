using MimScale.Dense.Detection.Rpn;
using static TorchSharp.torch;

namespace MimScale.Tests.Dense.Detection.Rpn;

/// <summary>mmdet's MaxIoUAssigner on hand-made boxes whose IoUs are exact fractions.</summary>
public class MaxIouAssignerTests
{
    static Tensor Boxes(params float[][] b) => tensor(b.SelectMany(x => x).ToArray()).view(-1, 4);

    [Fact]
    public void PositivesNegativesIgnoredAndLowQualityMatchesFollowTheThresholds()
    {
        using var scope = NewDisposeScope();
        var gts = Boxes(new float[] { 0, 0, 10, 10 }, new float[] { 100, 100, 110, 120 });
        var anchors = Boxes(
            new float[] { 0, 0, 10, 10 },       // IoU 1 with gt0               -> positive 1
            new float[] { 0, 0, 10, 8 },        // IoU 0.8 with gt0             -> positive 1
            new float[] { 0, 0, 10, 5 },        // IoU 0.5 with gt0 (0.3..0.7)  -> ignored
            new float[] { 0, 0, 10, 2 },        // IoU 0.2 with gt0             -> negative
            new float[] { 50, 50, 60, 60 },     // IoU 0                        -> negative
            new float[] { 100, 100, 110, 108 }, // IoU 80/200 = 0.4 with gt1: gt1's best -> low-quality positive 2
            new float[] { 100, 112, 110, 120 }); // IoU 80/200 = 0.4 too: ties with the best -> positive 2 (gt_max_assign_all)
        var assigned = MaxIouAssigner.Rpn.Assign(anchors, gts);
        Assert.Equal(new[] { 1, 1, -1, 0, 0, 2, 2 }, assigned);
        // Without low-quality matching gt1's anchors (0.4) stay ignored.
        Assert.Equal(new[] { 1, 1, -1, 0, 0, -1, -1 }, (MaxIouAssigner.Rpn with { MatchLowQuality = false }).Assign(anchors, gts));
        // The R-CNN thresholds (0.5 / 0.5 / 0.5): 0.5 is positive, 0.4 negative and below min_pos_iou, so gt1 gets nothing.
        Assert.Equal(new[] { 1, 1, 1, 0, 0, 0, 0 }, MaxIouAssigner.Rcnn.Assign(anchors, gts));
    }

    [Fact]
    public void NoGroundTruthMakesEveryBoxNegativeAndTiesGoToTheFirstGt()
    {
        using var scope = NewDisposeScope();
        var anchors = Boxes(new float[] { 0, 0, 10, 10 }, new float[] { 5, 5, 15, 15 });
        Assert.Equal(new[] { 0, 0 }, MaxIouAssigner.Rpn.Assign(anchors, zeros(0, 4)));
        // Two identical gts: the anchor's best is the first (torch.max), then low-quality matching of gt 2 (same IoU 1)
        // overrides it (a later gt wins), exactly as mmdet's loop does.
        var twins = Boxes(new float[] { 0, 0, 10, 10 }, new float[] { 0, 0, 10, 10 });
        Assert.Equal(new[] { 2, 0 }, MaxIouAssigner.Rpn.Assign(anchors, twins));
        Assert.Equal(new[] { 1, 0 }, (MaxIouAssigner.Rpn with { MatchLowQuality = false }).Assign(anchors, twins));
    }
}
