using System.Globalization;
using MimScale.Analysis.Grid;
using MimScale.Analysis.Overfitting;
using MimScale.Analysis.Results;

namespace MimScale.Analysis.Findings;

/// <summary>Evaluates the paper's three findings (SPEC §0) as their sub-claims; each rule is stated in its <see cref="SubClaim"/>.</summary>
public static class FindingsEvaluator
{
    /// <summary>
    /// Findings 1, 2 and 3. <paramref name="metric"/> null or absent from the runs means "no downstream metric"; overfitting
    /// runs (finding 3(c)) are those <see cref="OverfitDetector"/> marks under <paramref name="overfitRule"/>. Runs of a
    /// side-study arm (<see cref="RunResult.Arm"/>) are left out.
    /// </summary>
    public static StudyFindings Evaluate(StudyResults results, string? metric, FindingRules? rules = null, OverfitRule? overfitRule = null)
    {
        rules ??= new FindingRules();
        overfitRule ??= new OverfitRule();
        results = results.MainRuns();   // side-study arms (decoders, class subsets) are no part of findings 1-3
        var grid = new ResultGrid(results);
        if (metric is not null && !results.HasMetric(metric)) metric = null;
        var axis = DataAxis.Of(grid, rules);
        var (overfit, witness) = OverfitFinding.Evaluate(grid, axis, metric, rules, overfitRule);
        var (proxy, phase) = ProxyFinding.Evaluate(results, grid, OverfitDetector.Assess(results, overfitRule), metric, rules, overfitRule);
        return new StudyFindings(overfit, LengthFinding.Evaluate(grid, axis, metric, rules), proxy, axis, witness, phase);
    }

    internal static string F(double v, int digits) => v.ToString("F" + digits, CultureInfo.InvariantCulture);

    internal static string Signed(double v, int digits) => (v >= 0 ? "+" : "") + F(v, digits);
}
