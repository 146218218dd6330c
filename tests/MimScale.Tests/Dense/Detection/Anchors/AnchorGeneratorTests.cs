using MimScale.Dense.Detection.Anchors;
using MimScale.Dense.Detection.Ops;
using static TorchSharp.torch;

namespace MimScale.Tests.Dense.Detection.Anchors;

/// <summary>mmdet's AnchorGenerator, against its numpy re-statement in generate.py.</summary>
public class AnchorGeneratorTests
{
    static readonly (int H, int W)[] FeatSizes = { (7, 9), (4, 5), (2, 3), (1, 2), (1, 1) };

    static Tensor AllLevels(AnchorGenerator gen) =>
        cat(FeatSizes.Select((s, l) => gen.GridAnchors(l, s.H, s.W)).ToList(), 0);

    [Fact]
    public void MaskRcnnAnchorsMatchMmdetInValueAndOrder()
    {
        using var scope = NewDisposeScope();
        OpsFixture.AssertClose(OpsFixture.Load("anchors_maskrcnn.npy"), AllLevels(AnchorGenerator.MaskRcnn));
    }

    [Fact]
    public void OctaveScalesMatchMmdetRetinaNetAnchors()
    {
        using var scope = NewDisposeScope();
        var gen = AnchorGenerator.WithOctaveScales(new[] { 4, 8, 16, 32, 64 }, new[] { 0.5, 1.0, 2.0 }, 4, 3);
        Assert.Equal(9, gen.AnchorsPerCell);
        OpsFixture.AssertClose(OpsFixture.Load("anchors_retina.npy"), AllLevels(gen));
    }

    [Fact]
    public void BaseAnchorsAreRatioMajorAndCentredOnTheOrigin()
    {
        using var scope = NewDisposeScope();
        var b = AnchorGenerator.MaskRcnn.BaseAnchors(0).data<float>().ToArray();   // stride 4, scale 8: 32 px
        // ratio 0.5: w = 32 * sqrt(2), h = 32 / sqrt(2); ratio 1: 32 x 32; ratio 2: w = 32 / sqrt(2), h = 32 * sqrt(2)
        float a = (float)(16 * Math.Sqrt(2)), c = (float)(16 / Math.Sqrt(2));
        float[] expected = { -a, -c, a, c, -16, -16, 16, 16, -c, -a, c, a };
        for (int i = 0; i < 12; i++) Assert.Equal(expected[i], b[i], 4);
        // grid order: cell (y, x) = (0, 1) comes right after the 3 anchors of cell (0, 0), shifted by the stride
        var grid = AnchorGenerator.MaskRcnn.GridAnchors(0, 2, 3);                  // [2*3*3, 4]
        Assert.Equal(new long[] { 18, 4 }, grid.shape);
        Assert.Equal(-16f + 4, grid[4, 0].item<float>());
        Assert.Equal(-16f + 4, grid[3 * 3 + 1, 1].item<float>());                  // cell (1, 0): y shifted by 4
        Assert.Throws<ArgumentOutOfRangeException>(() => AnchorGenerator.MaskRcnn.GridAnchors(5, 1, 1));
    }

    [Fact]
    public void BoxesEncodedAgainstAnchorsDecodeBack()
    {
        using var scope = NewDisposeScope();
        var anchors = AnchorGenerator.MaskRcnn.GridAnchors(1, 4, 5);                 // [60, 4], 45x22 .. 90x90 px
        var gen = new TorchSharp.torch.Generator(7);
        var xy = rand(new long[] { 60, 2 }, generator: gen).mul(40f);
        var boxes = cat(new[] { xy, xy.add(rand(new long[] { 60, 2 }, generator: gen).mul(90f).add(10f)) }, 1); // sides 10..100
        foreach (var coder in new[] { DeltaXywhBoxCoder.Rpn, DeltaXywhBoxCoder.RoiHead })
            OpsFixture.AssertClose(boxes, coder.Decode(anchors, coder.Encode(anchors, boxes)), 1e-4);
    }
}
