using MimScale.Analysis.Findings;
using MimScale.Analysis.Results;
using MimScale.Tests.Analysis;
using static MimScale.Tests.Analysis.AnalysisTestData;

namespace MimScale.Tests.Analysis.Findings;

/// <summary>
/// Finding 1 on hand-made tables. Models A (10 params) and B (100): B is the larger half (floor(0.5 x 2) = 1), "small" the
/// smaller half of small/large; so (B, small) is the only candidate. Each sub-claim: holds, does not hold, not enough data.
/// </summary>
public class OverfitFindingTests
{
    private static Finding Eval(params RunResult[] runs) => FindingsEvaluator.Evaluate(AnalysisTestData.Study(runs), "finetune_top1").Overfit;

    // A: best 80.50 on small, 82.00 on large. B on large: best 83.50.
    private static readonly RunResult[] Others =
    [
        Run("A", "small", 100, 0.52, 79.5), Run("A", "small", 200, 0.51, 80.5),
        Run("A", "large", 100, 0.48, 81.0), Run("A", "large", 200, 0.46, 82.0),
        Run("B", "large", 100, 0.45, 82.5), Run("B", "large", 200, 0.43, 83.5),
    ];

    [Fact]
    public void LargerModelOnSmallerDataRisesFallsAndDropsBelowTheSmallerModel()
    {
        // B on small: val 0.50 -> 0.55 (+0.05 > 0.001), top-1 80.0 -> 79.0 (fall 1.0 > 0.5); best 80.0 < A's 80.5 on small,
        // 83.5 > 82.0 on large: the gap B - A swings from -0.5 to +1.5, i.e. by +2.00 > 0.5.
        var f = Eval([.. Others, Run("B", "small", 100, 0.50, 80.0), Run("B", "small", 200, 0.55, 79.0)]);
        Assert.Equal(FindingVerdict.Holds, f.Verdict);
        Assert.Equal("B / small: val loss 0.5000 @100 -> 0.5500 @200 (+0.0500)", f.Sub("a").Numbers);
        Assert.Equal("B / small: finetune_top1 80.00 @100 -> 79.00 @200 (-1.00)", f.Sub("b").Numbers);
        Assert.Equal("best finetune_top1 of B 80.00 below A's 80.50 on small; 83.50 above 82.00 on large (swing +2.00)", f.Sub("c").Numbers);
        Assert.Contains("top floor(0.5 x 2) = 1 of the model sizes (B)", f.Selection);
        Assert.Contains("bottom floor(0.5 x 2) = 1 of the data axis (small)", f.Selection);
    }

    [Fact]
    public void EachSubClaimFailsOnItsOwnAndTheFindingWithIt()
    {
        // (a) rise 0.0005 is below the 0.001 noise threshold; (b) and (c) as in the holding case.
        var flat = Eval([.. Others, Run("B", "small", 100, 0.50, 80.0), Run("B", "small", 200, 0.5005, 79.0)]);
        Assert.Equal((FindingVerdict.DoesNotHold, FindingVerdict.Holds, FindingVerdict.Holds), Verdicts(flat));
        Assert.Equal(FindingVerdict.DoesNotHold, flat.Verdict);

        // (b) the top-1 falls 0.2 points only: within the 0.5-point noise.
        var steady = Eval([.. Others, Run("B", "small", 100, 0.50, 80.0), Run("B", "small", 200, 0.55, 79.8)]);
        Assert.Equal((FindingVerdict.Holds, FindingVerdict.DoesNotHold, FindingVerdict.Holds), Verdicts(steady));

        // (c) B on large ends at 81.8, below A's 82.0: no inversion (the gap B - A goes from -0.5 to -0.2: swing +0.30).
        RunResult[] weakLarge = [.. Others.Where(r => !(r.Model == "B" && r.DataLabel == "large")),
            Run("B", "large", 100, 0.45, 81.0), Run("B", "large", 200, 0.43, 81.8)];
        var noInversion = Eval([.. weakLarge, Run("B", "small", 100, 0.50, 80.0), Run("B", "small", 200, 0.55, 79.0)]);
        Assert.Equal((FindingVerdict.Holds, FindingVerdict.Holds, FindingVerdict.DoesNotHold), Verdicts(noInversion));
        Assert.Equal("best finetune_top1 of B 80.00 below A's 80.50 on small; 81.80 below 82.00 on large (swing +0.30)", noInversion.Sub("c").Numbers);
    }

