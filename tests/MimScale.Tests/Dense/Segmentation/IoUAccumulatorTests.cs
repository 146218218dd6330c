using MimScale.Dense.Segmentation;

namespace MimScale.Tests.Dense.Segmentation;

/// <summary>mIoU, aAcc and mAcc as mmseg's IoUMetric computes them, on maps small enough to count by hand.</summary>
public class IoUAccumulatorTests
{
    static LabelMap Map(int w, params ushort[] v) => new(w, v.Length / w, v);

    // label  0 0   1      pred  0 1 1
    //        1 255 2            1 2 0     -> the 255 pixel (and the prediction 2 on it) is dropped.
    // kept pairs (l,p): (0,0) (0,1) (1,1) (1,1) (2,0): I = [1,2,0], pred = [2,3,0], label = [2,2,1], U = [3,3,1]
    static readonly LabelMap Label = Map(3, 0, 0, 1, 1, 255, 2);
    static readonly LabelMap Pred = Map(3, 0, 1, 1, 1, 2, 0);

    [Fact]
    public void HandCountedMapGivesItsIoUAccAndMeans()
    {
        var acc = new IoUAccumulator(3);
        acc.Add(Pred, Label);
        var m = acc.Compute();
        Assert.Equal(new long[] { 1, 2, 0 }, m.AreaIntersect);
        Assert.Equal(new long[] { 3, 3, 1 }, m.AreaUnion);
        Assert.Equal(new long[] { 2, 3, 0 }, m.AreaPredLabel);
        Assert.Equal(new long[] { 2, 2, 1 }, m.AreaLabel);
        Assert.Equal(new double?[] { 100.0 / 3, 200.0 / 3, 0 }, m.IoU);
        Assert.Equal(new double?[] { 50, 100, 0 }, m.Acc);
        Assert.Equal(100.0 / 3, m.MIoU!.Value, 12);
        Assert.Equal(50, m.MAcc!.Value, 12);
        Assert.Equal(60, m.AAcc!.Value, 12); // 3 of 5 kept pixels
    }

    [Fact]
    public void AbsentClassesAreNullAndSkipped_ButAPredictedAbsentClassCountsZero()
    {
        var acc = new IoUAccumulator(5);
        acc.Add(Pred, Label);
        var m = acc.Compute();
        Assert.Equal(new double?[] { 100.0 / 3, 200.0 / 3, 0, null, null }, m.IoU);
        Assert.Equal(100.0 / 3, m.MIoU!.Value, 12);

        // Predicting class 3 on one kept pixel (label 0): class 3 has union 1, IoU 0 (in the mean), no label (Acc null).
        var acc2 = new IoUAccumulator(5);
        acc2.Add(Map(3, 3, 1, 1, 1, 2, 0), Label);
        var m2 = acc2.Compute();
        Assert.Equal(new double?[] { 0, 200.0 / 3, 0, 0, null }, m2.IoU);
        Assert.Equal(new double?[] { 0, 100, 0, null, null }, m2.Acc);
        Assert.Equal(200.0 / 3 / 4, m2.MIoU!.Value, 12);
        Assert.Equal(100.0 / 3, m2.MAcc!.Value, 12);
        Assert.Equal(40, m2.AAcc!.Value, 12);
    }

    [Fact]
    public void HistogramsAreSummedOverTheSetNotAveragedPerImage()
    {
        // Image A: 1 pixel of class 0, predicted right. Image B: 3 pixels of class 0, all predicted 1.
        var acc = new IoUAccumulator(2);
        acc.Add(Map(1, 0), Map(1, 0));
        acc.Add(Map(3, 1, 1, 1), Map(3, 0, 0, 0));
        var m = acc.Compute();
        Assert.Equal(2, m.Images);
        Assert.Equal(new double?[] { 25, 0 }, m.IoU);   // I 1 / U 4 (per-image IoU would average 100 and 0)
        Assert.Equal(new double?[] { 25, null }, m.Acc);
        Assert.Equal(12.5, m.MIoU!.Value, 12);
        Assert.Equal(25, m.AAcc!.Value, 12);
    }

    [Fact]
    public void ReduceZeroLabelIgnoresZeroAndShiftsTheRest()
    {
        var raw = Map(3, 0, 1, 2, 3, 255, 1);
        Assert.Equal(new ushort[] { 255, 0, 1, 2, 255, 0 }, raw.ReduceZeroLabel().Values);
        var acc = new IoUAccumulator(3);
        acc.Add(Map(3, 2, 0, 0, 2, 1, 1), raw.ReduceZeroLabel());
        var m = acc.Compute(); // kept (l,p): (0,0) (1,0) (2,2) (0,1): I = [1,0,1], pred = [2,1,1], label = [2,1,1]
        Assert.Equal(new double?[] { 100.0 / 3, 0, 100 }, m.IoU);
        Assert.Equal(50, m.AAcc!.Value, 12);
    }

    [Fact]
    public void OutOfRangeIdsAndSizeMismatchesAreErrors()
    {
        var acc = new IoUAccumulator(3);
        Assert.Contains("prediction has class id 3 at (x=1, y=0)", Assert.Throws<ArgumentException>(() => acc.Add(Map(3, 0, 3, 0, 0, 0, 0), Label)).Message);
        Assert.Contains("label has class id 7", Assert.Throws<ArgumentException>(() => acc.Add(Pred, Map(3, 0, 0, 7, 0, 0, 0))).Message);
        Assert.Contains("prediction is 2x3 but its label is 3x2", Assert.Throws<ArgumentException>(() => acc.Add(Map(2, 0, 0, 0, 0, 0, 0), Label)).Message);
        Assert.Equal(0, acc.Images);
        Assert.Null(acc.Compute().MIoU);
    }
}
