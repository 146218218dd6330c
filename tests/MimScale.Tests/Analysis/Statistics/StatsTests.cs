
using MimScale.Analysis.Statistics;

namespace MimScale.Tests.Analysis.Statistics;

public class StatsTests
{
    [Fact]
    public void MeanAndSampleStd()
    {
        // [2,4,4,4,5,5,7,9]: mean 5, squared deviations sum 32, sample variance 32/7.
        double[] xs = [2, 4, 4, 4, 5, 5, 7, 9];
        Assert.Equal(5.0, Stats.Mean(xs), 12);
        Assert.Equal(Math.Sqrt(32.0 / 7), Stats.SampleStd(xs), 12);
        Assert.Throws<ArgumentException>(() => Stats.SampleStd([1.0]));
    }

    [Fact]
    public void PearsonMatchesHandValue()
    {
        // x mean 3, y mean 4: Sxy = 6, Sxx = 10, Syy = 6 -> r = 6 / sqrt(60) = 0.7745966692.
        Assert.Equal(0.7745966692, Stats.Pearson([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]), 10);
        Assert.True(double.IsNaN(Stats.Pearson([1, 2, 3], [4, 4, 4])));
        // Five equal values whose floating-point mean is not that value (7.087100000000001): still no correlation.
        Assert.True(double.IsNaN(Stats.Pearson([1, 2, 3, 4, 5], [7.0871, 7.0871, 7.0871, 7.0871, 7.0871])));
    }

    [Fact]
    public void SpearmanUsesAverageRanksForTies()
    {
        // ranks x = [1, 2.5, 2.5, 4], ranks y = [1, 3, 2, 4]; centred: dx = [-1.5, 0, 0, 1.5], dy = [-1.5, .5, -.5, 1.5];
        // Sxy = 4.5, Sxx = 4.5, Syy = 5 -> rho = 4.5 / sqrt(22.5) = 0.9486832981.
        Assert.Equal([1, 2.5, 2.5, 4], Stats.Ranks([10, 20, 20, 30]));
        Assert.Equal(0.9486832981, Stats.Spearman([10, 20, 20, 30], [1, 3, 2, 4]), 10);
    }

    [Fact]
    public void LeastSquaresMatchesHandValues()
    {
        // x = [1,2,3,4], y = [2,3,5,6]: Sxy = 7, Sxx = 5 -> b = 1.4, a = 4 - 1.4 x 2.5 = 0.5;
        // residuals [.1, -.3, .3, -.1] -> SSres = 0.2, SStot = 10 -> R2 = 0.98.
        var fit = LinearFit.Fit([1, 2, 3, 4], [2, 3, 5, 6]);
        Assert.Equal(1.4, fit.Slope, 12);
        Assert.Equal(0.5, fit.Intercept, 12);
        Assert.Equal(0.98, fit.RSquared, 12);
        Assert.Equal(4, fit.N);
        Assert.Throws<ArgumentException>(() => LinearFit.Fit([1, 1], [2, 3]));
    }

    [Fact]
    public void PearsonPValuesMatchClosedFormsOfTheTDistribution()
    {
        // Two-sided t tail probabilities in closed form (python3 -c with math only):
        // df=1: 1 - (2/pi) atan|t|;  df=2: 1 - |t| / sqrt(2 + t^2);  df=3: 1 - (2/pi)(atan u + u / (1 + u^2)), u = |t|/sqrt(3).
        // n=3, r=0.5 -> t = 0.57735, p = 0.6666666666666667
        Assert.Equal(0.6666666666666667, Stats.PearsonPValue(0.5, 3), 10);
        // n=4, r=sqrt(0.98) (the OLS example) -> p = 0.01005050633883342
        Assert.Equal(0.01005050633883342, Stats.PearsonPValue(Math.Sqrt(0.98), 4), 10);
        // n=5, r=0.7745966692 -> t = sqrt(4.5), p = 0.1240270626575547
        Assert.Equal(0.1240270626575547, Stats.PearsonPValue(Stats.Pearson([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]), 5), 10);
        Assert.True(double.IsNaN(Stats.PearsonPValue(0.5, 2)));
    }

    [Fact]
    public void IncompleteBetaAndLogGammaKnownValues()
    {
        Assert.Equal(Math.Log(24), StudentT.LogGamma(5), 12);               // Gamma(5) = 4!
        Assert.Equal(0.5 * Math.Log(Math.PI), StudentT.LogGamma(0.5), 12);  // Gamma(1/2) = sqrt(pi)
        Assert.Equal(0.3 * 0.3, StudentT.RegularizedIncompleteBeta(2, 1, 0.3), 12); // I_x(2,1) = x^2
        // I_x(2,3) = 6x^2 - 8x^3 + 3x^4 at x = 0.4: 0.96 - 0.512 + 0.0768 = 0.5248
        Assert.Equal(0.5248, StudentT.RegularizedIncompleteBeta(2, 3, 0.4), 12);
    }
}
