using System.Globalization;

namespace MimScale.Analysis;

/// <summary>Evaluates the paper's three findings (SPEC §0) on a study's results; the rules are stated in each <see cref="Finding"/>.</summary>
public static class FindingsEvaluator
{
    /// <summary>Findings 1, 2 and 3 in order. <paramref name="metric"/> null or absent from the runs means "no downstream metric".</summary>
    public static IReadOnlyList<Finding> Evaluate(StudyResults results, string? metric, FindingRules? rules = null)
    {
        rules ??= new FindingRules();
        var grid = new ResultGrid(results);
        if (metric is not null && !results.HasMetric(metric)) metric = null;
        return
        [
            OverfitFinding.Evaluate(grid, metric, rules),
            LengthFinding.Evaluate(grid, metric, rules),
            ProxyFinding.Evaluate(results, grid, metric, rules),
        ];
    }

    internal static string F(double v, int digits) => v.ToString("F" + digits, CultureInfo.InvariantCulture);

    internal static string Signed(double v, int digits) => (v >= 0 ? "+" : "") + F(v, digits);
}
