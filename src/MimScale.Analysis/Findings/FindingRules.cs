namespace MimScale.Analysis.Findings;

/// <summary>
/// Thresholds and choices of the finding rules. Every value is a stated default, never fitted to the results.
/// </summary>
/// <param name="CorrelationThreshold">Finding 3: a Pearson r of loss vs metric at most this is "strong" (negative).</param>
/// <param name="MinCorrelationPoints">Finding 3: runs needed for a correlation to count (overall, per model, per group).</param>
/// <param name="LargerModelsFraction">Findings 1 and 2: the larger models are the top floor(fraction x n) of the n model
/// sizes (at least one), the smaller models the bottom as many. With 0.5 and an odd n the middle size is in neither half,
/// so "larger" never means "the upper half plus the median".</param>
/// <param name="SmallerDataFraction">Finding 1: the smaller data sizes are the bottom floor(fraction x n) of the n data
/// sizes on the data axis (at least one).</param>
/// <param name="MinLossChange">A change of validation loss counts only beyond this (loss units).</param>
/// <param name="MinMetricChange">A change or gap of a downstream metric counts only beyond this (metric units, percentage
/// points: one run's top-1 on 2,000 images at 70% has a standard error of 1 point, and the paper's own 50% vs 100% gaps at
/// 125K are up to 0.20, so smaller differences are noise).</param>
/// <param name="PhaseResidualSigmas">Finding 3(c): an overfitting run "falls off" the non-overfitting fit when its residual
/// exceeds this many residual standard deviations of that fit.</param>
/// <param name="OtherDataOnAxis">Findings 1 and 2: whether data sets that are not a fraction of the base set (ImageNet-22K
/// next to the ImageNet-1K fractions) join the data axis by image count. Off by default: such a set differs in its classes
/// and images, not only in its size (the validation loss is measured on ImageNet-1K val), so its gap to the full base set
/// mixes data size with a change of distribution; the paper states finding 2 on 50% vs 100% of ImageNet-1K.</param>
public sealed record FindingRules(
    double CorrelationThreshold = -0.5,
    int MinCorrelationPoints = 4,
    double LargerModelsFraction = 0.5,
    double SmallerDataFraction = 0.5,
    double MinLossChange = 0.001,
    double MinMetricChange = 0.5,
    double PhaseResidualSigmas = 2.0,
    bool OtherDataOnAxis = false)
{
    /// <summary>The threshold for changes of the loss (<paramref name="onLoss"/>) or of the metric.</summary>
    public double MinChange(bool onLoss) => onLoss ? MinLossChange : MinMetricChange;

    /// <summary>floor(<paramref name="fraction"/> x <paramref name="n"/>), at least one (zero when n is zero).</summary>
    public static int HalfCount(int n, double fraction) =>
        n == 0 ? 0 : Math.Max(1, (int)Math.Floor(fraction * n + 1e-9)); // 1e-9: 0.5 x 4 must not floor to 1.999..
}
