using MimScale.Analysis.Overfitting;
using MimScale.Analysis.Results;
using static MimScale.Tests.Analysis.AnalysisTestData;

namespace MimScale.Tests.Analysis.Overfitting;

public class OverfitDetectorTests
{
    private static readonly OverfitRule Rule = new(); // 1% relative rise, >= 3 val points

    private static RunResult WithCurve(params (long It, double Train, double? Val)[] points) =>
        Run("B", "small", points[^1].It, points.Last(p => p.Val.HasValue).Val) with
        {
            Curve = points.Select(p => new CurvePoint(p.It, p.Train, p.Val)).ToList(),
        };

    [Fact]
    public void CurveRiseAboveOnePercentAfterAnEarlierMinimumIsOverfitting()
    {
        // min 0.45 at 200, final 0.47: rise 0.02, relative 0.02/0.45 = 4.44%; train 0.8 -> 0.6 keeps falling.
        var a = OverfitDetector.FromCurve(WithCurve((100, 1.0, 0.50), (200, 0.8, 0.45), (300, 0.7, 0.46), (400, 0.6, 0.47)), Rule)!;
        Assert.Equal((OverfitStatus.Overfitting, OverfitBasis.Curve, 200L), (a.Status, a.Basis, a.MinValIteration));
        Assert.Equal(0.02, a.Rise!.Value, 12);
        Assert.Equal(0.02 / 0.45, a.RelativeRise!.Value, 12);
        Assert.True(a.TrainKeptFalling);
    }

    [Fact]
    public void SmallRiseOrMinimumAtTheEndIsNotOverfitting()
    {
        // final 0.452 vs min 0.45: 0.44% < 1%.
        var small = OverfitDetector.FromCurve(WithCurve((100, 1.0, 0.50), (200, 0.8, 0.45), (300, 0.7, 0.452)), Rule)!;
        Assert.Equal(OverfitStatus.NotOverfitting, small.Status);
        Assert.Equal(0.002 / 0.45, small.RelativeRise!.Value, 12);
        // Monotone fall: the minimum is the last evaluation; train loss rises over the (empty) span -> null.
        var falling = OverfitDetector.FromCurve(WithCurve((100, 1.0, 0.50), (200, 0.8, 0.45), (300, 0.9, 0.40)), Rule)!;
        Assert.Equal((OverfitStatus.NotOverfitting, 300L, 0.0), (falling.Status, falling.MinValIteration, falling.Rise));
        Assert.Null(falling.TrainKeptFalling);
        // Train loss going up after the val minimum is reported as not falling.
        var trainUp = OverfitDetector.FromCurve(WithCurve((100, 0.5, 0.50), (200, 0.4, 0.45), (300, 0.6, 0.50)), Rule)!;
        Assert.Equal((OverfitStatus.Overfitting, false), (trainUp.Status, trainUp.TrainKeptFalling));
    }

    [Fact]
    public void ShortCurvesFallBackToTheCrossRunRule()
    {
        var twoPoints = WithCurve((100, 1.0, 0.5), (200, 0.9, 0.6));
        Assert.Null(OverfitDetector.FromCurve(twoPoints, Rule));
        var alone = OverfitDetector.Assess(AnalysisTestData.Study(twoPoints)).Single();
        Assert.Equal((OverfitStatus.Unknown, OverfitBasis.None), (alone.Status, alone.Basis));
    }

    [Fact]
    public void CrossRuleComparesWithTheBestShorterRun()
    {
        // (B, small): 100 -> 0.50, 200 -> 0.49, 300 -> 0.52 (6.12% above 0.49), 400 -> 0.4945 (0.92%: below 1%).
        var study = AnalysisTestData.Study(Run("B", "small", 100, 0.50, train: 0.9), Run("B", "small", 200, 0.49, train: 0.8),
            Run("B", "small", 300, 0.52, train: 0.7), Run("B", "small", 400, 0.4945), Run("B", "large", 100, 0.40));
        var a = OverfitDetector.Assess(study);
        Assert.Equal([OverfitStatus.NotOverfitting, OverfitStatus.NotOverfitting, OverfitStatus.Overfitting,
            OverfitStatus.NotOverfitting, OverfitStatus.Unknown], a.Select(x => x.Status));
        Assert.Equal((200L, Math.Round(0.03 / 0.49, 12), true), (a[2].MinValIteration, Math.Round(a[2].RelativeRise!.Value, 12), a[2].TrainKeptFalling));
        Assert.Equal(0.0045 / 0.49, a[3].RelativeRise!.Value, 12);
        Assert.Null(a[3].TrainKeptFalling); // no train loss at 400
    }

    [Fact]
    public void SeedsAreAveragedBeforeTheCrossRunComparison()
    {
        // Seeds at 200: 0.49 and 0.53 -> mean 0.51, 2% above the 0.50 at 100: both seeds are overfitting.
        var study = AnalysisTestData.Study(Run("A", "small", 100, 0.50), Run("A", "small", 200, 0.49) with { Seed = 1 }, Run("A", "small", 200, 0.53) with { Seed = 2 });
        var a = OverfitDetector.Assess(study);
        Assert.Equal([OverfitStatus.NotOverfitting, OverfitStatus.Overfitting, OverfitStatus.Overfitting], a.Select(x => x.Status));
        Assert.Equal(0.51, a[1].FinalValLoss!.Value, 12);
    }
}
