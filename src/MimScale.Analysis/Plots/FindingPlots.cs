using MimScale.Analysis.Findings;
using MimScale.Analysis.Report;
using MimScale.Analysis.Statistics;
using MimScale.Analysis.Tables;
using ScottPlot;

namespace MimScale.Analysis.Plots;

/// <summary>
/// The two figures drawn from the findings: Table 3 as lines over the data sizes with finding 1(c)'s inversion squared, and
/// val loss vs metric with finding 3(c)'s phase split (the non-overfitting least-squares line with a band of the stated
/// number of residual standard deviations, the overfitting runs ringed, their own line dashed).
/// </summary>
internal static class FindingPlots
{
    /// <summary>Best metric per data size (categorical x axis in data order), one line per model; returns the point count.</summary>
    public static int Table3Panel(Plot plot, StudyAnalysis a, string metric)
    {
        var t = a.BestMetric;
        if (t is null) return 0;
        double X(string d) => IndexOf(t.DataLabels, d);
        int points = 0;
        for (int i = 0; i < t.Models.Count; i++)
        {
            var entries = t.DataLabels.Select(d => t.Get(t.Models[i], d)).OfType<BestMetricEntry>().ToList();
            points += StudyPlots.Line(plot, entries.Select(e => X(e.DataLabel)), entries.Select(e => e.Value),
                Colors.Category10[i % Colors.Category10.Length], t.Models[i], LinePattern.Solid, 7);
        }
        if (a.Findings.Witness is { Competitor: not null } w)
        {
            var cells = w.InversionCells.Select(c => t.Get(c.Model, c.Data)).OfType<BestMetricEntry>().ToList();
            StudyPlots.Line(plot, cells.Select(e => X(e.DataLabel)), cells.Select(e => e.Value), PlotMarks.Witness,
                $"finding 1(c): {w.Model} vs {w.Competitor} ({Finding.Words(a.Findings.Overfit.Sub("c").Verdict)})",
                LinePattern.Solid, 24, lineWidth: 0, shape: MarkerShape.OpenSquare);
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, t.DataLabels.Count).Select(i => (double)i).ToArray(), t.DataLabels.ToArray());
        plot.Axes.SetLimitsX(-0.4, t.DataLabels.Count - 0.6);
        plot.XLabel("pre-training data");
        plot.YLabel($"best {metric} over lengths");
        return points;
    }

    /// <summary>Runs coloured by model, overfitting runs ringed, the non-overfitting fit with its band, the overfitting fit dashed.</summary>
    public static int PhasePanel(Plot plot, StudyAnalysis a, string metric)
    {
        var grid = a.Grid;
        var runs = a.Results.Runs;
        int points = 0;
        for (int i = 0; i < grid.Models.Count; i++)
        {
            var mine = runs.Where(r => r.Model == grid.Models[i] && r.FinalValLoss.HasValue && r.Metric(metric).HasValue).ToList();
            var xs = mine.Select(r => r.FinalValLoss!.Value).ToList();
            var ys = mine.Select(r => r.Metric(metric)!.Value).ToList();
            var c = Correlation.Of(xs, ys);
            var legend = double.IsNaN(c.Pearson) ? grid.Models[i] : $"{grid.Models[i]} (r = {c.Pearson:F2})";
            points += StudyPlots.Line(plot, xs, ys, Colors.Category10[i % Colors.Category10.Length], legend, LinePattern.Solid, 7, lineWidth: 0);
        }
        if (points == 0 || a.Findings.Phase is not { } phase) return points;

        var all = runs.Where(r => r.FinalValLoss.HasValue && r.Metric(metric).HasValue).Select(r => r.FinalValLoss!.Value).ToList();
        double lo = all.Min(), hi = all.Max();
        var fit = phase.NonOverfitting.Fit!;
        double band = phase.Sigmas * phase.ResidualSd;
        StudyPlots.Line(plot, [lo, hi], [fit.Predict(lo), fit.Predict(hi)], Colors.Black,
            $"non-overfitting fit (r = {phase.NonOverfitting.Pearson:F2}, n = {phase.NonOverfitting.N})", LinePattern.Solid, 0);
        StudyPlots.Line(plot, [lo, hi], [fit.Predict(lo) + band, fit.Predict(hi) + band], Colors.Gray,
            $"fit ± {phase.Sigmas:0.##} residual sd", LinePattern.Dotted, 0, lineWidth: 1.5f);
        StudyPlots.Line(plot, [lo, hi], [fit.Predict(lo) - band, fit.Predict(hi) - band], Colors.Gray, "", LinePattern.Dotted, 0, lineWidth: 1.5f);
        var over = phase.Overfitting;
        StudyPlots.Line(plot, over.Select(p => p.Run.FinalValLoss!.Value), over.Select(p => p.Run.Metric(metric)!.Value), PlotMarks.Ring,
            $"overfitting run ({over.Count(p => p.FallsOff)} of {over.Count} off the band)", LinePattern.Solid, 16, lineWidth: 0, shape: MarkerShape.OpenCircle);
        if (phase.OverfittingFit.Fit is { } of && over.Count >= 2)
        {
            double olo = over.Min(p => p.Run.FinalValLoss!.Value), ohi = over.Max(p => p.Run.FinalValLoss!.Value);
            StudyPlots.Line(plot, [olo, ohi], [of.Predict(olo), of.Predict(ohi)], Colors.Gray,
                $"overfitting runs' fit (r = {phase.OverfittingFit.Pearson:F2}, n = {phase.OverfittingFit.N})", LinePattern.Dashed, 0);
        }
        plot.XLabel("final validation loss");
        plot.YLabel(metric);
        return points;
    }

    private static int IndexOf(IReadOnlyList<string> list, string value)
    {
        for (int i = 0; i < list.Count; i++) if (list[i] == value) return i;
        return -1;
    }
}
