using System.Globalization;
using MimScale.Analysis.Grid;
using MimScale.Analysis.Results;
using MimScale.Analysis.Statistics;

namespace MimScale.Analysis.Tables;

/// <summary>One pre-trained cell against its model's scratch reference on one downstream metric.</summary>
/// <param name="Model">The model.</param>
/// <param name="DataLabel">The cell's pre-training data.</param>
/// <param name="Iterations">The cell's length.</param>
/// <param name="Metric">The downstream metric (percent).</param>
/// <param name="Pretrained">The cell's seed mean.</param>
/// <param name="Scratch">The scratch reference's seed mean (same model).</param>
/// <param name="PretrainedRuns">Seeds behind <paramref name="Pretrained"/>.</param>
/// <param name="ScratchRuns">Seeds behind <paramref name="Scratch"/>.</param>
/// <param name="PValue">Welch t-test over the seeds (<see cref="WelchTest"/>); NaN with fewer than 2 seeds on either side.</param>
public sealed record ScratchComparison(string Model, string DataLabel, long Iterations, string Metric, double Pretrained, double Scratch,
    int PretrainedRuns, int ScratchRuns, double PValue)
{
    /// <summary>Pre-trained minus scratch, in the metric's points.</summary>
    public double Difference => Pretrained - Scratch;

    /// <summary>True when the difference is beyond the seed noise (p &lt; 0.05); false when within it or not testable.</summary>
    public bool BeyondNoise => PValue < ScratchReferenceTable.Alpha;
}

/// <summary>
/// "Pre-trained minus scratch": every main-grid cell against the scratch reference of its model (<see cref="RunArms.Scratch"/>:
/// the same evaluations from a seeded random initialisation), on every headline metric both report. It answers whether
/// pre-training helped downstream at all, which the grid and findings 1-3 cannot (they compare pre-trained runs only);
/// the reference itself stays out of them. Rows in grid order (model size, data size, length), then metric.
/// </summary>
public sealed record ScratchReferenceTable(IReadOnlyList<ScratchComparison> Rows)
{
    /// <summary>Significance level of <see cref="ScratchComparison.BeyondNoise"/>.</summary>
    public const double Alpha = 0.05;

    // Each evaluation's headline (the study's TopMetric), in run order: the other metrics (top-5, per class, AP50...)
    // would multiply the rows without changing the answer.
    private static readonly string[] Headlines =
        ["knn_top1", "linear_probe_top1", "finetune_top1", "segmentation_miou", "detection_box_ap", "detection_mask_ap"];

    /// <summary>Compares the cells of <paramref name="grid"/> with the scratch runs of <paramref name="results"/>;
    /// <paramref name="primary"/> (the report metric) comes first when present.</summary>
    public static ScratchReferenceTable Build(ResultGrid grid, StudyResults results, string? primary)
    {
        var scratch = results.Runs.Where(r => r.Arm == RunArms.Scratch).ToList();
        if (scratch.Count == 0) return new ScratchReferenceTable([]);
        var present = scratch.SelectMany(r => r.Metrics.Keys).ToHashSet(StringComparer.Ordinal);
        var metrics = (primary is null ? Headlines : [primary, .. Headlines]).Distinct().Where(present.Contains).ToList();
        var rows = new List<ScratchComparison>();
        foreach (var cell in grid.Cells)
        {
            var reference = scratch.Where(r => r.Model == cell.Model).ToList();
            foreach (var metric in metrics)
            {
                var mine = Values(cell.Runs, metric);
                var theirs = Values(reference, metric);
                if (mine.Count == 0 || theirs.Count == 0) continue;
                rows.Add(new ScratchComparison(cell.Model, cell.DataLabel, cell.Iterations, metric, Stats.Mean(mine), Stats.Mean(theirs),
                    mine.Count, theirs.Count, WelchTest.TwoSidedPValue(mine, theirs)));
            }
        }
        return new ScratchReferenceTable(rows);
    }

    /// <summary>
    /// One plain sentence (two with seeds): whether pre-training beat scratch anywhere, by how much at most, and whether
    /// the differences exceed the seed noise. Empty without rows.
    /// </summary>
    public string Sentence()
    {
        if (Rows.Count == 0) return "";
        var wins = Rows.Where(r => r.Difference > 0).ToList();
        var best = Rows.MaxBy(r => r.Difference)!;
        string where = $"{best.Model} / {best.DataLabel} / {best.Iterations}, {best.Metric}";
        string text = wins.Count == 0
            ? $"Pre-training beat scratch nowhere: in all {Rows.Count} comparisons (cell x metric) the pre-trained value is at or below its model's scratch value; the closest is {Signed(best.Difference)} points ({where})."
            : $"Pre-training beat scratch in {wins.Count} of {Rows.Count} comparisons (cell x metric), by at most {Signed(best.Difference)} points ({where}).";
        var tested = Rows.Where(r => !double.IsNaN(r.PValue)).ToList();
        if (tested.Count == 0)
            return text + " With one seed per cell and reference the seed noise is not estimated, so no difference is shown to exceed it (list more seeds to test).";
        int winsBeyond = wins.Count(r => r.BeyondNoise), lossesBeyond = Rows.Count(r => r.Difference < 0 && r.BeyondNoise);
        return text + $" Beyond the seed noise (Welch t-test over seeds, p < {Alpha.ToString(CultureInfo.InvariantCulture)}; {tested.Count} of {Rows.Count} comparisons testable): " +
               $"{winsBeyond} win(s) and {lossesBeyond} loss(es).";
    }

    /// <summary>
    /// How to read findings 1-3 given the reference (empty without rows on <paramref name="metric"/>): the mean over the
    /// cells of pre-trained minus scratch on the report metric, against the findings' own noise threshold
    /// <paramref name="noise"/> (<see cref="Findings.FindingRules.MinMetricChange"/>). Findings 1 (b, c), 2 and 3 judge
    /// differences of the downstream metric between pre-trained runs; when pre-training itself does not move that metric
    /// beyond the noise, those differences are not ones pre-training made, and the sentence says so.
    /// </summary>
    public string Reading(string? metric, double noise)
    {
        var rows = Rows.Where(r => r.Metric == metric).ToList();
        if (rows.Count == 0) return "";
        double mean = rows.Average(r => r.Difference);
        string span = $"{Signed(rows.Min(r => r.Difference))} to {Signed(rows.Max(r => r.Difference))}";
        string noiseText = noise.ToString("0.##", CultureInfo.InvariantCulture);
        bool pays = mean > noise;
        string measured = $"Reading the verdicts: on {metric} the pre-trained cells average {Signed(mean)} points {(pays ? "over" : "against")} " +
                          $"the scratch reference ({span} over {rows.Count} cells), {(pays ? "more" : "not more")} than the findings' noise of {noiseText} points: ";
        return measured + (pays
            ? "pre-training pays downstream here, so the sub-claims on the downstream metric judge differences it made."
            : "pre-training does not pay downstream at this budget, so the sub-claims on the downstream metric (1 b-c, 2, 3) compare differences that pre-training did not make, and their verdicts describe the budget rather than test the paper's claims (the validation-loss sub-claims, 1 a, stand on their own).");
    }

    private static List<double> Values(IEnumerable<RunResult> runs, string metric) =>
        runs.Select(r => r.Metric(metric)).Where(v => v.HasValue).Select(v => v!.Value).ToList();

    internal static string Signed(double v) => (v >= 0 ? "+" : "") + v.ToString("F2", CultureInfo.InvariantCulture);
}
