using System.Text;
using ScottPlot;

namespace MimScale.Analysis;

/// <summary>
/// Renders the study figures with ScottPlot (Skia backend) as PNG bytes:
/// loss curves per model across data sizes and per data size across models (paper Figures 1/7/8),
/// metric vs training length per model with one line per data size (Figure 2), and val loss vs metric with a
/// least-squares line per model (Figure 4). Runs without curves contribute their final val loss at each length.
/// </summary>
public static class StudyPlots
{
    /// <summary>Renders every figure the results support; figures with no points are skipped.</summary>
    public static IReadOnlyList<PlotImage> Render(StudyResults results, string? metric, int width = 800, int height = 560)
    {
        var grid = new ResultGrid(results);
        var images = new List<PlotImage>();
        foreach (var m in grid.Models)
            Add(images, $"loss-model-{Slug(m)}.png", $"{m}: loss vs iterations, one colour per data size", "Figure 1/7/8 (per model)",
                width, height, plot => LossPanel(plot, grid, grid.DataLabels.Select(d => (d, m, d)).ToList()));
        foreach (var d in grid.DataLabels)
            Add(images, $"loss-data-{Slug(d)}.png", $"{d}: loss vs iterations, one colour per model", "Figure 1/7/8 (per data size)",
                width, height, plot => LossPanel(plot, grid, grid.Models.Select(m => (m, m, d)).ToList()));
        if (metric is not null && results.HasMetric(metric))
        {
            foreach (var m in grid.Models)
                Add(images, $"metric-length-{Slug(m)}.png", $"{m}: {metric} vs training length, one line per data size", "Figure 2",
                    width, height, plot => MetricPanel(plot, grid, m, metric));
            Add(images, "valloss-vs-metric.png", $"Final val loss vs {metric} with least-squares lines per model", "Figure 4",
                width, height, plot => ProxyPanel(plot, results, grid, metric));
        }
        return images;
    }

    private static void Add(List<PlotImage> images, string file, string title, string figure, int w, int h, Func<Plot, int> fill)
    {
        var plot = new Plot();
        if (PlotFonts.FontFile is not null) plot.Font.Set(PlotFonts.Family);
        if (fill(plot) == 0) return;
        // Two names can share a slug ("SwinV2-G" and "SwinV2-g"): keep file names unique.
        var stem = Path.GetFileNameWithoutExtension(file);
        for (int k = 2; images.Any(i => i.FileName == file); k++) file = $"{stem}-{k}.png";
        plot.Title(title);
        plot.ShowLegend(Alignment.UpperRight);
        images.Add(new PlotImage(file, title, figure, plot.GetImageBytes(w, h, ImageFormat.Png)));
    }

    /// <summary>One colour per (label, model, data) entry: val curve solid, train curve dashed, final val per length as markers.</summary>
    private static int LossPanel(Plot plot, ResultGrid grid, List<(string Label, string Model, string Data)> entries)
    {
        int points = 0;
        for (int i = 0; i < entries.Count; i++)
        {
            var (label, model, data) = entries[i];
            var color = Colors.Category10[i % Colors.Category10.Length];
            var series = grid.Series(model, data);
            var withCurve = series.SelectMany(c => c.Runs).Where(r => r.Curve.Count > 0)
                .OrderByDescending(r => r.Iterations).ThenBy(r => r.Seed).FirstOrDefault();
            if (withCurve is not null)
            {
                var val = withCurve.Curve.Where(p => p.ValLoss.HasValue).ToList();
                var train = withCurve.Curve.Where(p => p.TrainLoss.HasValue).ToList();
                points += Line(plot, val.Select(p => (double)p.Iteration), val.Select(p => p.ValLoss!.Value), color, $"{label} val", LinePattern.Solid, 0);
                points += Line(plot, train.Select(p => (double)p.Iteration), train.Select(p => p.TrainLoss!.Value), color, $"{label} train", LinePattern.Dashed, 0);
            }
            var finals = series.Where(c => c.ValLoss.HasValue).ToList();
            points += Line(plot, finals.Select(c => (double)c.Iterations), finals.Select(c => c.ValLoss!.Value), color,
                withCurve is null ? $"{label} final val" : "", LinePattern.Dotted, 7, lineWidth: withCurve is null ? 2 : 0);
        }
        plot.XLabel("iterations");
        plot.YLabel("loss");
        return points;
    }

    private static int MetricPanel(Plot plot, ResultGrid grid, string model, string metric)
    {
        int points = 0;
        for (int i = 0; i < grid.DataLabels.Count; i++)
        {
            var cells = grid.Series(model, grid.DataLabels[i]).Where(c => c.Metric(metric).HasValue).ToList();
            points += Line(plot, cells.Select(c => (double)c.Iterations), cells.Select(c => c.Metric(metric)!.Value),
                Colors.Category10[i % Colors.Category10.Length], grid.DataLabels[i], LinePattern.Solid, 7);
        }
        plot.XLabel("training length (iterations)");
        plot.YLabel(metric);
        return points;
    }

    private static int ProxyPanel(Plot plot, StudyResults results, ResultGrid grid, string metric)
    {
        int points = 0;
        for (int i = 0; i < grid.Models.Count; i++)
        {
            var runs = results.Runs.Where(r => r.Model == grid.Models[i] && r.FinalValLoss.HasValue && r.Metric(metric).HasValue).ToList();
            var xs = runs.Select(r => r.FinalValLoss!.Value).ToList();
            var ys = runs.Select(r => r.Metric(metric)!.Value).ToList();
            var color = Colors.Category10[i % Colors.Category10.Length];
            var c = Correlation.Of(xs, ys);
            var legend = double.IsNaN(c.Pearson) ? grid.Models[i] : $"{grid.Models[i]} (r = {c.Pearson:F2})";
            points += Line(plot, xs, ys, color, legend, LinePattern.Solid, 7, lineWidth: 0);
            if (c.Fit is { } fit)
                Line(plot, [xs.Min(), xs.Max()], [fit.Predict(xs.Min()), fit.Predict(xs.Max())], color, "", LinePattern.Solid, 0);
        }
        plot.XLabel("final validation loss");
        plot.YLabel(metric);
        return points;
    }

    /// <summary>Adds one series; returns its point count (0 adds nothing).</summary>
    private static int Line(Plot plot, IEnumerable<double> xs, IEnumerable<double> ys, Color color, string legend,
        LinePattern pattern, float markerSize, float lineWidth = 2)
    {
        var x = xs.ToArray();
        var y = ys.ToArray();
        if (x.Length == 0) return 0;
        var s = plot.Add.Scatter(x, y);
        s.Color = color;
        s.LineWidth = lineWidth;
        s.LinePattern = pattern;
        s.MarkerSize = markerSize;
        s.LegendText = legend;
        return x.Length;
    }

    /// <summary>File-name-safe lower-case slug: "ImageNet-1K 10%" -> "imagenet-1k-10pct".</summary>
    internal static string Slug(string name)
    {
        var sb = new StringBuilder();
        foreach (char c in name.Replace("%", "pct"))
            sb.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-');
        var slug = string.Join('-', sb.ToString().Split('-', StringSplitOptions.RemoveEmptyEntries));
        return slug.Length == 0 ? "unnamed" : slug;
    }
}
