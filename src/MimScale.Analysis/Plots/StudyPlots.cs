using System.Text;
using MimScale.Analysis.Grid;
using MimScale.Analysis.Report;
using ScottPlot;
// ScottPlot has a GridCell of its own; the grid cell here is always the study grid's.
using GridCell = MimScale.Analysis.Grid.GridCell;

namespace MimScale.Analysis.Plots;

/// <summary>
/// Renders the study figures with ScottPlot (Skia backend) as PNG bytes: loss curves per model and per data size with the
/// overfitting runs and finding 1's witness marked (paper Figures 1/7/8), metric vs training length per data size
/// (Figure 2), Table 3 as a figure with finding 1's inversion highlighted, and val loss vs metric with finding 3's phase
/// split (Figure 4, <see cref="FindingPlots"/>). Runs without curves contribute their final val loss at each length.
/// Legends sit outside the data area, so no legend or label covers a curve.
/// </summary>
public static class StudyPlots
{
    /// <summary>Renders every figure the analysis supports; figures with no points are skipped.</summary>
    public static IReadOnlyList<PlotImage> Render(StudyAnalysis a, int width = 1000, int height = 560)
    {
        var grid = a.Grid;
        var marks = PlotMarks.Of(a);
        var images = new List<PlotImage>();
        foreach (var d in grid.DataLabels)
            Add(images, $"loss-data-{Slug(d)}.png", $"{d}: loss vs iterations, one colour per model", "Figure 1/7/8 (per data size)",
                width, height, plot => LossPanel(plot, grid, marks, grid.Models.Select(m => (m, m, d)).ToList()));
        foreach (var m in grid.Models)
            Add(images, $"loss-model-{Slug(m)}.png", $"{m}: loss vs iterations, one colour per data size", "Figure 1/7/8 (per model)",
                width, height, plot => LossPanel(plot, grid, marks, grid.DataLabels.Select(d => (d, m, d)).ToList()));
        if (a.Metric is { } metric)
        {
            foreach (var d in grid.DataLabels)
                Add(images, $"metric-length-{Slug(d)}.png", $"{d}: {metric} vs training length, one line per model", "Figure 2 (per data size)",
                    width, height, plot => MetricPanel(plot, grid, marks, d, metric));
            Add(images, "table3-best-metric.png", $"Table 3: best {metric} per data size, one line per model", "Table 3",
                width, height, plot => FindingPlots.Table3Panel(plot, a, metric));
            Add(images, "valloss-vs-metric.png", $"Final val loss vs {metric}: non-overfitting fit and overfitting runs", "Figure 4",
                width, height, plot => FindingPlots.PhasePanel(plot, a, metric));
        }
        ArmPlots.Render(images, a, width, height);
        return images;
    }

    internal static void Add(List<PlotImage> images, string file, string title, string figure, int w, int h, Func<Plot, int> fill)
    {
        var plot = new Plot();
        if (PlotFonts.FontFile is not null) plot.Font.Set(PlotFonts.Family);
        if (fill(plot) == 0) return;
        // Two names can share a slug ("SwinV2-G" and "SwinV2-g"): keep file names unique.
        var stem = Path.GetFileNameWithoutExtension(file);
        for (int k = 2; images.Any(i => i.FileName == file); k++) file = $"{stem}-{k}.png";
        plot.Title(title);
        // A legend inside the data area covers curves whatever corner it takes: put it in its own panel on the right.
        plot.ShowLegend(Edge.Bottom);
        plot.Legend.Orientation = Orientation.Horizontal;
        images.Add(new PlotImage(file, title, figure, plot.GetImageBytes(w, h, ImageFormat.Png)));
    }

    /// <summary>One colour per (label, model, data) entry: val curve solid, train curve dashed, final val per length as markers.</summary>
    private static int LossPanel(Plot plot, ResultGrid grid, PlotMarks marks, List<(string Label, string Model, string Data)> entries)
    {
        int points = 0;
        var finals = new List<GridCell>();
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
            var cells = series.Where(c => c.ValLoss.HasValue).ToList();
            finals.AddRange(cells);
            points += Line(plot, cells.Select(c => (double)c.Iterations), cells.Select(c => c.ValLoss!.Value), color,
                withCurve is null ? $"{label} final val" : "", LinePattern.Dotted, 7, lineWidth: withCurve is null ? 2 : 0);
        }
        marks.Mark(plot, finals, c => c.ValLoss!.Value);
        plot.XLabel("iterations");
        plot.YLabel("loss");
        return points;
    }

    private static int MetricPanel(Plot plot, ResultGrid grid, PlotMarks marks, string data, string metric)
    {
        int points = 0;
        var all = new List<GridCell>();
        for (int i = 0; i < grid.Models.Count; i++)
        {
            var cells = grid.Series(grid.Models[i], data).Where(c => c.Metric(metric).HasValue).ToList();
            all.AddRange(cells);
            points += Line(plot, cells.Select(c => (double)c.Iterations), cells.Select(c => c.Metric(metric)!.Value),
                Colors.Category10[i % Colors.Category10.Length], grid.Models[i], LinePattern.Solid, 7);
        }
        marks.Mark(plot, all, c => c.Metric(metric)!.Value);
        plot.XLabel("training length (iterations)");
        plot.YLabel(metric);
        return points;
    }

    /// <summary>Adds one series; returns its point count (0 adds nothing).</summary>
    internal static int Line(Plot plot, IEnumerable<double> xs, IEnumerable<double> ys, Color color, string legend,
        LinePattern pattern, float markerSize, float lineWidth = 2, MarkerShape shape = MarkerShape.FilledCircle)
    {
        var x = xs.ToArray();
        var y = ys.ToArray();
        if (x.Length == 0) return 0;
        var s = plot.Add.Scatter(x, y);
        s.Color = color;
        s.LineWidth = lineWidth;
        s.LinePattern = pattern;
        s.MarkerSize = markerSize;
        s.MarkerShape = shape;
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
