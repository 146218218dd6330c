using MimScale.Training.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Tests.Training.Evaluation;

public class ProbeTests
{
    // Bank: (1, 0) class 0, (0, 1) class 1, (0.1, 1) class 1. Query (1, 0.8).
    // Cosines: 1/sqrt(1.64) = 0.7808688, 0.8/sqrt(1.64) = 0.6246950, 0.9/(sqrt(1.64) sqrt(1.01)) = 0.6993004.
    static readonly Tensor Bank = torch.tensor(new float[] { 1, 0, 0, 1, 0.1f, 1 }).reshape(3, 2);
    static readonly long[] BankLabels = { 0, 1, 1 };
    static readonly Tensor Query = torch.tensor(new float[] { 1, 0.8f }).reshape(1, 2);

    [Fact]
    public void WeightedKnnVotesExpCosineOverTemperature()
    {
        var s = KnnEval.Scores(Bank, BankLabels, Query, 2, new KnnOptions { K = 3, Temperature = 0.07 });
        double c0 = 1 / Math.Sqrt(1.64), c1 = 0.8 / Math.Sqrt(1.64), c2 = 0.9 / (Math.Sqrt(1.64) * Math.Sqrt(1.01));
        Assert.Equal(Math.Exp(c0 / 0.07), s[0, 0].item<float>(), 0);            // 69,941: one close neighbour
        Assert.Equal(Math.Exp(c1 / 0.07) + Math.Exp(c2 / 0.07), s[0, 1].item<float>(), 0);   // 7,479 + 21,899
        Assert.Equal(0, s.argmax(1).item<long>());                               // the weighted vote picks class 0
        // Plain majority: two class-1 neighbours outvote one class-0 neighbour.
        var m = KnnEval.Scores(Bank, BankLabels, Query, 2, new KnnOptions { K = 3, Weighted = false });
        Assert.Equal(new[] { 1f, 2f }, m.data<float>().ToArray());
        // k = 1: the nearest alone.
        Assert.Equal(new[] { 1f, 0f }, KnnEval.Scores(Bank, BankLabels, Query, 2, new KnnOptions { K = 1, Weighted = false }).data<float>().ToArray());
    }

    [Fact]
    public void KnnAccuracyOnATinyFeatureSet()
    {
        // Queries: (1, 0.8) -> class 0 (weighted), (0, 2) -> class 1 (cos 1 with (0, 1)), (2, 0.1) -> class 0 (cos 0.9988 with (1, 0)).
        using var train = new FeatureSet(Bank.clone(), BankLabels, 2);
        using var val = new FeatureSet(torch.tensor(new float[] { 1, 0.8f, 0, 2, 2, 0.1f }).reshape(3, 2), new long[] { 0, 1, 1 }, 2);
        var r = KnnEval.Evaluate(train, val, new KnnOptions { K = 3 });
        Assert.Equal(2.0 / 3, r.Accuracy.Top1, 12);       // the third query (2, 0.1) lies near class 0 and is wrong
        Assert.Equal(0.75, r.Accuracy.MeanPerClass, 12);  // class 0: 1/1, class 1: 1/2
        Assert.Equal(3, r.BankSize);
        Assert.True(double.IsNaN(r.Accuracy.Loss));
    }

    [Fact]
    public void LinearProbeSeparatesASeparableSetAndIsDeterministic()
    {
        // Class = which of 3 directions a point is near, with noise; the probe must classify held-out points.
        var gen = new Generator(7);
        (FeatureSet, long[]) Make(int n)
        {
            var labels = torch.randint(0, 3, new long[] { n }, generator: gen);
            var centres = torch.tensor(new float[] { 3, 0, 0, 0, 0, 3, 0, 0, 0, 0, 3, 0 }).reshape(3, 4);
            var x = centres.index_select(0, labels) + 0.5 * torch.randn(new long[] { n, 4 }, generator: gen);
            var y = labels.data<long>().ToArray();
            return (new FeatureSet(x, y, 3), y);
        }
        var (train, _) = Make(300);
        var (val, _) = Make(100);
        var o = new LinearProbeOptions { Steps = 200, Lr = 0.05 };
        var a = LinearProbe.Evaluate(train, val, o);
        var b = LinearProbe.Evaluate(train, val, o);
        Assert.Equal(1.0, a.Val.Top1, 12);
        Assert.Equal(1.0, a.TrainTop1, 12);
        Assert.InRange(a.TrainLoss, 0, 0.1);
        Assert.Equal(a.TrainLoss, b.TrainLoss);            // full batch: the same number every time
        // Labels that carry no information: the probe cannot beat chance by much on held-out data.
        var shuffled = new FeatureSet(train.Features.clone(), train.Labels.Select((_, i) => (long)(i % 3)).ToArray(), 3);
        var noise = LinearProbe.Evaluate(shuffled, val, o);
        Assert.InRange(noise.Val.Top1, 0.1, 0.6);
    }
}
