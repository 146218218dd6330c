namespace MimScale.Analysis;

/// <summary>Every derived table and verdict of one study, computed once and shared by the console and file reports.</summary>
/// <param name="Results">The input.</param>
/// <param name="Grid">(model x data x length) grid of seed means.</param>
/// <param name="Metric">The primary metric if at least one run reports it, else null.</param>
/// <param name="RequestedMetric">The metric asked for (reported when absent).</param>
/// <param name="OverfitRule">Rule used for <see cref="Overfitting"/>.</param>
/// <param name="Overfitting">One assessment per run.</param>
/// <param name="BestMetric">Table 3, or null without a metric.</param>
/// <param name="Correlations">Table 7 over every metric present.</param>
/// <param name="Findings">Findings 1-3 as sub-claims, with finding 1's witness and finding 3's phase split.</param>
public sealed record StudyAnalysis(
    StudyResults Results,
    ResultGrid Grid,
    string? Metric,
    string RequestedMetric,
    OverfitRule OverfitRule,
    IReadOnlyList<OverfitAssessment> Overfitting,
    BestMetricTable? BestMetric,
    CorrelationTable Correlations,
    StudyFindings Findings)
{
    /// <summary>Runs every analysis step on <paramref name="results"/>.</summary>
    /// <exception cref="ArgumentException">The study has no runs.</exception>
    public static StudyAnalysis Analyze(StudyResults results, AnalysisOptions? options = null)
    {
        options ??= new AnalysisOptions();
        if (results.Runs.Count == 0) throw new ArgumentException($"study '{results.Name}' has no runs", nameof(results));
        var rule = options.OverfitRule ?? new OverfitRule();
        var grid = new ResultGrid(results);
        string? metric = results.HasMetric(options.Metric) ? options.Metric : null;
        var overfitting = OverfitDetector.Assess(results, rule);
        return new StudyAnalysis(results, grid, metric, options.Metric, rule, overfitting,
            metric is null ? null : BestMetricTable.Build(grid, metric),
            CorrelationTable.Build(results, overfitting),
            FindingsEvaluator.Evaluate(results, metric, options.FindingRules, rule));
    }
}
