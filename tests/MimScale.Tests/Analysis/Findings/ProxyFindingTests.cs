using MimScale.Analysis.Findings;
using MimScale.Analysis.Results;
using MimScale.Tests.Analysis;
using static MimScale.Tests.Analysis.AnalysisTestData;

namespace MimScale.Tests.Analysis.Findings;

/// <summary>Finding 3 on hand-made tables. Each sub-claim: holds, does not hold, not enough data.</summary>
public class ProxyFindingTests
{
    private static Finding Eval(params RunResult[] runs) => FindingsEvaluator.Evaluate(AnalysisTestData.Study(runs), "finetune_top1").Proxy;

    // val = [0.1 .. 0.5], metric = 10 - [2,4,5,4,5] -> r = -0.7745966692 (the Pearson example negated).
    private static readonly double[] Val = [0.1, 0.2, 0.3, 0.4, 0.5], Y = [2, 4, 5, 4, 5];

    [Fact]
    public void AValLossCorrelatesStronglyAndNegativelyOverallAndPerModel()
    {
        var holds = Eval(Val.Select((v, i) => Run("A", "small", 100 * (i + 1), v, 10 - Y[i])).ToArray());
        Assert.Equal(FindingVerdict.Holds, holds.Sub("a").Verdict);
        Assert.Equal("all runs r = -0.7746 (n = 5); 1 of 1 models with n >= 4 have r <= -0.50", holds.Sub("a").Numbers);
        Assert.StartsWith("A: r = -0.7746 (n = 5), p = 0.124", holds.Sub("a").Evidence[0]);

        var positive = Eval(Val.Select((v, i) => Run("A", "small", 100 * (i + 1), v, 10 + Y[i])).ToArray());
        Assert.Equal(FindingVerdict.DoesNotHold, positive.Sub("a").Verdict);

        // Overall r = -0.7746 over 5 runs, but no model has 4 runs: "for most model sizes" cannot be judged.
        var split = Eval(Val.Select((v, i) => Run(i < 3 ? "A" : "B", "small", 100 * (i + 1), v, 10 - Y[i])).ToArray());
        Assert.Equal(FindingVerdict.NotEnoughData, split.Sub("a").Verdict);
        Assert.EndsWith("0 of 0 models with n >= 4 have r <= -0.50 (no model has enough runs)", split.Sub("a").Numbers);

        Assert.Equal(FindingVerdict.NotEnoughData, Eval(Val.Take(3).Select((v, i) => Run("A", "small", 100 * (i + 1), v, 10 - Y[i])).ToArray()).Sub("a").Verdict);
        var noMetric = FindingsEvaluator.Evaluate(AnalysisTestData.Study(Val.Select((v, i) => Run("A", "small", 100 * (i + 1), v)).ToArray()), "finetune_top1").Proxy;
        Assert.All(noMetric.SubClaims, s => Assert.Equal(FindingVerdict.NotEnoughData, s.Verdict));
    }

    [Fact]
    public void BValLossBeatsTrainLossForEveryMetric()
    {
        // train = val + [0, .1, -.1, .05, 0]: it ranks the runs differently from the val loss, so it correlates less with the metric.
        double[] train = [0.1, 0.3, 0.2, 0.45, 0.5];
        RunResult R(int i, double knn) => Run("A", "small", 100 * (i + 1), Val[i], 10 - Y[i], train[i]) with
        {
            Metrics = new Dictionary<string, double> { ["finetune_top1"] = 10 - Y[i], ["knn"] = knn },
        };
        // knn = -train exactly: the train loss predicts knn perfectly (|r| = 1), so (b) does not hold for knn.
        var f = Eval(Enumerable.Range(0, 5).Select(i => R(i, -train[i])).ToArray());
        Assert.Equal(FindingVerdict.DoesNotHold, f.Sub("b").Verdict);
        // Pearson by hand (python3, statistics only): r(train, top-1) = -0.6099, r(val, -train) = -0.8977.
        Assert.Equal("finetune_top1: |r(val)| 0.7746 > |r(train)| 0.6099 (n = 5); knn: |r(val)| 0.8977 <= |r(train)| 1.0000 (n = 5)", f.Sub("b").Numbers);

        // knn = -val: now the val loss wins for both metrics.
        var g = Eval(Enumerable.Range(0, 5).Select(i => R(i, -Val[i])).ToArray());
        Assert.Equal(FindingVerdict.Holds, g.Sub("b").Verdict);

        // No training loss anywhere (the model-hub case).
        var none = Eval(Val.Select((v, i) => Run("A", "small", 100 * (i + 1), v, 10 - Y[i])).ToArray());
        Assert.Equal((FindingVerdict.NotEnoughData, "no run records a final training loss"), (none.Sub("b").Verdict, none.Sub("b").Numbers));
        Assert.Equal(FindingVerdict.NotEnoughData, none.Verdict); // (a) holds, (c) cannot be judged, (b) lacks data
    }

