using MimScale.Analysis.Grid;
using MimScale.Analysis.Overfitting;
using MimScale.Analysis.Results;
using MimScale.Analysis.Statistics;

namespace MimScale.Analysis.Tables;

/// <summary>One row of <see cref="CorrelationTable"/>: a loss against a metric within one group of runs.</summary>
/// <param name="Loss">"val_loss" or "train_loss" (final values).</param>
/// <param name="Metric">Downstream metric name.</param>
/// <param name="Group">"all", "model: NAME", "overfitting" or "non-overfitting".</param>
/// <param name="Stats">Pearson, Spearman and the least-squares line metric = a + b loss over the runs of the group.</param>
public sealed record CorrelationRow(string Loss, string Metric, string Group, Correlation Stats);

/// <summary>
/// The paper's Table 7: correlation of pre-training losses with each downstream metric (classification, segmentation
/// mIoU, detection AP, ...: every metric the runs report). Each run (seed) is one point; runs missing either value are
/// left out. Groups: all runs, each model, and runs split by the overfitting rule (Unknown runs join neither split).
/// The "all" group has a row for every (loss, metric) pair that some run has, so each downstream metric of the study is
/// listed with its n even while r is not defined (n = 1: coefficients NaN); other groups' rows need two points.
/// </summary>
public sealed record CorrelationTable(IReadOnlyList<CorrelationRow> Rows)
{
    /// <summary>Group name of all runs.</summary>
    public const string All = "all";
    /// <summary>Group name of overfitting runs.</summary>
    public const string Overfitting = "overfitting";
    /// <summary>Group name of non-overfitting runs.</summary>
    public const string NotOverfitting = "non-overfitting";

    /// <summary>Group name of one model's runs.</summary>
    public static string ModelGroup(string model) => "model: " + model;

    /// <summary>The row for (loss, metric, group), or null.</summary>
    public CorrelationRow? Find(string loss, string metric, string group) =>
        Rows.FirstOrDefault(r => r.Loss == loss && r.Metric == metric && r.Group == group);

    /// <summary>Builds rows for every metric in <paramref name="metrics"/> (default: all metrics of the study).</summary>
    public static CorrelationTable Build(StudyResults results, IReadOnlyList<OverfitAssessment> overfitting,
        IReadOnlyList<string>? metrics = null)
    {
        var grid = new ResultGrid(results);
        var status = new Dictionary<RunResult, OverfitStatus>(ReferenceEqualityComparer.Instance);
        foreach (var a in overfitting) status[a.Run] = a.Status;
        var groups = new List<(string Name, List<RunResult> Runs)> { (All, results.Runs.ToList()) };
        groups.AddRange(grid.Models.Select(m => (ModelGroup(m), results.Runs.Where(r => r.Model == m).ToList())));
        groups.Add((Overfitting, results.Runs.Where(r => StatusOf(status, r) == OverfitStatus.Overfitting).ToList()));
        groups.Add((NotOverfitting, results.Runs.Where(r => StatusOf(status, r) == OverfitStatus.NotOverfitting).ToList()));

        var rows = new List<CorrelationRow>();
        foreach (var metric in metrics ?? results.MetricNames())
            foreach (var (lossName, loss) in new (string, Func<RunResult, double?>)[] { ("val_loss", r => r.FinalValLoss), ("train_loss", r => r.FinalTrainLoss) })
                foreach (var (name, runs) in groups)
                {
                    var pairs = runs.Where(r => loss(r).HasValue && r.Metric(metric).HasValue)
                        .Select(r => (X: loss(r)!.Value, Y: r.Metric(metric)!.Value)).ToList();
                    if (pairs.Count == 0 || pairs.Count < 2 && name != All) continue;
                    rows.Add(new CorrelationRow(lossName, metric, name,
                        Correlation.Of(pairs.Select(p => p.X).ToList(), pairs.Select(p => p.Y).ToList())));
                }
        return new CorrelationTable(rows);
    }

    private static OverfitStatus StatusOf(Dictionary<RunResult, OverfitStatus> status, RunResult run) =>
        status.TryGetValue(run, out var s) ? s : OverfitStatus.Unknown;
}
