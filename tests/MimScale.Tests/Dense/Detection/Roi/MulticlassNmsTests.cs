using MimScale.Dense.Detection.Roi;
using static TorchSharp.torch;

namespace MimScale.Tests.Dense.Detection.Roi;

public class MulticlassNmsTests
{
    [Fact]
    public void EachClassIsSuppressedOnItsOwnAboveTheScoreThreshold()
    {
        using var scope = NewDisposeScope();
        // 3 RoIs x 2 classes. RoIs 0 and 1 overlap (IoU 0.81) in class 0; class 1 boxes are far apart.
        var boxes = tensor(new float[]
        {
            0, 0, 10, 10,   50, 50, 60, 60,
            0, 0, 10, 9,    70, 70, 80, 80,
            20, 20, 30, 30, 90, 90, 99, 99,
        }).view(3, 8);
        var scores = tensor(new float[] { 0.9f, 0.04f, 0.06f, 0.8f, 0.1f, 0.1f, 0.02f, 0.88f, 0.1f }).view(3, 3); // background last
        var det = MulticlassNms.Apply(boxes, scores, 0.05, 0.5, 100);
        // Candidates > 0.05: (0,c0) 0.9, (1,c0) 0.8, (1,c1) 0.1, (2,c1) 0.88; (0,c1) 0.04 and (2,c0) 0.02 drop;
        // (1,c0) is suppressed by (0,c0). Order by score: 0.9, 0.88, 0.1.
        Assert.Equal(new[] { 0.9f, 0.88f, 0.1f }, det.Scores.data<float>().ToArray());
        Assert.Equal(new long[] { 0, 1, 1 }, det.Labels.data<long>().ToArray());
        Assert.Equal(new float[] { 90, 90, 99, 99 }, det.Boxes[1].data<float>().ToArray());
        Assert.Equal(2, MulticlassNms.Apply(boxes, scores, 0.05, 0.5, 2).Scores.shape[0]);
    }
}
