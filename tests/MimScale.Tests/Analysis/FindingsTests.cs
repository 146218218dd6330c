using MimScale.Analysis;
using static MimScale.Tests.Analysis.AnalysisTestData;

namespace MimScale.Tests.Analysis;

/// <summary>Each finding rule on constructed series: one that holds, one that does not, one without enough data.</summary>
public class FindingsTests
{
    private static Finding Eval(int number, StudyResults study, string? metric = "finetune_top1") =>
        FindingsEvaluator.Evaluate(study, metric)[number - 1];

    [Fact]
    public void Finding1LargeModelOverfitsSmallData()
    {
        // B on small rises +0.10; A on small falls -0.01; B on large falls -0.03.
        RunResult[] baseRuns = [Run("A", "small", 100, 0.52), Run("A", "small", 200, 0.51), Run("B", "large", 100, 0.48), Run("B", "large", 200, 0.45)];
        var holds = Eval(1, AnalysisTestData.Study([.. baseRuns, Run("B", "small", 100, 0.50), Run("B", "small", 200, 0.60)]));
        Assert.Equal(FindingVerdict.Holds, holds.Verdict);
        Assert.Contains(holds.Evidence, e => e == "val-loss rise of the largest model on the smallest data = +0.1000; largest comparison = -0.0100");

        // B on small rises only +0.005 while A on small rises +0.02: the large model does not overfit more.
        var notMore = Eval(1, AnalysisTestData.Study(Run("A", "small", 100, 0.50), Run("A", "small", 200, 0.52), Run("B", "small", 100, 0.50), Run("B", "small", 200, 0.505)));
        Assert.Equal(FindingVerdict.DoesNotHold, notMore.Verdict);
        // B on small rises +0.0005 while the comparisons fall: below the 0.001 threshold, not evidence.
        var tiny = Eval(1, AnalysisTestData.Study([.. baseRuns, Run("B", "small", 100, 0.50), Run("B", "small", 200, 0.5005)]));
        Assert.Equal(FindingVerdict.DoesNotHold, tiny.Verdict);
        Assert.Contains("is > 0.0010 AND", tiny.Rule);
        // B on small falls: no rise at all.
        var falls = Eval(1, AnalysisTestData.Study([.. baseRuns, Run("B", "small", 100, 0.50), Run("B", "small", 200, 0.49)]));
        Assert.Equal(FindingVerdict.DoesNotHold, falls.Verdict);

        // One model on one data size: nothing to compare with. One length everywhere: no change at all.
        Assert.Equal(FindingVerdict.NotEnoughData, Eval(1, AnalysisTestData.Study(Run("B", "small", 100, 0.5), Run("B", "small", 200, 0.6))).Verdict);
        Assert.Equal(FindingVerdict.NotEnoughData, Eval(1, AnalysisTestData.Study(Run("A", "small", 100, 0.5), Run("B", "small", 100, 0.6))).Verdict);
    }

    [Fact]
    public void Finding2MoreDataHelpsOnlyWhenTrainedLong()
    {
        // Gains small -> large: A +0.2 @100, +0.3 @200; B +0.1 @100 and +1.0 (holds) or +0.05 (does not) @200.
        RunResult[] a = [Run("A", "small", 100, 0.5, 80.0), Run("A", "large", 100, 0.5, 80.2), Run("A", "small", 200, 0.5, 81.0), Run("A", "large", 200, 0.5, 81.3)];
        RunResult[] b100 = [Run("B", "small", 100, 0.5, 82.0), Run("B", "large", 100, 0.5, 82.1)];
        var holds = Eval(2, AnalysisTestData.Study([.. a, .. b100, Run("B", "small", 200, 0.5, 82.5), Run("B", "large", 200, 0.5, 83.5)]));
        Assert.Equal(FindingVerdict.Holds, holds.Verdict);
        Assert.Contains("[larger] B: gain in finetune_top1 small -> large is +0.10 @100 and +1.00 @200 (increase +0.90)", holds.Evidence);
        Assert.Contains("A: gain in finetune_top1 small -> large is +0.20 @100 and +0.30 @200 (increase +0.10)", holds.Evidence);

        var fails = Eval(2, AnalysisTestData.Study([.. a, .. b100, Run("B", "small", 200, 0.5, 82.5), Run("B", "large", 200, 0.5, 82.55)]));
        Assert.Equal(FindingVerdict.DoesNotHold, fails.Verdict);
        // An increase of +0.35 points is below the noise threshold (0.5 points): not evidence.
        var noise = Eval(2, AnalysisTestData.Study([.. a, .. b100, Run("B", "small", 200, 0.5, 82.5), Run("B", "large", 200, 0.5, 82.95)]));
        Assert.Equal(FindingVerdict.DoesNotHold, noise.Verdict);
        Assert.Contains("> 0.5000 for every larger model", noise.Rule);

        // Without a metric, the val-loss drop is used: B drops 0.01 @100 and 0.05 @200.
        var byLoss = Eval(2, AnalysisTestData.Study(Run("B", "small", 100, 0.50), Run("B", "large", 100, 0.49), Run("B", "small", 200, 0.52), Run("B", "large", 200, 0.47)), metric: null);
        Assert.Equal(FindingVerdict.Holds, byLoss.Verdict);
        Assert.Contains("[larger] B: drop in final val loss small -> large is +0.0100 @100 and +0.0500 @200 (increase +0.0400)", byLoss.Evidence);

        // A single data size: no gain can be measured.
        Assert.Equal(FindingVerdict.NotEnoughData, Eval(2, AnalysisTestData.Study(Run("B", "small", 100, 0.5, 80.0), Run("B", "small", 200, 0.5, 81.0))).Verdict);
    }

    [Fact]
    public void Finding3ValLossPredictsTheMetric()
    {
        // val = [0.1 .. 0.5], metric = 10 - [2,4,5,4,5] -> r = -0.7745966692 (the Pearson example negated).
        double[] val = [0.1, 0.2, 0.3, 0.4, 0.5], y = [2, 4, 5, 4, 5];
        var negative = AnalysisTestData.Study(val.Select((v, i) => Run("A", "small", 100 * (i + 1), v, 10 - y[i])).ToArray());
        var holds = Eval(3, negative);
        Assert.Equal(FindingVerdict.Holds, holds.Verdict);
        Assert.StartsWith("all runs: r = -0.7746 (n = 5, p = 0.124", holds.Evidence[0]);

        var positive = AnalysisTestData.Study(val.Select((v, i) => Run("A", "small", 100 * (i + 1), v, 10 + y[i])).ToArray());
        Assert.Equal(FindingVerdict.DoesNotHold, Eval(3, positive).Verdict);

        Assert.Equal(FindingVerdict.NotEnoughData, Eval(3, AnalysisTestData.Study(val.Select((v, i) => Run("A", "small", 100 * (i + 1), v)).ToArray())).Verdict);
        Assert.Equal(FindingVerdict.NotEnoughData, Eval(3, AnalysisTestData.Study(negative.Runs.Take(3).ToArray())).Verdict); // n = 3 < 4
    }
}
