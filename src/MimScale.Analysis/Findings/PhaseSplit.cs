using MimScale.Analysis.Overfitting;
using MimScale.Analysis.Results;
using MimScale.Analysis.Statistics;

namespace MimScale.Analysis.Findings;

/// <summary>One overfitting run measured against the non-overfitting fit of finding 3(c).</summary>
/// <param name="Run">The run.</param>
/// <param name="Predicted">The fit's metric at the run's final val loss.</param>
/// <param name="Residual">Metric minus <paramref name="Predicted"/>.</param>
/// <param name="FallsOff">Whether |residual| exceeds the stated number of residual standard deviations.</param>
public sealed record PhaseResidual(RunResult Run, double Predicted, double Residual, bool FallsOff);

/// <summary>
/// Finding 3(c)'s phase split on the primary metric: the least-squares line of metric on final val loss over the
/// non-overfitting runs, its residual standard deviation sqrt(SS_res / (n - 2)), and every overfitting run's residual.
/// </summary>
/// <param name="Metric">The metric.</param>
/// <param name="NonOverfitting">Correlation and fit over the non-overfitting runs.</param>
/// <param name="ResidualSd">Residual standard deviation of that fit.</param>
/// <param name="Sigmas">How many residual standard deviations count as falling off.</param>
/// <param name="Overfitting">The overfitting runs with a val loss and the metric, in study order.</param>
/// <param name="OverfittingFit">Correlation and fit over the overfitting runs (the paper: a different slope).</param>
public sealed record PhaseSplit(string Metric, Correlation NonOverfitting, double ResidualSd, double Sigmas,
    IReadOnlyList<PhaseResidual> Overfitting, Correlation OverfittingFit)
{
    /// <summary>Builds the split, or null when fewer than three non-overfitting runs with distinct val losses exist.</summary>
    public static PhaseSplit? Build(StudyResults results, IReadOnlyList<OverfitAssessment> overfitting, string metric, double sigmas)
    {
        var status = new Dictionary<RunResult, OverfitStatus>(ReferenceEqualityComparer.Instance);
        foreach (var o in overfitting) status[o.Run] = o.Status;
        bool Usable(RunResult r) => r.FinalValLoss.HasValue && r.Metric(metric).HasValue;
        OverfitStatus Of(RunResult r) => status.TryGetValue(r, out var s) ? s : OverfitStatus.Unknown;
        var non = results.Runs.Where(r => Usable(r) && Of(r) == OverfitStatus.NotOverfitting).ToList();
        var over = results.Runs.Where(r => Usable(r) && Of(r) == OverfitStatus.Overfitting).ToList();
        var corr = Correlation.Of(non.Select(r => r.FinalValLoss!.Value).ToList(), non.Select(r => r.Metric(metric)!.Value).ToList());
        if (corr.Fit is not { } fit || non.Count < 3) return null;
        double ss = non.Sum(r => Math.Pow(r.Metric(metric)!.Value - fit.Predict(r.FinalValLoss!.Value), 2));
        double sd = Math.Sqrt(ss / (non.Count - 2));
        var residuals = over.Select(r =>
        {
            double predicted = fit.Predict(r.FinalValLoss!.Value), residual = r.Metric(metric)!.Value - predicted;
            return new PhaseResidual(r, predicted, residual, Math.Abs(residual) > sigmas * sd);
        }).ToList();
        var overCorr = Correlation.Of(over.Select(r => r.FinalValLoss!.Value).ToList(), over.Select(r => r.Metric(metric)!.Value).ToList());
        return new PhaseSplit(metric, corr, sd, sigmas, residuals, overCorr);
    }
}
