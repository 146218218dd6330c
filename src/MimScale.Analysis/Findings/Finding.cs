namespace MimScale.Analysis;

/// <summary>Outcome of testing one of the paper's findings on a study's results.</summary>
public enum FindingVerdict
{
    /// <summary>The stated rule is satisfied.</summary>
    Holds,
    /// <summary>The rule could be evaluated and is not satisfied.</summary>
    DoesNotHold,
    /// <summary>The results lack what the rule needs (runs, lengths, sizes or a metric).</summary>
    NotEnoughData,
}

/// <summary>One of the paper's findings, the rule used to test it, the verdict and the numbers behind it.</summary>
/// <param name="Number">1, 2 or 3 as in SPEC §0.</param>
/// <param name="Title">Short title.</param>
/// <param name="Statement">The paper's claim in one sentence.</param>
/// <param name="Rule">The exact test applied, with thresholds.</param>
/// <param name="Verdict">Outcome.</param>
/// <param name="Evidence">Lines of evidence with numbers (or what was missing).</param>
public sealed record Finding(int Number, string Title, string Statement, string Rule, FindingVerdict Verdict,
    IReadOnlyList<string> Evidence);

/// <summary>Thresholds of the finding rules.</summary>
/// <param name="CorrelationThreshold">Finding 3: Pearson r of val loss vs metric must be at most this (strong negative).</param>
/// <param name="MinCorrelationPoints">Finding 3: runs needed for a correlation to count (overall and per model).</param>
/// <param name="LargerModelsFraction">Finding 2: the top ceil(fraction x eligible models) by size are the "larger models".</param>
/// <param name="MinLossChange">Findings 1 and 2 on validation loss: a rise or a gain increase must exceed this (loss units).</param>
/// <param name="MinMetricChange">Findings 1 and 2 on a metric: a fall or a gain increase must exceed this (metric units,
/// percentage points: one run's top-1 on 2,000 images at 70% has a standard error of 1 point, so smaller changes are noise).</param>
public sealed record FindingRules(
    double CorrelationThreshold = -0.5,
    int MinCorrelationPoints = 4,
    double LargerModelsFraction = 0.5,
    double MinLossChange = 0.001,
    double MinMetricChange = 0.5)
{
    /// <summary>The threshold for changes of the loss (<paramref name="onLoss"/>) or of the metric.</summary>
    public double MinChange(bool onLoss) => onLoss ? MinLossChange : MinMetricChange;
}
