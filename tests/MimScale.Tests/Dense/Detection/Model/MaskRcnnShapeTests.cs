using MimScale.Dense.Detection.Model;
using MimScale.Dense.Detection.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Tests.Dense.Detection.Model;

/// <summary>Shapes of every stage of the tiny Mask R-CNN (SwinV2-pico, 64 px, window 4, FPN 32).</summary>
public class MaskRcnnShapeTests(DetectionScenes scenes) : IClassFixture<DetectionScenes>
{
    [Fact]
    public void FpnRpnAndRoiOutputsHaveTheShapesOfTheLevels()
    {
        using var scope = NewDisposeScope();
        var (model, _) = DetectionRun.Build(scenes.Tiny, 3, new Generator(1));
        using var _m = model;
        Assert.Equal(new[] { 2, 4, 8, 16, 32 }, model.LevelStrides);
        var images = randn(new long[] { 2, 3, 64, 64 }, generator: new Generator(2));
        var feats = model.Features(images);
        Assert.Equal(new[] { 32L, 16, 8, 4, 2 }, feats.Select(f => f.shape[2]));
        Assert.All(feats, f => Assert.Equal(new long[] { 2, 32 }, f.shape[..2]));
        // The extra level is max_pool2d(kernel 1, stride 2) of the last: every other cell of P5.
        Assert.True(feats[4].eq(feats[3][.., .., TensorIndex.Slice(0, null, 2), TensorIndex.Slice(0, null, 2)]).all().item<bool>());
        var rpn = model.Rpn(feats);
        long anchors = 3 * (32 * 32 + 16 * 16 + 8 * 8 + 4 * 4 + 2 * 2);                  // 4092
        Assert.Equal(new[] { 2L, anchors }, rpn.Logits.shape);
        Assert.Equal(new[] { 2L, anchors, 4 }, rpn.Deltas.shape);
        Assert.Equal(new[] { anchors, 4 }, model.AllAnchors(feats).shape);
        var rois = tensor(new float[] { 0, 1, 1, 20, 30, 1, 10, 10, 60, 60, 0, 0, 0, 8, 8 }).view(3, 5);
        var head = model.RoiHead;
        var (cls, reg) = head.BoxForward(feats, rois);
        Assert.Equal(new long[] { 3, 4 }, cls.shape);                                     // 3 classes + background
        Assert.Equal(new long[] { 3, 12 }, reg.shape);
        Assert.Equal(new long[] { 3, 3, 28, 28 }, head.MaskForward(feats, rois).shape);
        // mmdet's state-dict names.
        var keys = model.state_dict().Keys.ToHashSet();
        foreach (var k in new[] { "backbone.norm0.weight", "neck.lateral_convs.0.conv.weight", "neck.fpn_convs.3.conv.bias", "rpn_head.rpn_conv.weight",
                     "rpn_head.rpn_cls.weight", "rpn_head.rpn_reg.bias", "roi_head.bbox_head.shared_fcs.1.weight", "roi_head.bbox_head.fc_cls.weight",
                     "roi_head.bbox_head.fc_reg.weight", "roi_head.mask_head.convs.3.conv.weight", "roi_head.mask_head.upsample.weight",
                     "roi_head.mask_head.conv_logits.bias" })
            Assert.Contains(k, keys);
    }

    [Fact]
    public void LossesAreFiveFiniteScalarsAndPredictionsAreCapped()
    {
        using var scope = NewDisposeScope();
        var (model, _) = DetectionRun.Build(scenes.Tiny, 3, new Generator(1));
        using var _m = model;
        var images = randn(new long[] { 2, 3, 64, 64 }, generator: new Generator(2));
        var masks = zeros(new long[] { 1, 64, 64 }, ScalarType.Byte);
        masks[0, 10..30, 5..25] = ones(20, 20, ScalarType.Byte);
        var truth = new[]
        {
            new GroundTruth(tensor(new float[] { 5, 10, 25, 30 }).view(1, 4), tensor(new long[] { 2 }), masks),
            new GroundTruth(zeros(0, 4), zeros(0, ScalarType.Int64), zeros(new long[] { 0, 64, 64 }, ScalarType.Byte)),
        };
        var losses = model.Loss(images, truth, new[] { (64, 64), (64, 64) }, new Generator(3));
        Assert.All(losses.Values(), v => Assert.True(double.IsFinite(v.Value) && v.Value >= 0, $"{v.Name} = {v.Value}"));
        // Untrained: objectness logits near 0 (N(0, 0.01) weights) -> BCE near log 2 = 0.693; near-zero class logits over
        // 3 classes + background -> cross-entropy near log 4 = 1.386.
        Assert.InRange(losses.Values()[0].Value, 0.65, 0.74);
        Assert.InRange(losses.Values()[2].Value, 1.30, 1.47);
        var predictions = model.Predict(images, new[] { (64, 64), (64, 64) });
        Assert.Equal(2, predictions.Count);
        foreach (var (det, probs) in predictions)
        {
            Assert.InRange(det.Boxes.shape[0], 0, 100);
            Assert.Equal(new[] { det.Boxes.shape[0], 28, 28 }, probs.shape);
        }
    }
}
