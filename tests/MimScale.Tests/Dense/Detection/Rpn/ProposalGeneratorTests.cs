using MimScale.Dense.Detection.Rpn;
using MimScale.Dense.Detection.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Tests.Dense.Detection.Rpn;

public class ProposalGeneratorTests(DetectionScenes scenes) : IClassFixture<DetectionScenes>
{
    [Fact]
    public void TopKPerLevelThenZeroSizeRemovalThenNmsPerLevelThenTheCap()
    {
        using var scope = NewDisposeScope();
        // Level 0: a0 (logit 2), a1 overlapping a0 with IoU 90/110 = 0.82 (logit 1), a2 (logit 0: third, cut by nms_pre 2).
        // Level 1: a3 = a0's box (logit 3; another level, so not suppressed by a0), a4 of zero width (logit 5, removed).
        var anchors = tensor(new float[] { 0, 0, 10, 10, 1, 0, 11, 10, 30, 30, 40, 40, 0, 0, 10, 10, 0, 0, 0, 5 }).view(5, 4);
        var output = new RpnOutput(tensor(new float[] { 2, 1, 0, 3, 5 }).view(1, 5), zeros(1, 5, 4), new long[] { 3, 2 });
        var p = new ProposalGenerator(NmsPre: 2, MaxPerImage: 10, NmsIou: 0.7).Generate(output, anchors, 0, (50, 50));
        Assert.Equal(new float[] { 0, 0, 10, 10, 0, 0, 10, 10 }, p.Boxes.reshape(-1).data<float>().ToArray());
        Assert.Equal(new[] { 1 / (1 + MathF.Exp(-3)), 1 / (1 + MathF.Exp(-2)) }, p.Scores.data<float>().ToArray());
        Assert.Single(new ProposalGenerator(2, 1, 0.7).Generate(output, anchors, 0, (50, 50)).Scores.data<float>().ToArray());
        // Clipping to the image: in a 6x8 (h x w) image a0 becomes [0, 0, 8, 6].
        var clipped = new ProposalGenerator(2, 10, 0.7).Generate(output, anchors, 0, (6, 8));
        Assert.Equal(new float[] { 0, 0, 8, 6 }, clipped.Boxes[0].data<float>().ToArray());
    }

    [Fact]
    public void ProposalsOfASeededModelAreTheSameEveryTime()
    {
        using var scope = NewDisposeScope();
        var runs = new List<float[]>();
        for (int r = 0; r < 2; r++)
        {
            var (model, _) = DetectionRun.Build(scenes.Tiny, 3, new Generator(5));
            using var _m = model;
            var images = randn(new long[] { 1, 3, 64, 64 }, generator: new Generator(6));
            var feats = model.Features(images);
            var output = model.Rpn(feats);
            var gen = new ProposalGenerator(200, 50, 0.7);
            var a = gen.Generate(output, model.AllAnchors(feats), 0, (64, 64));
            var b = gen.Generate(output, model.AllAnchors(feats), 0, (64, 64));
            Assert.True(a.Boxes.eq(b.Boxes).all().item<bool>());
            Assert.Equal(50, a.Boxes.shape[0]);
            Assert.True(a.Scores[..^1].ge(a.Scores[1..]).all().item<bool>(), "proposals are ordered by score");
            runs.Add(a.Boxes.reshape(-1).data<float>().ToArray());
        }
        Assert.Equal(runs[0], runs[1]);
    }
}
