using MimScale.Dense.Detection.Ops;
using static TorchSharp.torch;

namespace MimScale.Tests.Dense.Detection.Ops;

public class BoxIouTests
{
    [Fact]
    public void PairwiseIouMatchesTorchvisionIncludingIdenticalAndTouchingBoxes()
    {
        using var scope = NewDisposeScope();
        var a = OpsFixture.Load("iou_a.npy");                     // [30, 4]
        var b = OpsFixture.Load("iou_b.npy");                     // [20, 4]; b[0] = a[0], b[1] touches a[1]
        var iou = BoxIou.Pairwise(a, b);
        OpsFixture.AssertClose(OpsFixture.Load("iou.npy"), iou, 1e-6);
        Assert.Equal(1f, iou[0, 0].item<float>());
        Assert.Equal(0f, iou[1, 1].item<float>());
    }

    [Fact]
    public void HandComputedIouAndArea()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 0, 0, 4, 2 }).view(1, 4);  // area 8
        var b = tensor(new float[] { 2, 1, 6, 5 }).view(1, 4);  // area 16, intersection 2x1
        Assert.Equal(8f, BoxIou.Area(a).item<float>());
        Assert.Equal(2f / 22f, BoxIou.Pairwise(a, b).item<float>(), 7);
        Assert.Throws<ArgumentException>(() => BoxIou.Pairwise(zeros(2, 3), b));
    }
}
