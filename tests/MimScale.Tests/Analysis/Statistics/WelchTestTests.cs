using MimScale.Analysis.Statistics;

namespace MimScale.Tests.Analysis.Statistics;

/// <summary>Welch's t-test against hand-computed values.</summary>
public class WelchTestTests
{
    [Fact]
    public void EqualVariancesAndSizesGiveTheClosedFormOfFourDegreesOfFreedom()
    {
        // [1,2,3] vs [3,4,5]: t = -2 / sqrt(1/3 + 1/3) = -sqrt(6), df = 4; for 4 df, P(|T| < t) = sin(a) (1 + cos^2(a) / 2) with
        // tan(a) = t / 2 (Abramowitz & Stegun 26.7.3): sin(a) = sqrt(0.6), cos^2(a) = 0.4, so p = 1 - 1.2 sqrt(0.6) = 0.0704839969...
        Assert.Equal(1 - 1.2 * Math.Sqrt(0.6), WelchTest.TwoSidedPValue([1, 2, 3], [3, 4, 5]), 10);
    }

    [Fact]
    public void UnequalVariancesUseTheWelchSatterthwaiteDegreesOfFreedom()
    {
        // [1,2,3] vs [4,5,6,7]: t = -3.5 / sqrt(1/3 + 1.6667/4) = -4.0415, df = 0.75^2 / ((1/3)^2/2 + (0.41667)^2/3) = 4.9592;
        // p by Simpson integration of the t density (2e6 intervals): 0.0100769433.
        Assert.Equal(0.0100769433, WelchTest.TwoSidedPValue([1, 2, 3], [4, 5, 6, 7]), 8);
        // [70, 72] vs [65, 65.5, 66.5]: t = 4.8800, df = 1.4002, p = 0.0762162725 (same integration).
        Assert.Equal(0.0762162725, WelchTest.TwoSidedPValue([70, 72], [65, 65.5, 66.5]), 8);
    }

    [Fact]
    public void OneValueOrNoVarianceIsNotTestable()
    {
        Assert.True(double.IsNaN(WelchTest.TwoSidedPValue([1], [2, 3])));
        Assert.True(double.IsNaN(WelchTest.TwoSidedPValue([1, 1], [2, 2])));
        Assert.Equal(WelchTest.TwoSidedPValue([2, 3], [0, 2, 4]), WelchTest.TwoSidedPValue([0, 2, 4], [2, 3]), 12);   // symmetric
    }
}