    [Fact]
    public void BCoversTheDenseMetricsAndFailsOnTheOneWhereTrainLossWins()
    {
        // Tables/CorrelationTableTests' study: mIoU follows the val loss exactly, box AP the train loss, mask AP has one run.
        var f = FindingsEvaluator.Evaluate(Tables.CorrelationTableTests.DenseStudy(), "segmentation_miou").Proxy.Sub("b");
        Assert.Equal(FindingVerdict.DoesNotHold, f.Verdict);
        Assert.Equal("finetune_top1: |r(val)| 0.7746 > |r(train)| 0.6099 (n = 5); segmentation_miou: |r(val)| 1.0000 > |r(train)| 0.8977 (n = 5); " +
                     "detection_box_ap: |r(val)| 0.8977 <= |r(train)| 1.0000 (n = 5); detection_mask_ap: n = 1, not enough", f.Numbers);

        // Box AP = 50 - 10 val: the val loss wins for every metric with enough runs, but mask AP still lacks data.
        var study = Tables.CorrelationTableTests.DenseStudy();
        study = study with
        {
            Runs = study.Runs.Select((r, i) => r with
            {
                Metrics = r.Metrics.ToDictionary(kv => kv.Key, kv => kv.Key == "detection_box_ap" ? 50 - 10 * Val[i] : kv.Value),
            }).ToList()
        };
        Assert.Equal(FindingVerdict.NotEnoughData, FindingsEvaluator.Evaluate(study, "segmentation_miou").Proxy.Sub("b").Verdict);
        var withoutMask = study with { Runs = study.Runs.Select(r => r with { Metrics = r.Metrics.Where(kv => kv.Key != "detection_mask_ap").ToDictionary() }).ToList() };
        Assert.Equal(FindingVerdict.Holds, FindingsEvaluator.Evaluate(withoutMask, "segmentation_miou").Proxy.Sub("b").Verdict);

        // Every cell at the same mIoU (a budget too short to leave the all-background prediction): r is undefined, not "few runs".
        var constant = withoutMask with
        {
            Runs = withoutMask.Runs.Select(r => r with
            {
                Metrics = r.Metrics.ToDictionary(kv => kv.Key, kv => kv.Key == "segmentation_miou" ? 7.0871 : kv.Value),
            }).ToList()
        };
        var c = FindingsEvaluator.Evaluate(constant, "finetune_top1").Proxy.Sub("b");
        Assert.Equal(FindingVerdict.NotEnoughData, c.Verdict);
        Assert.Contains("segmentation_miou: n = 5, r undefined (constant over the runs)", c.Numbers);
    }

    // Non-overfitting runs of A (val falls with length on every data size) lie near metric = 100 - 100 val.
    private static readonly RunResult[] Fitted =
    [
        Run("A", "small", 100, 0.60, 40.0), Run("A", "small", 200, 0.55, 45.3),
        Run("A", "mid", 100, 0.50, 49.8), Run("A", "mid", 200, 0.45, 55.1),
        Run("A", "large", 100, 0.40, 60.2), Run("A", "large", 200, 0.35, 64.9),
    ];

