namespace MimScale.Analysis.Statistics;

/// <summary>Correlation of two paired samples with the least-squares line of y on x.</summary>
/// <param name="N">Number of pairs.</param>
/// <param name="Pearson">Pearson r (NaN if undefined).</param>
/// <param name="PearsonP">Two-sided p-value of r via the t distribution (NaN when n &lt; 3).</param>
/// <param name="Spearman">Spearman rho with average ranks for ties (NaN if undefined).</param>
/// <param name="Fit">Least-squares y = a + b x, or null when x is constant or n &lt; 2.</param>
public sealed record Correlation(int N, double Pearson, double PearsonP, double Spearman, LinearFit? Fit)
{
    /// <summary>Computes all fields; with fewer than two pairs every coefficient is NaN.</summary>
    public static Correlation Of(IReadOnlyList<double> xs, IReadOnlyList<double> ys)
    {
        Stats.CheckPairs(xs, ys, 0);
        if (xs.Count < 2) return new Correlation(xs.Count, double.NaN, double.NaN, double.NaN, null);
        double r = Stats.Pearson(xs, ys);
        bool xVaries = xs.Any(x => x != xs[0]);
        return new Correlation(xs.Count, r, Stats.PearsonPValue(r, xs.Count), Stats.Spearman(xs, ys),
            xVaries ? LinearFit.Fit(xs, ys) : null);
    }
}
