using MimScale.Training.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Tests.Training.Evaluation;

public class MetricsTests
{
    // 4 samples x 6 classes. With labels (0, 1, 5, 3) the true label ranks 1st, 2nd, 6th and 6th.
    static Tensor Logits() => torch.tensor(new float[]
    {
        9, 1, 2, 3, 4, 5,     // label 0: rank 1
        1, 8, 9, 2, 3, 4,     // label 1: rank 2
        6, 5, 4, 3, 2, 1,     // label 5: rank 6
        0.5f, 0.4f, 0.3f, 0.2f, 0.9f, 0.8f,   // label 3: rank 6; label 0: rank 3
    }).reshape(4, 6);

    [Fact]
    public void TopKCountsOnAHandMadeLogitsTensor()
    {
        // Sample 3's label 3 has logit 0.2, the smallest of its row: rank 6. Only sample 0 is top-1; top-2 adds sample 1.
        var labels = torch.tensor(new long[] { 0, 1, 5, 3 });
        Assert.Equal(1, ClassificationMetrics.TopKCorrect(Logits(), labels, 1));
        Assert.Equal(2, ClassificationMetrics.TopKCorrect(Logits(), labels, 2));
        Assert.Equal(2, ClassificationMetrics.TopKCorrect(Logits(), labels, 5));
        Assert.Equal(4, ClassificationMetrics.TopKCorrect(Logits(), labels, 6));
        Assert.Equal(4, ClassificationMetrics.TopKCorrect(Logits(), labels, 50));    // k capped at the class count
        var labels2 = torch.tensor(new long[] { 0, 1, 5, 0 });   // sample 3's label 0 (0.5) is third: top-5 now
        Assert.Equal(3, ClassificationMetrics.TopKCorrect(Logits(), labels2, 5));
    }

    [Fact]
    public void Top1Top5MeanPerClassAndLoss()
    {
        var m = new ClassificationMetrics(6);
        m.Add(Logits(), torch.tensor(new long[] { 0, 1, 5, 0 }));
        m.Add(torch.tensor(new float[] { 0, 0, 0, 0, 0, 1 }).reshape(1, 6), torch.tensor(new long[] { 5 }));
        var r = m.Result();
        Assert.Equal(5, r.Count);
        Assert.Equal(2.0 / 5, r.Top1, 12);            // samples 0 and the extra one
        Assert.Equal(4.0 / 5, r.Top5, 12);            // sample 2 (label 5 ranked last) misses
        // Classes present: 0 (1 of 2 right), 1 (0 of 1), 5 (1 of 2): mean (0.5 + 0 + 0.5) / 3.
        Assert.Equal(1.0 / 3, r.MeanPerClass, 12);
        // Mean cross-entropy by hand: per row log(sum_k e^z_k) - z_label, computed in double without torch:
        // 0.028373 (row 0), 1.320882, 5.456193, 1.841513, and log(5 + e) - 1 = 1.043592 for the extra row.
        double[][] rows = [[9, 1, 2, 3, 4, 5], [1, 8, 9, 2, 3, 4], [6, 5, 4, 3, 2, 1], [0.5, 0.4, 0.3, 0.2, 0.9, 0.8], [0, 0, 0, 0, 0, 1]];
        int[] labels = [0, 1, 5, 0, 5];
        double byHand = rows.Select((z, i) => Math.Log(z.Sum(Math.Exp)) - z[labels[i]]).Average();
        Assert.Equal(1.9381106940218054, byHand, 1e-12);
        Assert.Equal(byHand, r.Loss, 1e-6);   // float32 logits: ~1e-7 relative
    }
}
