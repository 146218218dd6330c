using MimScale.Analysis.Findings;
using MimScale.Analysis.Grid;
using MimScale.Analysis.Overfitting;
using MimScale.Analysis.Results;
using MimScale.Analysis.Tables;

namespace MimScale.Analysis.Report;

/// <summary>Every derived table and verdict of one study, computed once and shared by the console and file reports.</summary>
/// <param name="Results">The input, side-study arms included.</param>
/// <param name="Grid">(model x data x length) grid of seed means (main-grid runs only).</param>
/// <param name="Metric">The primary metric if at least one run reports it, else null.</param>
/// <param name="RequestedMetric">The metric asked for (reported when absent).</param>
/// <param name="OverfitRule">Rule used for <see cref="Overfitting"/>.</param>
/// <param name="Overfitting">One assessment per main-grid run.</param>
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
    /// <summary>The decoder-size arm (paper Table 8); no rows when the study has none.</summary>
    public DecoderArmTable DecoderArm { get; init; } = new(null, []);

    /// <summary>The class-subset arm (paper Table 9 / Figure 6); no pairs when the study has none.</summary>
    public ClassSubsetArmTable ClassSubsetArm { get; init; } = new(null, []);

    /// <summary>Pre-trained minus scratch (the study's scratch reference); no rows when the study has none.</summary>
    public ScratchReferenceTable ScratchReference { get; init; } = new([]);

    /// <summary>The finding thresholds the findings were judged with.</summary>
    public FindingRules Rules { get; init; } = new();

    /// <summary>Runs every analysis step on <paramref name="results"/>.</summary>
    /// <exception cref="ArgumentException">The study has no runs.</exception>
    public static StudyAnalysis Analyze(StudyResults results, AnalysisOptions? options = null)
    {
        options ??= new AnalysisOptions();
        if (results.Runs.Count == 0) throw new ArgumentException($"study '{results.Name}' has no runs", nameof(results));
        var rule = options.OverfitRule ?? new OverfitRule();
        // The grid, overfitting, correlations and findings see the main grid only; the arms and the scratch reference
        // have their own tables.
        var main = results.MainRuns();
        if (main.Runs.Count == 0) throw new ArgumentException($"study '{results.Name}' has only side-study (arm) runs, no main grid", nameof(results));
        var grid = new ResultGrid(main);
        string? metric = results.HasMetric(options.Metric) ? options.Metric : null;
        var overfitting = OverfitDetector.Assess(main, rule);
        return new StudyAnalysis(results, grid, metric, options.Metric, rule, overfitting,
            metric is null ? null : BestMetricTable.Build(grid, metric),
            CorrelationTable.Build(main, overfitting),
            FindingsEvaluator.Evaluate(main, metric, options.FindingRules, rule))
        {
            DecoderArm = DecoderArmTable.Build(results, metric),
            ClassSubsetArm = ClassSubsetArmTable.Build(results, metric),
            ScratchReference = ScratchReferenceTable.Build(grid, results, options.Metric),
            Rules = options.FindingRules ?? new FindingRules(),
        };
    }
}
