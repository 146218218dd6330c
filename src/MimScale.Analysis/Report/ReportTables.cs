using System.Globalization;
using MimScale.Analysis.Findings;
using MimScale.Analysis.Grid;
using MimScale.Analysis.Overfitting;
using MimScale.Analysis.Results;
using MimScale.Analysis.Statistics;

namespace MimScale.Analysis.Report;

/// <summary>The report's tables as <see cref="TableBlock"/>s, shared by the text, Markdown and HTML reports.</summary>
public static class ReportTables
{
    /// <summary>Table 3, pre-trained minus scratch (with a scratch reference), the grid, Table 7, the side-study arms (Tables 8 and 9, when the study has them), overfitting,
    /// compute and reconstructions, in report order (the findings table comes first, apart).</summary>
    public static IReadOnlyList<TableBlock> All(StudyAnalysis a) =>
    [
        Table3(a),
        .. a.ScratchReference.Rows.Count > 0 ? [ArmTables.PretrainedMinusScratch(a)] : Array.Empty<TableBlock>(),
        Grid(a), Table7(a),
        .. a.DecoderArm.Rows.Count > 0 ? [ArmTables.Table8(a)] : Array.Empty<TableBlock>(),
        .. a.ClassSubsetArm.Pairs.Count > 0 ? [ArmTables.Table9(a)] : Array.Empty<TableBlock>(),
        Overfitting(a), Compute(a), Reconstructions(a),
    ];

    /// <summary>One row per finding (its combined verdict) followed by one row per sub-claim with the numbers behind it.</summary>
    public static TableBlock Findings(StudyAnalysis a)
    {
        var rows = new List<string[]>();
        foreach (var f in a.Findings.All)
        {
            rows.Add([$"Finding {f.Number}: {f.Title}", "all", Finding.Words(f.Verdict),
                string.Join(", ", f.SubClaims.Select(s => $"({s.Id}) {Finding.Words(s.Verdict)}"))]);
            rows.AddRange(f.SubClaims.Select(s => new[] { $"Finding {f.Number}", $"({s.Id})", Finding.Words(s.Verdict), s.Numbers }));
        }
        string reading = a.ScratchReference.Reading(a.Metric, a.Rules.MinMetricChange);
        return new TableBlock("Findings table", "A finding holds when all its sub-claims hold, does not hold when one does not, and has " +
            "not enough data otherwise. Rules and all numbers: the finding sections." + (reading.Length > 0 ? " " + reading : ""),
            ["finding", "sub-claim", "verdict", "numbers"], rows);
    }

    /// <summary>Best metric per (model, data) over lengths, with the length that reached it.</summary>
    public static TableBlock Table3(StudyAnalysis a)
    {
        const string title = "Table 3: best metric per model and data size";
        if (a.BestMetric is not { } t)
            return new TableBlock(title, $"No run reports '{a.RequestedMetric}'.", ["model"], []);
        var rows = t.Models.Select(m => new[] { m }.Concat(t.DataLabels.Select(d =>
            t.Get(m, d) is { } e ? F(e.Value, 2) : "-")).ToArray()).ToList();
        var at = t.Entries.Select(e => $"{e.Model}/{e.DataLabel}@{e.AtIterations}");
        var note = $"{t.Metric}, max over training lengths of the seed mean. Reached at: {string.Join(", ", at)}.";
        var highlights = new HashSet<(int, int)>();
        if (a.Findings.Witness is { Competitor: not null } w)
        {
            foreach (var (m, d) in w.InversionCells)
                highlights.Add((IndexOf(t.Models, m), IndexOf(t.DataLabels, d) + 1));
            note += $" Highlighted: finding 1(c)'s comparison of {w.Model} with {w.Competitor} on {w.Data} and {w.LargestData} " +
                    $"({Finding.Words(a.Findings.Overfit.Sub("c").Verdict)}).";
        }
        return new TableBlock(title, note, new[] { "model" }.Concat(t.DataLabels).ToList(), rows) { Highlights = highlights };
    }

    /// <summary>Final val loss / metric per (model, data) and length.</summary>
    public static TableBlock Grid(StudyAnalysis a)
    {
        var g = a.Grid;
        var rows = new List<string[]>();
        foreach (var m in g.Models)
            foreach (var d in g.DataLabels)
            {
                if (g.Series(m, d).Count == 0) continue;
                rows.Add(new[] { m, d }.Concat(g.Lengths.Select(l => g.Cell(m, d, l) is { } c ? Cell(c, a.Metric) : "-")).ToArray());
            }
        var note = a.Metric is null ? "Final val loss (seed mean; n = seeds when > 1)." : $"Final val loss / {a.Metric} (seed means; n = seeds when > 1).";
        return new TableBlock("Results grid", note, new[] { "model", "data" }.Concat(g.Lengths.Select(l => l.ToString(CultureInfo.InvariantCulture))).ToList(), rows);
    }

