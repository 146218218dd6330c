namespace MimScale.Analysis.Statistics;

/// <summary>Descriptive statistics and correlation coefficients in double precision. Pure functions.</summary>
public static class Stats
{
    /// <summary>Arithmetic mean.</summary>
    /// <exception cref="ArgumentException">Empty input.</exception>
    public static double Mean(IReadOnlyList<double> xs)
    {
        if (xs.Count == 0) throw new ArgumentException("mean of an empty sequence", nameof(xs));
        double sum = 0;
        foreach (var x in xs) sum += x;
        return sum / xs.Count;
    }

    /// <summary>Sample standard deviation (divisor n - 1).</summary>
    /// <exception cref="ArgumentException">Fewer than two values.</exception>
    public static double SampleStd(IReadOnlyList<double> xs)
    {
        if (xs.Count < 2) throw new ArgumentException("sample standard deviation needs at least 2 values", nameof(xs));
        double mean = Mean(xs), ss = 0;
        foreach (var x in xs) ss += (x - mean) * (x - mean);
        return Math.Sqrt(ss / (xs.Count - 1));
    }

    /// <summary>
    /// Pearson product-moment correlation. Returns NaN when either variable is constant (the coefficient is undefined).
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ or fewer than two pairs.</exception>
    public static double Pearson(IReadOnlyList<double> xs, IReadOnlyList<double> ys)
    {
        CheckPairs(xs, ys, 2);
        // A constant sample has no correlation; test it on the values, since the centred sums of five copies of 7.0871
        // are not zero (their mean rounds to 7.087100000000001) and would give a spurious r.
        if (IsConstant(xs) || IsConstant(ys)) return double.NaN;
        var (sxx, syy, sxy) = CentredSums(xs, ys);
        return sxx == 0 || syy == 0 ? double.NaN : sxy / Math.Sqrt(sxx * syy);
    }

    /// <summary>Spearman rank correlation: Pearson of the ranks, tied values sharing their average rank.</summary>
    public static double Spearman(IReadOnlyList<double> xs, IReadOnlyList<double> ys)
    {
        CheckPairs(xs, ys, 2);
        return Pearson(Ranks(xs), Ranks(ys));
    }

    /// <summary>1-based ranks; tied values get the mean of the ranks they span (e.g. [10, 20, 20, 30] -> [1, 2.5, 2.5, 4]).</summary>
    public static double[] Ranks(IReadOnlyList<double> xs)
    {
        var order = Enumerable.Range(0, xs.Count).OrderBy(i => xs[i]).ToArray();
        var ranks = new double[xs.Count];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && xs[order[end + 1]] == xs[order[start]]) end++;
            double average = (start + end) / 2.0 + 1; // mean of 1-based ranks start+1 .. end+1
            for (int k = start; k <= end; k++) ranks[order[k]] = average;
            start = end + 1;
        }
        return ranks;
    }

    /// <summary>
    /// Two-sided p-value of H0: rho = 0 for a Pearson coefficient <paramref name="r"/> from <paramref name="n"/> pairs,
    /// from t = r sqrt((n-2)/(1-r^2)) with n-2 degrees of freedom (assumes bivariate normality). NaN when n &lt; 3 or r is NaN.
    /// </summary>
    public static double PearsonPValue(double r, int n)
    {
        if (n < 3 || double.IsNaN(r)) return double.NaN;
        if (Math.Abs(r) >= 1) return 0;
        int df = n - 2;
        double t = r * Math.Sqrt(df / (1 - r * r));
        return StudentT.TwoSidedPValue(t, df);
    }

    private static bool IsConstant(IReadOnlyList<double> xs) => xs.All(x => x == xs[0]);

    internal static (double Sxx, double Syy, double Sxy) CentredSums(IReadOnlyList<double> xs, IReadOnlyList<double> ys)
    {
        double mx = Mean(xs), my = Mean(ys), sxx = 0, syy = 0, sxy = 0;
        for (int i = 0; i < xs.Count; i++)
        {
            double dx = xs[i] - mx, dy = ys[i] - my;
            sxx += dx * dx;
            syy += dy * dy;
            sxy += dx * dy;
        }
        return (sxx, syy, sxy);
    }

    internal static void CheckPairs(IReadOnlyList<double> xs, IReadOnlyList<double> ys, int min)
    {
        if (xs.Count != ys.Count) throw new ArgumentException($"x has {xs.Count} values but y has {ys.Count}");
        if (xs.Count < min) throw new ArgumentException($"needs at least {min} pairs, got {xs.Count}");
    }
}
