namespace MimScale.Analysis.Statistics;

/// <summary>
/// Welch's two-sample t-test (unequal variances), as scipy.stats.ttest_ind(x, y, equal_var=False) computes it:
/// t = (mean x - mean y) / sqrt(s_x^2/n_x + s_y^2/n_y) with the Welch-Satterthwaite degrees of freedom
/// (s_x^2/n_x + s_y^2/n_y)^2 / ((s_x^2/n_x)^2/(n_x-1) + (s_y^2/n_y)^2/(n_y-1)). Pure functions.
/// </summary>
public static class WelchTest
{
    /// <summary>
    /// Two-sided p-value of H0: equal means. NaN when either sample has fewer than 2 values (no variance to judge a
    /// difference by) or when both samples are constant (the standard error is 0).
    /// </summary>
    public static double TwoSidedPValue(IReadOnlyList<double> xs, IReadOnlyList<double> ys)
    {
        if (xs.Count < 2 || ys.Count < 2) return double.NaN;
        double a = Square(Stats.SampleStd(xs)) / xs.Count, b = Square(Stats.SampleStd(ys)) / ys.Count;
        double se2 = a + b;
        if (se2 == 0) return double.NaN;
        double t = (Stats.Mean(xs) - Stats.Mean(ys)) / Math.Sqrt(se2);
        double df = se2 * se2 / (a * a / (xs.Count - 1) + b * b / (ys.Count - 1));
        return StudentT.TwoSidedPValue(t, df);
    }

    private static double Square(double x) => x * x;
}
