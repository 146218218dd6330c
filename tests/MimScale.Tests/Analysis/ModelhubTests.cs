
using MimScale.Analysis.Findings;
using MimScale.Analysis.Grid;
using MimScale.Analysis.Overfitting;
using MimScale.Analysis.Report;
using MimScale.Analysis.Results;
using MimScale.Analysis.Statistics;
using MimScale.Analysis.Tables;

namespace MimScale.Tests.Analysis;

/// <summary>
/// The paper's 63 released runs. Expected correlations were computed independently, once, with the Python standard
/// library only:
/// python3 -c "import csv,math; rows=list(csv.DictReader(open('data/modelhub-simmim-swinv2.csv'))); ..." (Pearson as
/// Sxy/sqrt(Sxx Syy), Spearman as Pearson of average ranks, OLS b = Sxy/Sxx, a = my - b mx, R2 = 1 - SSres/SStot,
/// overfitting as val > 1.01 x min(val of shorter lengths) within (model, data)).
/// </summary>
public class ModelhubTests
{
    private static readonly StudyResults Hub = AnalysisTestData.Modelhub();

    [Fact]
    public void ReaderLoadsAllRunsWithSizesAndFractions()
    {
        Assert.Equal(63, Hub.Runs.Count);
        var first = Hub.Runs[0];
        Assert.Equal(("SwinV2-Small", "ImageNet-1K 10%", 125000L), (first.Model, first.DataLabel, first.Iterations));
        Assert.Equal(49_000_000L, first.Parameters);
        Assert.Equal(0.1, first.DataFraction);
        Assert.Equal(128_117L, first.ImageCount); // 0.1 x 1,281,167 rounded
        Assert.Equal(0.4820, first.FinalValLoss);
        Assert.Equal(82.69, first.Metric("finetune_top1"));
        var g22k = Hub.Runs.Last();
        Assert.Equal(("SwinV2-giant", "ImageNet-22K"), (g22k.Model, g22k.DataLabel));
        Assert.Null(g22k.DataFraction);
        Assert.Equal(1_060_000_000L, g22k.Parameters);

        var grid = new ResultGrid(Hub);
        Assert.Equal(["SwinV2-Small", "SwinV2-Base", "SwinV2-Large", "SwinV2-Huge", "SwinV2-giant"], grid.Models);
        Assert.Equal(["ImageNet-1K 10%", "ImageNet-1K 20%", "ImageNet-1K 50%", "ImageNet-1K", "ImageNet-22K"], grid.DataLabels);
        Assert.Equal([125000L, 250000L, 500000L], grid.Lengths);
    }

    [Theory]
    [InlineData("SwinV2-Small", 12, -0.521013, -0.643357)]
    [InlineData("SwinV2-Base", 15, -0.804745, -0.873995)]
    [InlineData("SwinV2-Large", 15, -0.906992, -0.975000)]
    [InlineData("SwinV2-Huge", 12, -0.938787, -0.944056)]
    [InlineData("SwinV2-giant", 9, -0.765624, -0.916667)]
    public void PearsonAndSpearmanPerModelMatchIndependentComputation(string model, int n, double pearson, double spearman)
    {
        var runs = Hub.Runs.Where(r => r.Model == model).ToList();
        var xs = runs.Select(r => r.FinalValLoss!.Value).ToList();
        var ys = runs.Select(r => r.Metric("finetune_top1")!.Value).ToList();
        Assert.Equal(n, runs.Count);
        Assert.Equal(pearson, Stats.Pearson(xs, ys), 4);
        Assert.Equal(spearman, Stats.Spearman(xs, ys), 4);
    }

    [Fact]
    public void Table3EqualsSpecSection62()
    {
        var t = BestMetricTable.Build(new ResultGrid(Hub), "finetune_top1");
        string[] data = ["ImageNet-1K 10%", "ImageNet-1K 20%", "ImageNet-1K 50%", "ImageNet-1K", "ImageNet-22K"];
        var expected = new Dictionary<string, double?[]>
        {
            ["SwinV2-Small"] = [83.17, 83.75, 83.96, 84.08, null],
            ["SwinV2-Base"] = [83.60, 84.61, 84.95, 85.04, 85.11],
            ["SwinV2-Large"] = [83.69, 84.71, 85.80, 85.91, 85.81],
            ["SwinV2-Huge"] = [null, 84.35, 85.69, 86.34, 86.27],
            ["SwinV2-giant"] = [null, null, 85.76, 86.46, 86.53],
        };
        foreach (var (model, values) in expected)
            for (int i = 0; i < data.Length; i++)
                Assert.Equal(values[i], t.Get(model, data[i])?.Value);
        Assert.Equal(250000, t.Get("SwinV2-Base", "ImageNet-1K 10%")!.AtIterations);
        Assert.Equal(125000, t.Get("SwinV2-Huge", "ImageNet-1K 20%")!.AtIterations);
    }

