using System.Globalization;

namespace MimScale.Analysis.Report;

/// <summary>The side-study arms as report tables: decoder size (paper Table 8), class subset vs class-balanced fraction
/// (Table 9), and the scratch reference (pre-trained minus scratch).</summary>
public static class ArmTables
{
    /// <summary>Per (model, data, length) one row per decoder: final train loss, val loss and the metric, with the metric's change from the linear decoder.</summary>
    public static TableBlock Table8(StudyAnalysis a)
    {
        var t = a.DecoderArm;
        var metric = t.Metric ?? "metric";
        var rows = t.Rows.Select(r => new[]
        {
            r.Model, r.DataLabel, r.Iterations.ToString(CultureInfo.InvariantCulture), r.Decoder, r.Runs.ToString(CultureInfo.InvariantCulture),
            ReportTables.O(r.TrainLoss, 4), ReportTables.O(r.ValLoss, 4), ReportTables.O(r.Metric, 2),
            r.MetricDelta is { } d ? Signed(d, 2) : "-",
        }).ToList();
        return new TableBlock("Table 8: decoder size",
            "Side study, apart from the data-size grid: the same encoder, data and length pre-trained with the linear head (the main grid's run) " +
            "and with k SwinV2 blocks before it. Paper: a heavier decoder has a lower train loss and a higher val loss but no worse fine-tuning. " +
            $"Seed means; 'change' is {metric} minus the linear decoder's.",
            ["model", "data", "iters", "decoder", "runs", "train loss", "val loss", metric, "change"], rows);
    }

    /// <summary>Per model and length: the class subset and its class-balanced counterpart side by side.</summary>
    public static TableBlock Table9(StudyAnalysis a)
    {
        var t = a.ClassSubsetArm;
        var metric = t.Metric ?? "metric";
        var rows = new List<string[]>();
        foreach (var p in t.Pairs)
        {
            foreach (var (side, role) in new[] { (p.Subset, "class subset"), (p.Matched, "class-balanced") })
            {
                if (side is null) { rows.Add([p.Model, p.Iterations.ToString(CultureInfo.InvariantCulture), role, "(no fraction with a known image count)", "-", "-", "-", "-"]); continue; }
                rows.Add([p.Model, p.Iterations.ToString(CultureInfo.InvariantCulture), role, side.DataLabel, Images(side.Images),
                    ReportTables.O(side.TrainLoss, 4), ReportTables.O(side.ValLoss, 4), ReportTables.O(side.Metric(t.Metric), 2)]);
            }
            if (p.Matched is { } m)
                rows.Add([p.Model, p.Iterations.ToString(CultureInfo.InvariantCulture), "difference", "class subset - class-balanced",
                    p.Subset.Images is long a1 && m.Images is long b1 ? Signed(a1 - b1, 0) : "-",
                    Diff(p.Subset.TrainLoss, m.TrainLoss, 4), Diff(p.Subset.ValLoss, m.ValLoss, 4), Diff(p.Subset.Metric(t.Metric), m.Metric(t.Metric), 2)]);
        }
        return new TableBlock("Table 9: class subset vs class-balanced subset",
            "Side study, kept off the data axis of findings 1-2: all images of k random classes (the paper's IN100) against the main grid's " +
            "class-balanced fraction with the nearest image count (the paper's IN-1K 10%). Both are validated on the same held-out images of " +
            "every class. Paper: almost identical curves. Seed means; curves in Figure 6.",
            ["model", "iters", "sampling", "data", "images", "train loss", "val loss", metric], rows);
    }

    /// <summary>Per cell and headline metric: the cell, its model's scratch reference, the difference; the verdict sentence first in the note.</summary>
    public static TableBlock PretrainedMinusScratch(StudyAnalysis a)
    {
        var t = a.ScratchReference;
        var rows = t.Rows.Select(r => new[]
        {
            r.Model, r.DataLabel, r.Iterations.ToString(CultureInfo.InvariantCulture), r.Metric, ReportTables.F(r.Pretrained, 2),
            ReportTables.F(r.Scratch, 2), Signed(r.Difference, 2),
            string.Create(CultureInfo.InvariantCulture, $"{r.PretrainedRuns} / {r.ScratchRuns}"),
            double.IsNaN(r.PValue) ? "-" : ReportTables.F(r.PValue, 4),
        }).ToList();
        return new TableBlock("Pre-trained minus scratch",
            t.Sentence() + " Scratch: the same evaluations, recipes and seeds from a random initialisation of the same model (no pre-training, " +
            "so no val loss); kept out of the grid, Table 3, Table 7 and the findings. Seed means; p: Welch t-test over seeds ('-' with one seed).",
            ["model", "data", "iters", "metric", "pre-trained", "scratch", "difference", "seeds", "p"], rows);
    }

    private static string Images(long? n) => n is { } v ? v.ToString(CultureInfo.InvariantCulture) : "-";

    private static string Diff(double? a, double? b, int digits) => a is { } x && b is { } y ? Signed(x - y, digits) : "-";

    private static string Signed(double v, int digits) => (v >= 0 ? "+" : "") + ReportTables.F(v, digits);
}