    [Fact]
    public void COverfittingRunsFallOffTheNonOverfittingFit()
    {
        // B on small: 0.50 @100, then 0.60 @200 (20% above: overfitting) with top-1 55.0 where the fit predicts ~40.
        var f = Eval([.. Fitted, Run("B", "small", 100, 0.50, 50.0), Run("B", "small", 200, 0.60, 55.0)]);
        var c = f.Sub("c");
        Assert.Equal(FindingVerdict.Holds, c.Verdict);
        // Non-overfitting: the 6 runs of A and B's first length, 7 points; one overfitting run.
        Assert.StartsWith("non-overfitting r = -0.99", c.Numbers);
        Assert.Contains("(n = 7)", c.Numbers);
        Assert.Contains("1 of 1 overfitting runs off by > 2 sd", c.Numbers);
        Assert.Contains(c.Evidence, e => e.StartsWith("B / small / 200 / seed 0: val 0.6000, finetune_top1 55.00", StringComparison.Ordinal) && e.EndsWith("falls off", StringComparison.Ordinal));
        var phase = FindingsEvaluator.Evaluate(AnalysisTestData.Study([.. Fitted, Run("B", "small", 100, 0.50, 50.0), Run("B", "small", 200, 0.60, 55.0)]), "finetune_top1").Phase!;
        var fit = phase.NonOverfitting.Fit!;
        Assert.Equal(55.0 - fit.Predict(0.60), phase.Overfitting.Single().Residual, 12);

        // The overfitting run lies on the line (residual ~0): it does not fall off.
        var onLine = Eval([.. Fitted, Run("B", "small", 100, 0.50, 50.0), Run("B", "small", 200, 0.60, 40.1)]).Sub("c");
        Assert.Equal(FindingVerdict.DoesNotHold, onLine.Verdict);

        // Nothing overfits: nothing can fall off.
        var none = Eval([.. Fitted, Run("B", "small", 100, 0.50, 50.0), Run("B", "small", 200, 0.45, 55.0)]).Sub("c");
        Assert.Equal(FindingVerdict.NotEnoughData, none.Verdict);
        Assert.EndsWith("no overfitting run to compare", none.Numbers);

        // A single non-overfitting run (single-length pairs are Unknown to the overfitting rule): no fit to fall off.
        var few = Eval(Run("A", "small", 100, 0.60, 40.0), Run("A", "mid", 100, 0.50, 49.8), Run("A", "large", 100, 0.40, 60.2),
            Run("A", "large", 200, 0.50, 55.0)).Sub("c");
        Assert.Equal(FindingVerdict.NotEnoughData, few.Verdict);
    }

    [Fact]
    public void TheEvidenceSaysWhetherTheMetricFollowsTheValLossAlongTheDataAxisOrOnlyTheLength()
    {
        // The metric rises with the length (+5 from 100 to 800) and is 1 point lower on the large data, whose val loss is
        // lower: centred per (model, length), val (+.05, -.05) meets metric (+.5, -.5) twice -> r = +1; centred per
        // (model, data), ln(iterations) (-/+ ln 8 / 2) meets metric (-2.5, +2.5) twice -> r = +1.
        var f = Eval(Run("A", "small", 100, 0.50, 61), Run("A", "large", 100, 0.40, 60), Run("A", "small", 800, 0.45, 66), Run("A", "large", 800, 0.35, 65));
        Assert.Equal("What finetune_top1 moves with (evidence, not a rule; values centred within each group): along the data axis (one model, length " +
                     "and seed; 2 groups) r(val loss, finetune_top1) = 1.0000 (n = 4); along the lengths (one model, data size and seed; 2 groups) " +
                     "r(ln iterations, finetune_top1) = 1.0000 (n = 4)", f.Evidence[0]);
        Assert.StartsWith("finetune_top1 rises with the pre-training length but does not follow the val loss along the data axis", f.Evidence[1]);

        // The released runs: the metric follows the val loss along the data axis, so no such warning (pooled r by hand with
        // python3's csv and math over data/modelhub-simmim-swinv2.csv: -0.966923 over 15 (model, length) groups, +0.767522
        // over 21 (model, data) groups).
        var hub = FindingsEvaluator.Evaluate(Modelhub(), "finetune_top1").Proxy;
        Assert.Equal("What finetune_top1 moves with (evidence, not a rule; values centred within each group): along the data axis (one model, length " +
                     "and seed; 15 groups) r(val loss, finetune_top1) = -0.9669 (n = 63); along the lengths (one model, data size and seed; 21 groups) " +
                     "r(ln iterations, finetune_top1) = 0.7675 (n = 63)", Assert.Single(hub.Evidence));
    }
}