    [Fact]
    public void CrossRunOverfittingMarksTheTwelveRisingRuns()
    {
        var over = OverfitDetector.Assess(Hub).Where(a => a.Status == OverfitStatus.Overfitting)
            .Select(a => $"{a.Run.Model}/{a.Run.DataLabel}/{a.Run.Iterations}").Order(StringComparer.Ordinal).ToList();
        string[] expected =
        [
            "SwinV2-Base/ImageNet-1K 10%/250000", "SwinV2-Base/ImageNet-1K 10%/500000",
            "SwinV2-Huge/ImageNet-1K 20%/250000", "SwinV2-Huge/ImageNet-1K 20%/500000", "SwinV2-Huge/ImageNet-1K 50%/500000",
            "SwinV2-Large/ImageNet-1K 10%/250000", "SwinV2-Large/ImageNet-1K 10%/500000",
            "SwinV2-Large/ImageNet-1K 20%/250000", "SwinV2-Large/ImageNet-1K 20%/500000",
            "SwinV2-Small/ImageNet-1K 10%/250000", "SwinV2-Small/ImageNet-1K 10%/500000",
            "SwinV2-giant/ImageNet-1K 50%/500000",
        ];
        Assert.Equal(expected, over);
        // B on 20% rises by 0.68% at 500K: below the 1% threshold.
        var b20 = OverfitDetector.Assess(Hub).Single(a => a.Run.Model == "SwinV2-Base" && a.Run.DataLabel == "ImageNet-1K 20%" && a.Run.Iterations == 500000);
        Assert.Equal(OverfitStatus.NotOverfitting, b20.Status);
        Assert.Equal(0.4711 / 0.4679 - 1, b20.RelativeRise!.Value, 10);
        Assert.Equal(250000, b20.MinValIteration);
    }

    [Fact]
    public void Table7MatchesIndependentComputation()
    {
        var t = StudyAnalysis.Analyze(Hub).Correlations;
        var all = t.Find("val_loss", "finetune_top1", CorrelationTable.All)!.Stats;
        Assert.Equal(63, all.N);
        Assert.Equal(-0.785872, all.Pearson, 4);
        Assert.Equal(-0.897194, all.Spearman, 4);
        Assert.Equal(-41.642098, all.Fit!.Slope, 4);
        Assert.Equal(104.145117, all.Fit.Intercept, 4);
        Assert.Equal(0.617595, all.Fit.RSquared, 4);

        var over = t.Find("val_loss", "finetune_top1", CorrelationTable.Overfitting)!.Stats;
        Assert.Equal((12, -0.879086, -40.902248), (over.N, Math.Round(over.Pearson, 6), Math.Round(over.Fit!.Slope, 6)));
        var non = t.Find("val_loss", "finetune_top1", CorrelationTable.NotOverfitting)!.Stats;
        Assert.Equal((51, -0.899424, -75.794559), (non.N, Math.Round(non.Pearson, 6), Math.Round(non.Fit!.Slope, 6)));
        var huge = t.Find("val_loss", "finetune_top1", CorrelationTable.ModelGroup("SwinV2-Huge"))!.Stats;
        Assert.Equal(0.881321, huge.Fit!.RSquared, 4);
        Assert.Null(t.Find("train_loss", "finetune_top1", CorrelationTable.All)); // the hub has no train loss
    }

