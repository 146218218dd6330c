using MimScale.Analysis.Findings;
using MimScale.Analysis.Overfitting;

namespace MimScale.Analysis.Report;

/// <summary>What to analyse and with which rules.</summary>
/// <param name="Metric">Primary downstream metric (Table 3, findings 2 and 3, Figures 2 and 4); higher is better.</param>
/// <param name="OverfitRule">Overfitting rule (null = defaults).</param>
/// <param name="FindingRules">Finding thresholds (null = defaults).</param>
/// <param name="PlotWidth">PNG width in pixels (the legend takes a panel right of the data area).</param>
/// <param name="PlotHeight">PNG height in pixels.</param>
/// <param name="Plots">Whether to render plots at all.</param>
public sealed record AnalysisOptions(
    string Metric = "finetune_top1",
    OverfitRule? OverfitRule = null,
    FindingRules? FindingRules = null,
    int PlotWidth = 1000,
    int PlotHeight = 560,
    bool Plots = true);
