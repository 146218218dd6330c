using MimScale.Analysis.Findings;
using MimScale.Analysis.Results;
using MimScale.Tests.Analysis;
using static MimScale.Tests.Analysis.AnalysisTestData;

namespace MimScale.Tests.Analysis.Findings;

/// <summary>
/// Finding 2 on hand-made tables: "mid" (50%) vs "large" (100%), the two largest data sizes; "small" (10%) is on the axis
/// but must not drive the verdict. Each sub-claim: holds, does not hold, not enough data.
/// </summary>
public class LengthFindingTests
{
    private static Finding Eval(params RunResult[] runs) => FindingsEvaluator.Evaluate(AnalysisTestData.Study(runs), "finetune_top1").Length;

    // A: gaps large - mid = +0.20 @100, +0.10 @200. B @100: +0.10. The small data is far behind (it overfits).
    private static readonly RunResult[] Base =
    [
        Run("A", "small", 100, 0.6, 70.0), Run("A", "small", 200, 0.7, 65.0),
        Run("A", "mid", 100, 0.5, 80.0), Run("A", "large", 100, 0.5, 80.2), Run("A", "mid", 200, 0.5, 81.0), Run("A", "large", 200, 0.5, 81.1),
        Run("B", "mid", 100, 0.5, 82.0), Run("B", "large", 100, 0.5, 82.1), Run("B", "mid", 200, 0.5, 82.5),
    ];

    [Fact]
    public void MoreDataHelpsTheLargerModelOnlyWhenTrainedLong()
    {
        var f = Eval([.. Base, Run("B", "large", 200, 0.5, 83.5)]);
        Assert.Equal(FindingVerdict.Holds, f.Verdict);
        Assert.StartsWith("Compared data sizes: mid vs large", f.Selection);
        Assert.Equal("gaps @100: A +0.20, B +0.10 (largest |gap| 0.20, A)", f.Sub("a").Numbers);
        Assert.Equal("gaps @200 of the larger models: B +1.00", f.Sub("b").Numbers);
        // Halves of 2 models: B vs A; means 1.00 vs 0.10; two points rank perfectly.
        Assert.Equal("mean gap @200: larger half 1.00 vs smaller half 0.10 (difference +0.90); Spearman rho(size, gap) = 1.00", f.Sub("c").Numbers);
    }

    [Fact]
    public void EachSubClaimFailsOnItsOwn()
    {
        // (a) B already gains 1.0 at the shortest length.
        var early = Eval([.. Base.Where(r => !(r.Model == "B" && r.DataLabel == "large")), Run("B", "large", 100, 0.5, 83.0), Run("B", "large", 200, 0.5, 83.5)]);
        Assert.Equal((FindingVerdict.DoesNotHold, FindingVerdict.Holds, FindingVerdict.Holds), Verdicts(early));
        Assert.Equal(FindingVerdict.DoesNotHold, early.Verdict);

        // (b) and (c): B gains 0.4 at the longest length, within the 0.5-point noise.
        var weak = Eval([.. Base, Run("B", "large", 200, 0.5, 82.9)]);
        Assert.Equal((FindingVerdict.Holds, FindingVerdict.DoesNotHold, FindingVerdict.DoesNotHold), Verdicts(weak));

        // (c) alone: models A < B < C; C (the larger half of 3) gains 0.8, but A gains 1.2: no growth with size
        // (halves' means 0.8 vs 1.2; Spearman of gaps [1.2, 0.2, 0.8] over sizes [0, 1, 2] is -0.5).
        var noGrowth = Eval(Run("A", "mid", 100, 0.5, 80.0), Run("A", "large", 100, 0.5, 80.1), Run("A", "mid", 200, 0.5, 80.0), Run("A", "large", 200, 0.5, 81.2),
            Run("B", "mid", 100, 0.5, 81.0), Run("B", "large", 100, 0.5, 81.1), Run("B", "mid", 200, 0.5, 81.0), Run("B", "large", 200, 0.5, 81.2),
            Run("C", "mid", 100, 0.5, 82.0), Run("C", "large", 100, 0.5, 82.1), Run("C", "mid", 200, 0.5, 82.0), Run("C", "large", 200, 0.5, 82.8));
        Assert.Equal((FindingVerdict.Holds, FindingVerdict.Holds, FindingVerdict.DoesNotHold), Verdicts(noGrowth));
        Assert.Equal("mean gap @200: larger half 0.80 vs smaller half 1.20 (difference -0.40); Spearman rho(size, gap) = -0.50", noGrowth.Sub("c").Numbers);
    }

    [Fact]
    public void TheSmallestSubsetDoesNotDriveTheVerdict()
    {
        // The same runs with the small data 30 points better at the long length: nothing changes, it is not compared.
        var f = Eval([.. Base.Select(r => r.DataLabel == "small" && r.Iterations == 200 ? r with { Metrics = new Dictionary<string, double> { ["finetune_top1"] = 95.0 } } : r),
            Run("B", "large", 200, 0.5, 83.5)]);
        Assert.Equal(FindingVerdict.Holds, f.Verdict);
        Assert.Equal("gaps @200 of the larger models: B +1.00", f.Sub("b").Numbers);
    }

    [Fact]
    public void WithoutEnoughDataSizesLengthsOrModelsItIsNotEnoughData()
    {
        var oneSize = Eval(Run("B", "large", 100, 0.5, 80.0), Run("B", "large", 200, 0.5, 81.0));
        Assert.All(oneSize.SubClaims, s => Assert.Equal(FindingVerdict.NotEnoughData, s.Verdict));
        Assert.Equal("fewer than two data sizes on the data axis (large)", oneSize.Sub("a").Numbers);

        var oneLength = Eval(Run("B", "mid", 100, 0.5, 80.0), Run("B", "large", 100, 0.5, 81.0));
        Assert.Equal(FindingVerdict.NotEnoughData, oneLength.Verdict);

        // One model: (a) and (b) can be judged, (c) needs two model sizes.
        var oneModel = Eval(Run("B", "mid", 100, 0.5, 80.0), Run("B", "large", 100, 0.5, 80.1), Run("B", "mid", 200, 0.5, 81.0), Run("B", "large", 200, 0.5, 82.0));
        Assert.Equal((FindingVerdict.Holds, FindingVerdict.Holds, FindingVerdict.NotEnoughData), Verdicts(oneModel));
        Assert.Equal(FindingVerdict.NotEnoughData, oneModel.Verdict);
    }

    [Fact]
    public void WithoutAMetricTheValLossDropStandsIn()
    {
        // B drops 0.0005 @100 (within 0.001) and 0.05 @200; A drops 0.0002 and 0.001 (not more than 0.001).
        var f = FindingsEvaluator.Evaluate(AnalysisTestData.Study(Run("A", "mid", 100, 0.5000), Run("A", "large", 100, 0.4998), Run("A", "mid", 200, 0.480), Run("A", "large", 200, 0.479),
            Run("B", "mid", 100, 0.5000), Run("B", "large", 100, 0.4995), Run("B", "mid", 200, 0.52), Run("B", "large", 200, 0.47)), null).Length;
        Assert.Equal(FindingVerdict.Holds, f.Verdict);
        Assert.Equal("gaps @200 of the larger models: B +0.0500", f.Sub("b").Numbers);
        Assert.Contains("val-loss drop (no downstream metric", f.Sub("a").Rule);
    }

    private static (FindingVerdict, FindingVerdict, FindingVerdict) Verdicts(Finding f) =>
        (f.Sub("a").Verdict, f.Sub("b").Verdict, f.Sub("c").Verdict);
}