    [Fact]
    public void ReleasedRunsGiveEverySubClaimThePaperMakes()
    {
        // The rules changed from one verdict per finding to sub-claims (issue "findings judged as the paper states them"):
        // finding 1 used to read SwinV2-giant on 50% (whose top-1 does not fall) and finding 2 compared the smallest with the
        // largest data; both now read the witnesses the paper names. Finding 3 is "not enough data" because (b) needs a
        // training loss the table does not have, while (a) and (c) hold.
        var f = FindingsEvaluator.Evaluate(Hub, "finetune_top1");
        Assert.Equal(["ImageNet-1K 10%", "ImageNet-1K 20%", "ImageNet-1K 50%", "ImageNet-1K"], f.Axis.Labels);
        Assert.Equal(["ImageNet-22K"], f.Axis.LeftOut);

        Assert.Equal(FindingVerdict.Holds, f.Overfit.Verdict);
        Assert.Equal("SwinV2-Huge / ImageNet-1K 20%: val loss 0.4789 @125000 -> 0.5071 @500000 (+0.0282)", f.Overfit.Sub("a").Numbers);
        Assert.Equal("SwinV2-Huge / ImageNet-1K 20%: finetune_top1 84.35 @125000 -> 83.44 @500000 (-0.91)", f.Overfit.Sub("b").Numbers);
        // Inversion: -0.36 on 20%, +0.43 on all of ImageNet-1K: the gap swings by +0.79.
        Assert.Equal("best finetune_top1 of SwinV2-Huge 84.35 below SwinV2-Large's 84.71 on ImageNet-1K 20%; 86.34 above 85.91 on ImageNet-1K (swing +0.79)",
            f.Overfit.Sub("c").Numbers);
        Assert.Equal(("SwinV2-Huge", "ImageNet-1K 20%", 500000L, "SwinV2-Large", "ImageNet-1K"),
            (f.Witness!.Model, f.Witness.Data, f.Witness.Longer.Iterations, f.Witness.Competitor, f.Witness.LargestData));

        Assert.Equal(FindingVerdict.Holds, f.Length.Verdict);
        Assert.Equal("gaps @125000: SwinV2-Small -0.12, SwinV2-Base +0.09, SwinV2-Large +0.20, SwinV2-Huge +0.14, SwinV2-giant +0.13 (largest |gap| 0.20, SwinV2-Large)",
            f.Length.Sub("a").Numbers);
        Assert.Equal("gaps @500000 of the larger models: SwinV2-Huge +0.65, SwinV2-giant +0.95", f.Length.Sub("b").Numbers);
        // Halves of 5 models: H, g (0.65, 0.95 -> 0.80) vs S, B (0.12, 0.09 -> 0.105); gap ranks B<L<S<H<g give rho = 1 - 6x6/120 = 0.70.
        Assert.Equal("mean gap @500000: larger half 0.80 vs smaller half 0.11 (difference +0.69); Spearman rho(size, gap) = 0.70", f.Length.Sub("c").Numbers);

        Assert.Equal(FindingVerdict.NotEnoughData, f.Proxy.Verdict);
        Assert.Equal((FindingVerdict.Holds, FindingVerdict.NotEnoughData, FindingVerdict.Holds),
            (f.Proxy.Sub("a").Verdict, f.Proxy.Sub("b").Verdict, f.Proxy.Sub("c").Verdict));
        Assert.Equal("all runs r = -0.7859 (n = 63); 5 of 5 models with n >= 4 have r <= -0.50", f.Proxy.Sub("a").Numbers);
        // Non-overfitting fit as in Table7MatchesIndependentComputation (slope -75.794559); residual sd and residuals from the
        // same python3 computation: sd = 0.44487, 11 of 12 overfitting runs beyond 2 sd (all above the line), H/50%@500K at 1.08 sd.
        Assert.Equal("non-overfitting r = -0.8994 (n = 51), fit finetune_top1 = 119.76 - 75.79 x val, residual sd 0.445; " +
                     "11 of 12 overfitting runs off by > 2 sd (residuals +0.48 .. +2.85)", f.Proxy.Sub("c").Numbers);
        Assert.Equal(0.444872, f.Phase!.ResidualSd, 5);
        var h50 = f.Phase.Overfitting.Single(p => p.Run.Model == "SwinV2-Huge" && p.Run.DataLabel == "ImageNet-1K 50%");
        Assert.Equal((0.481, false), (Math.Round(h50.Residual, 3), h50.FallsOff));
    }

    [Fact]
    public void WithImageNet22KOnTheDataAxisFinding2ComparesItWithImageNet1KAndBDoesNotHold()
    {
        // The documented alternative: IN-22K as the largest data size. At 500K it does not beat all of ImageNet-1K
        // (H 86.27 vs 86.34, g 86.53 vs 86.46): the paper's 50% vs 100% claim is not about this pair.
        var f = FindingsEvaluator.Evaluate(Hub, "finetune_top1", new FindingRules(OtherDataOnAxis: true));
        Assert.Empty(f.Axis.LeftOut);
        Assert.Equal("gaps @500000 of the larger models: SwinV2-Huge -0.07, SwinV2-giant +0.07", f.Length.Sub("b").Numbers);
        Assert.Equal(FindingVerdict.DoesNotHold, f.Length.Verdict);
        Assert.Equal(FindingVerdict.Holds, f.Overfit.Verdict); // H is above L on IN-22K as well: 86.27 > 85.81
    }
}
