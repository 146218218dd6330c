namespace MimScale.Analysis.Statistics;

/// <summary>Ordinary least-squares line y = Intercept + Slope x.</summary>
/// <param name="Intercept">a in y = a + b x.</param>
/// <param name="Slope">b in y = a + b x.</param>
/// <param name="RSquared">Coefficient of determination 1 - SS_res / SS_tot (NaN when y is constant).</param>
/// <param name="N">Number of points fitted.</param>
public sealed record LinearFit(double Intercept, double Slope, double RSquared, int N)
{
    /// <summary>The fitted value at <paramref name="x"/>.</summary>
    public double Predict(double x) => Intercept + Slope * x;

    /// <summary>Fits y = a + b x by least squares: b = Sxy / Sxx, a = mean(y) - b mean(x).</summary>
    /// <exception cref="ArgumentException">Fewer than two points, different lengths, or constant x (slope undefined).</exception>
    public static LinearFit Fit(IReadOnlyList<double> xs, IReadOnlyList<double> ys)
    {
        Stats.CheckPairs(xs, ys, 2);
        var (sxx, syy, sxy) = Stats.CentredSums(xs, ys);
        if (sxx == 0) throw new ArgumentException("least squares needs at least two distinct x values");
        double slope = sxy / sxx;
        double intercept = Stats.Mean(ys) - slope * Stats.Mean(xs);
        double ssRes = 0;
        for (int i = 0; i < xs.Count; i++)
        {
            double e = ys[i] - (intercept + slope * xs[i]);
            ssRes += e * e;
        }
        return new LinearFit(intercept, slope, syy == 0 ? double.NaN : 1 - ssRes / syy, xs.Count);
    }
}
