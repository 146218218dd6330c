using MimScale.Dense.Detection.Ops;
using static TorchSharp.torch;

namespace MimScale.Tests.Dense.Detection.Ops;

/// <summary>NMS, batched NMS and the sort orders behind them, against torchvision 0.14.1 (exact indices).</summary>
public class NmsTests
{
    [Theory]
    [InlineData("n40", 0.3, 14, true)]
    [InlineData("n300", 0.5, 214, true)]
    [InlineData("n2000", 0.7, 1653, true)]
    [InlineData("n40", 0.3, 14, false)]    // the IoU-matrix path of other devices
    [InlineData("n300", 0.5, 214, false)]
    [InlineData("n2000", 0.7, 1653, false)]
    public void KeptIndicesEqualTorchvisionWithTiedScoresAndDuplicateBoxes(string name, double iou, int kept, bool hostLoop)
    {
        using var scope = NewDisposeScope();
        var keep = Nms.Apply(OpsFixture.Load($"nms_{name}_boxes.npy"), OpsFixture.Load($"nms_{name}_scores.npy"), iou, hostLoop);
        var expected = OpsFixture.Longs(OpsFixture.Load($"nms_{name}_keep.npy"));
        Assert.Equal(kept, expected.Length);
        Assert.Equal(expected, OpsFixture.Longs(keep));
        Assert.Equal(ScalarType.Int64, keep.dtype);
    }

    [Theory]
    [InlineData("b500", 436, true)]   // 2000 coordinates: the offset trick
    [InlineData("b1500", 1062, true)] // 6000 coordinates: per category, then the unstable score sort
    [InlineData("b500", 436, false)]
    [InlineData("b1500", 1062, false)]
    public void BatchedKeptIndicesEqualTorchvisionOnBothOfItsPaths(string name, int kept, bool hostLoop)
    {
        using var scope = NewDisposeScope();
        var keep = BatchedNms.Apply(OpsFixture.Load($"bnms_{name}_boxes.npy"), OpsFixture.Load($"bnms_{name}_scores.npy"),
            OpsFixture.Load($"bnms_{name}_cats.npy"), 0.5, hostLoop);
        var expected = OpsFixture.Longs(OpsFixture.Load($"bnms_{name}_keep.npy"));
        Assert.Equal(kept, expected.Length);
        Assert.Equal(expected, OpsFixture.Longs(keep));
    }

    [Fact]
    public void UnstableSortReproducesTorchTieOrderAndStableSortDoesNot()
    {
        using var scope = NewDisposeScope();
        var scores = OpsFixture.Load("sort_scores.npy").to_type(ScalarType.Float64).data<double>().ToArray(); // 5000, 7 values
        var expected = OpsFixture.Longs(OpsFixture.Load("sort_order.npy"));
        Assert.Equal(expected, TorchCpuSort.Descending(scores).Select(i => (long)i).ToArray());
        Assert.NotEqual(expected, TorchCpuSort.StableDescending(scores).Select(i => (long)i).ToArray());
    }

    [Fact]
    public void SortsPutNaNFirstAndKeepSmallInputsOrdered()
    {
        double[] keys = { 0.5, double.NaN, 2, 0.5, -1 };
        Assert.Equal(new[] { 1, 2, 0, 3, 4 }, TorchCpuSort.StableDescending(keys));
        Assert.Equal(new[] { 1, 2, 0, 3, 4 }, TorchCpuSort.Descending(keys)); // below 16 items: insertion sort, stable
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void OverlapEqualToTheThresholdIsKept(bool hostLoop)
    {
        using var scope = NewDisposeScope();
        // [0,0,3,1] vs [1,0,4,1]: intersection 2, union 4 → IoU 0.5 exactly
        var boxes = tensor(new float[] { 0, 0, 3, 1, 1, 0, 4, 1 }).view(2, 4);
        var scores = tensor(new float[] { 0.9f, 0.8f });
        Assert.Equal(new long[] { 0, 1 }, OpsFixture.Longs(Nms.Apply(boxes, scores, 0.5, hostLoop)));   // IoU > 0.5 suppresses
        Assert.Equal(new long[] { 0 }, OpsFixture.Longs(Nms.Apply(boxes, scores, 0.4999, hostLoop)));
        Assert.Empty(OpsFixture.Longs(Nms.Apply(zeros(0, 4), zeros(0), 0.5, hostLoop)));
        // IoU 1/10 in float is 0.1f = 0.10000000149 > 0.1: the kernel compares the float IoU with the double threshold
        var tenth = tensor(new float[] { 0, 0, 1, 1, 0, 0, 10, 1 }).view(2, 4);
        Assert.Equal(new long[] { 0 }, OpsFixture.Longs(Nms.Apply(tenth, scores, 0.1, hostLoop)));
        Assert.Throws<ArgumentException>(() => Nms.Apply(boxes, zeros(3), 0.5));
    }
}