    /// <summary>Correlations of val and train loss with every metric, with least-squares fits.</summary>
    public static TableBlock Table7(StudyAnalysis a)
    {
        var rows = a.Correlations.Rows.Select(r => new[]
        {
            r.Loss, r.Metric, r.Group, r.Stats.N.ToString(CultureInfo.InvariantCulture), F(r.Stats.Pearson, 4), P(r.Stats.PearsonP),
            F(r.Stats.Spearman, 4), r.Stats.Fit is { } f ? F(f.Slope, 3) : "-", r.Stats.Fit is { } f2 ? F(f2.Intercept, 3) : "-",
            r.Stats.Fit is { } f3 ? F(f3.RSquared, 4) : "-",
        }).ToList();
        return new TableBlock("Table 7: loss vs downstream metric correlations",
            "Each run is one point; every downstream metric has its 'all' rows (n/a while n < 2). Fit: metric = intercept + slope x loss " +
            "(least squares). p: two-sided, t distribution with n-2 df. Overfitting split by the rule in the overfitting table.",
            ["loss", "metric", "group", "n", "pearson r", "p", "spearman", "slope", "intercept", "R2"], rows);
    }

    /// <summary>Per-run overfitting assessment.</summary>
    public static TableBlock Overfitting(StudyAnalysis a)
    {
        var rows = a.Overfitting.Select(o => new[]
        {
            o.Run.Model, o.Run.DataLabel, o.Run.Iterations.ToString(CultureInfo.InvariantCulture), o.Run.Seed.ToString(CultureInfo.InvariantCulture),
            o.Status.ToString(), o.Basis.ToString(), o.MinValIteration?.ToString(CultureInfo.InvariantCulture) ?? "-",
            O(o.MinValLoss, 4), O(o.FinalValLoss, 4), O(o.Rise, 4), o.RelativeRise is { } rr ? F(100 * rr, 2) + "%" : "-",
            o.TrainKeptFalling is { } k ? (k ? "yes" : "no") : "-",
        }).ToList();
        return new TableBlock("Overfitting per run", "Rule: " + a.OverfitRule.Describe(),
            ["model", "data", "iters", "seed", "status", "basis", "min val @", "min val", "final val", "rise", "rel rise", "train kept falling"], rows);
    }

    /// <summary>Compute spent per run with totals.</summary>
    public static TableBlock Compute(StudyAnalysis a)
    {
        var runs = a.Results.Runs.Where(r => r.Compute is not null).ToList();
        var rows = runs.Select(r => new[]
        {
            r.Model, RunArms.DataWithVariant(r), r.Iterations.ToString(CultureInfo.InvariantCulture), r.Seed.ToString(CultureInfo.InvariantCulture),
            r.Compute!.Flops is { } f ? f.ToString("0.000e+00", CultureInfo.InvariantCulture) : "-",
            r.Compute.WallSeconds is { } s ? F(s, 1) : "-", r.Compute.Device ?? "-",
        }).ToList();
        if (runs.Count > 0)
            rows.Add(["total", "", "", "", runs.Sum(r => r.Compute!.Flops ?? 0).ToString("0.000e+00", CultureInfo.InvariantCulture),
                F(runs.Sum(r => r.Compute!.WallSeconds ?? 0), 1), ""]);
        var note = runs.Count == 0 ? "No run records compute." : $"{runs.Count} of {a.Results.Runs.Count} runs record compute; totals sum the known values.";
        return new TableBlock("Compute spent per run", note, ["model", "data", "iters", "seed", "FLOPs", "wall s", "device"], rows);
    }

    /// <summary>Reconstruction image paths per run (paper Figure 5; the images are produced by the study runner).</summary>
    public static TableBlock Reconstructions(StudyAnalysis a)
    {
        var status = new Dictionary<RunResult, OverfitStatus>(ReferenceEqualityComparer.Instance);
        foreach (var o in a.Overfitting) status[o.Run] = o.Status;
        var rows = a.Results.Runs.SelectMany(r => r.ReconstructionImages.Select(p => new[]
        {
            r.Model, RunArms.DataWithVariant(r), r.Iterations.ToString(CultureInfo.InvariantCulture), r.Seed.ToString(CultureInfo.InvariantCulture),
            status.TryGetValue(r, out var s) ? s.ToString() : "-", p,
        })).ToList();
        return new TableBlock("Figure 5: reconstructions", rows.Count == 0 ? "No run lists reconstruction images." :
            "Paths of reconstruction images; compare overfitting with non-overfitting runs.",
            ["model", "data", "iters", "seed", "overfitting", "image"], rows);
    }

    private static string Cell(GridCell c, string? metric)
    {
        var text = c.ValLoss is { } v ? F(v, 4) : "n/a";
        if (metric is not null) text += " / " + (c.Metric(metric) is { } m ? F(m, 2) : "n/a");
        return c.Runs.Count > 1 ? text + $" (n={c.Runs.Count})" : text;
    }

    internal static string F(double v, int digits) =>
        double.IsNaN(v) ? "n/a" : v.ToString("F" + digits, CultureInfo.InvariantCulture);

    private static int IndexOf(IReadOnlyList<string> list, string value)
    {
        for (int i = 0; i < list.Count; i++) if (list[i] == value) return i;
        return -1;
    }

    internal static string O(double? v, int digits) => v is { } x ? F(x, digits) : "-";

    private static string P(double p) => double.IsNaN(p) ? "n/a" : p < 1e-4 ? p.ToString("0.0e+00", CultureInfo.InvariantCulture) : F(p, 4);
}
