using System.Globalization;
using MimScale.Analysis.Report;

namespace MimScale.Analysis.Tables;

/// <summary>One evaluation of a run: the iteration, the epoch if the run counts them, and the metric's value.</summary>
public readonly record struct EvalPoint(long Step, double? Epoch, double Value);

/// <summary>A run's evaluations of one metric, in step order, and its wall time if known.</summary>
public sealed record RunCurve(string Name, IReadOnlyList<EvalPoint> Points, double? WallSeconds = null);

/// <summary>Best and last evaluation of one run.</summary>
public sealed record RunSummary(string Name, EvalPoint? Best, EvalPoint? Last, double? WallSeconds);

/// <summary>
/// Several runs' evaluations of one metric side by side, aligned by iteration (e.g. a fine-tuning from SimMIM weights
/// against the same fine-tuning from scratch), with each run's best and last value. With two runs a difference column
/// (first minus second) is added. Accuracies (top1, top5, mean_per_class, knn, linear_probe) print as percent.
/// </summary>
public sealed record RunComparison(string Metric, bool HigherIsBetter, IReadOnlyList<RunCurve> Runs,
    IReadOnlyList<long> Steps, IReadOnlyList<RunSummary> Summaries)
{
    static readonly string[] Accuracies = { "top1", "top5", "mean_per_class", "knn", "linear_probe" }; // also matches e.g. finetune_top1

    /// <summary>True for metrics stored as fractions and shown as percent.</summary>
    public static bool IsAccuracy(string metric) => Accuracies.Any(a => metric.EndsWith(a, StringComparison.Ordinal));

    /// <summary>Aligns the curves; losses are lower-is-better, everything else higher-is-better.</summary>
    public static RunComparison Build(string metric, IReadOnlyList<RunCurve> runs)
    {
        if (runs.Count == 0) throw new ArgumentException("no runs to compare");
        bool higher = !metric.Contains("loss", StringComparison.OrdinalIgnoreCase);
        var steps = runs.SelectMany(r => r.Points.Select(p => p.Step)).Distinct().Order().ToList();
        var summaries = runs.Select(r =>
        {
            EvalPoint? best = null;
            foreach (var p in r.Points)
                if (best is null || (higher ? p.Value > best.Value.Value : p.Value < best.Value.Value)) best = p;
            EvalPoint? last = r.Points.Count > 0 ? r.Points.MaxBy(p => p.Step) : null;
            return new RunSummary(r.Name, best, last, r.WallSeconds);
        }).ToList();
        return new RunComparison(metric, higher, runs, steps, summaries);
    }

    /// <summary>The value of run <paramref name="run"/> at <paramref name="step"/>, if it evaluated there.</summary>
    public double? At(int run, long step) =>
        Runs[run].Points.Where(p => p.Step == step).Select(p => (double?)p.Value).LastOrDefault();

    /// <summary>A value as printed: percent with two decimals for accuracies, four significant decimals otherwise.</summary>
    public string Format(double value) => IsAccuracy(Metric)
        ? (100 * value).ToString("F2", CultureInfo.InvariantCulture)
        : value.ToString("F4", CultureInfo.InvariantCulture);

    string FormatDelta(double delta) => (delta >= 0 ? "+" : "") + Format(delta);

    /// <summary>Per evaluation: step, epoch (when the runs record one), each run's value, and the difference of two runs.</summary>
    public TableBlock CurveTable()
    {
        bool epochs = Runs.Any(r => r.Points.Any(p => p.Epoch is not null));
        bool delta = Runs.Count == 2;
        var headers = new List<string> { "step" };
        if (epochs) headers.Add("epoch");
        headers.AddRange(Runs.Select(r => r.Name));
        if (delta) headers.Add("difference");
        var rows = new List<string[]>();
        foreach (long step in Steps)
        {
            var row = new List<string> { step.ToString(CultureInfo.InvariantCulture) };
            if (epochs)
            {
                double? epoch = Runs.SelectMany(r => r.Points).Where(p => p.Step == step && p.Epoch is not null).Select(p => p.Epoch).FirstOrDefault();
                row.Add(epoch is double e ? e.ToString("0.##", CultureInfo.InvariantCulture) : "");
            }
            var values = Enumerable.Range(0, Runs.Count).Select(i => At(i, step)).ToList();
            row.AddRange(values.Select(v => v is double x ? Format(x) : ""));
            if (delta) row.Add(values[0] is double a && values[1] is double b ? FormatDelta(a - b) : "");
            rows.Add(row.ToArray());
        }
        string unit = IsAccuracy(Metric) ? " (%)" : "";
        return new TableBlock($"{Metric}{unit} per evaluation", delta ? $"difference = {Runs[0].Name} - {Runs[1].Name}" : "", headers, rows);
    }

    /// <summary>Per run: best value and where, last value and where, wall time.</summary>
    public TableBlock SummaryTable()
    {
        var headers = new[] { "run", IsHigher("best"), "best at step", "last", "last at step", "wall (s)" };
        var rows = Summaries.Select(s => new[]
        {
            s.Name,
            s.Best is { } b ? Format(b.Value) : "", s.Best is { } bs ? bs.Step.ToString(CultureInfo.InvariantCulture) : "",
            s.Last is { } l ? Format(l.Value) : "", s.Last is { } ls ? ls.Step.ToString(CultureInfo.InvariantCulture) : "",
            s.WallSeconds is double w ? w.ToString("F0", CultureInfo.InvariantCulture) : "",
        }).ToList();
        string note = Runs.Count == 2 && Summaries[0].Best is { } b0 && Summaries[1].Best is { } b1
            ? $"best {Summaries[0].Name} - best {Summaries[1].Name} = {FormatDelta(b0.Value - b1.Value)}"
              + (Summaries[0].Last is { } l0 && Summaries[1].Last is { } l1 ? $"; last - last = {FormatDelta(l0.Value - l1.Value)}" : "")
            : "";
        return new TableBlock($"{Metric}: best and last", note, headers, rows);
    }

    string IsHigher(string word) => HigherIsBetter ? $"{word} (max)" : $"{word} (min)";
}
