using MimScale.Analysis.Grid;
using MimScale.Analysis.Results;

namespace MimScale.Analysis.Overfitting;

/// <summary>Applies <see cref="OverfitRule"/> to every run of a study (see the rule for the exact definitions).</summary>
public static class OverfitDetector
{
    /// <summary>One assessment per run, in the order of <paramref name="results"/>.Runs.</summary>
    public static IReadOnlyList<OverfitAssessment> Assess(StudyResults results, OverfitRule? rule = null)
    {
        rule ??= new OverfitRule();
        var grid = new ResultGrid(results);
        return results.Runs.Select(run => FromCurve(run, rule) ?? CrossRun(run, grid, rule)).ToList();
    }

    /// <summary>The curve rule, or null when the run has fewer than <see cref="OverfitRule.MinValPoints"/> validation points.</summary>
    public static OverfitAssessment? FromCurve(RunResult run, OverfitRule rule)
    {
        var val = run.Curve.Where(p => p.ValLoss.HasValue).OrderBy(p => p.Iteration).ToList();
        if (val.Count < rule.MinValPoints) return null;
        var min = val[0];
        foreach (var p in val) if (p.ValLoss < min.ValLoss) min = p; // first occurrence of the minimum
        var last = val[^1];
        double rise = last.ValLoss!.Value - min.ValLoss!.Value;
        double relative = Relative(rise, min.ValLoss.Value);
        bool overfits = relative > rule.MinRelativeRise && min.Iteration < last.Iteration;

        // Train loss over the same span: the first logged value at or after the minimum vs the last logged value.
        var train = run.Curve.Where(p => p.TrainLoss.HasValue && p.Iteration >= min.Iteration).OrderBy(p => p.Iteration).ToList();
        bool? kept = train.Count >= 2 ? train[^1].TrainLoss < train[0].TrainLoss : null;

        return new OverfitAssessment(run, overfits ? OverfitStatus.Overfitting : OverfitStatus.NotOverfitting,
            OverfitBasis.Curve, min.Iteration, min.ValLoss, last.ValLoss, rise, relative, kept);
    }

    /// <summary>The cross-run rule on seed means of the run's (model, data) series.</summary>
    public static OverfitAssessment CrossRun(RunResult run, ResultGrid grid, OverfitRule rule)
    {
        var series = grid.Series(run.Model, run.DataLabel).Where(c => c.ValLoss.HasValue).ToList();
        int index = series.FindIndex(c => c.Iterations == run.Iterations);
        if (index < 0 || series.Count < 2) return new OverfitAssessment(run, OverfitStatus.Unknown, OverfitBasis.None);

        var self = series[index];
        var best = self;
        for (int i = 0; i < index; i++) if (series[i].ValLoss < best.ValLoss) best = series[i];
        double rise = self.ValLoss!.Value - best.ValLoss!.Value;
        double relative = Relative(rise, best.ValLoss.Value);
        bool overfits = relative > rule.MinRelativeRise;
        bool? kept = best != self && self.TrainLoss is { } tEnd && best.TrainLoss is { } tMin ? tEnd < tMin : null;
        return new OverfitAssessment(run, overfits ? OverfitStatus.Overfitting : OverfitStatus.NotOverfitting,
            OverfitBasis.CrossRun, best.Iterations, best.ValLoss, self.ValLoss, rise, relative, kept);
    }

    private static double Relative(double rise, double reference) =>
        reference != 0 ? rise / Math.Abs(reference) : rise > 0 ? double.PositiveInfinity : 0;
}