    [Fact]
    public void MissingPiecesGiveNotEnoughDataWithoutHidingAFailure()
    {
        // No metric: (a) holds on the val loss alone, (b) and (c) cannot be judged, so the finding is not enough data.
        var noMetric = FindingsEvaluator.Evaluate(AnalysisTestData.Study([.. Others.Select(r => r with { Metrics = new Dictionary<string, double>() }),
            Run("B", "small", 100, 0.50), Run("B", "small", 200, 0.55)]), null).Overfit;
        Assert.Equal((FindingVerdict.Holds, FindingVerdict.NotEnoughData, FindingVerdict.NotEnoughData), Verdicts(noMetric));
        Assert.Equal(FindingVerdict.NotEnoughData, noMetric.Verdict);
        Assert.Equal("no downstream metric in the results", noMetric.Sub("b").Numbers);

        // A single model: it is the larger half, but there is no smaller model for (c).
        var alone = Eval(Run("B", "small", 100, 0.50, 80.0), Run("B", "small", 200, 0.55, 79.0), Run("B", "large", 200, 0.43, 83.5));
        Assert.Equal((FindingVerdict.Holds, FindingVerdict.Holds, FindingVerdict.NotEnoughData), Verdicts(alone));
        Assert.Equal(FindingVerdict.NotEnoughData, alone.Verdict);

        // One length and no curve: (a) and (b) cannot be judged; (c) fails, and a failing sub-claim decides the finding.
        var oneLength = Eval([.. Others, Run("B", "small", 200, 0.55, 81.0)]);
        Assert.Equal((FindingVerdict.NotEnoughData, FindingVerdict.NotEnoughData, FindingVerdict.DoesNotHold), Verdicts(oneLength));
        Assert.Equal(FindingVerdict.DoesNotHold, oneLength.Verdict);

        // No larger model on smaller data at all.
        var none = Eval(Others);
        Assert.All(none.SubClaims, s => Assert.Equal(FindingVerdict.NotEnoughData, s.Verdict));
        Assert.StartsWith("no run of a larger model (B) on a smaller data size (small)", none.Sub("a").Numbers);
    }

    [Fact]
    public void ARiseAlongTheRunsOwnCurveCountsForA()
    {
        // One length, but the curve has 3 val points: minimum 0.45 at 150, final 0.47 -> rise +0.02.
        var curved = Run("B", "small", 200, 0.47, 79.0) with { Curve = [new(100, 0.9, 0.50), new(150, 0.8, 0.45), new(200, 0.7, 0.47)] };
        var f = Eval([.. Others, curved]);
        Assert.Equal(FindingVerdict.Holds, f.Sub("a").Verdict);
        Assert.Equal("B / small @200: final - min of its val curve = +0.0200", f.Sub("a").Numbers);
    }

    [Fact]
    public void TheWitnessIsTheCandidateWithTheMostHoldingSubClaims()
    {
        // Data small (10%), small2 (20%), mid (50%), large (100%): the smaller half is small and small2. B on small fails (b)
        // (top-1 steady); B on small2 holds everything, so it is reported although small is the smaller data size.
        static RunResult S2(string model, long it, double val, double top1) => Run(model, "small2", it, val, top1) with { DataFraction = 0.2 };
        var f = Eval([.. Others, Run("A", "mid", 200, 0.47, 81.5),
            Run("B", "small", 100, 0.50, 80.0), Run("B", "small", 200, 0.55, 79.8),
            S2("A", 100, 0.50, 80.0), S2("A", 200, 0.49, 81.0), S2("B", 100, 0.49, 80.8), S2("B", 200, 0.53, 79.5)]);
        Assert.Equal(FindingVerdict.Holds, f.Verdict);
        Assert.Equal("B / small2: finetune_top1 80.80 @100 -> 79.50 @200 (-1.30)", f.Sub("b").Numbers);
        Assert.Equal(["B / small: (a) holds, (b) does not hold, (c) holds", "[witness] B / small2: (a) holds, (b) holds, (c) holds"], f.Evidence);
    }

    private static (FindingVerdict, FindingVerdict, FindingVerdict) Verdicts(Finding f) =>
        (f.Sub("a").Verdict, f.Sub("b").Verdict, f.Sub("c").Verdict);
}
