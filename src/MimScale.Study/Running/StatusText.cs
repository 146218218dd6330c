using System.Globalization;
using System.Text;
using MimScale.Study.Planning;
using MimScale.Study.Spec;
using MimScale.Study.Store;

namespace MimScale.Study.Running;

/// <summary>The printout of <c>mimscale study status</c>: one line per cell with its stage and key numbers.</summary>
public static class StatusText
{
    /// <summary>Table of <paramref name="cells"/> (the current spec's) plus a summary; <paramref name="otherCells"/> counts
    /// stored cells of other spec versions; <paramref name="claims"/> adds one line per trunk held by a worker.</summary>
    public static string Format(string studyName, IReadOnlyList<StoredCell> cells, int otherCells, IReadOnlyList<TrunkClaim>? claims = null)
    {
        var wall = StudyResultsBuilder.AttributedWallSeconds(cells);
        var metricNames = cells.SelectMany(c => c.Evaluations).Distinct().Select(StudySpec.TopMetric).ToList();
        var rows = new List<string[]>
        {
            new[] { "model", "data", "iters", "seed", "stage", "val loss", "train loss" }.Concat(metricNames).Concat(["wall s", "cell key / note"]).ToArray(),
        };
        foreach (var c in cells)
        {
            var metrics = c.Metrics;
            var row = new List<string>
            {
                c.Model, c.DataDescription, c.Iterations.ToString(CultureInfo.InvariantCulture), c.Seed.ToString(CultureInfo.InvariantCulture),
                StudyStore.StageText(c.Stage), F(c.Run?.FinalValLoss, "0.0000"), F(c.Run?.FinalTrainLoss, "0.0000"),
            };
            row.AddRange(metricNames.Select(m => metrics.TryGetValue(m, out var v) ? F(v, "0.00") : "-"));
            row.Add(wall.TryGetValue(c.Key, out var w) ? F(w, "0.0") : "-");
            row.Add(c.Message is null ? c.Key : $"{c.Key}  ({c.Message})");
            rows.Add(row.ToArray());
        }
        var sb = new StringBuilder();
        sb.Append(PlanText.Table(rows));
        int done = cells.Count(c => c.Stage == CellStage.Done), pre = cells.Count(c => c.Run is not null);
        int failed = cells.Count(c => c.Stage == CellStage.Failed);
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"study {studyName}: {done}/{cells.Count} cells done, {pre}/{cells.Count} pre-trained, {failed} failed; pre-training wall time {wall.Values.Sum():0.0} s"));
        foreach (var c in cells.Where(c => c.Stage == CellStage.Failed))
            sb.AppendLine($"failed: {c.Describe()}: {c.Message}");
        foreach (var claim in (claims ?? []).Where(c => c.Worker is not null))
        {
            var cell = cells.FirstOrDefault(c => c.TrunkKey == claim.TrunkKey);
            var what = cell is null ? "" : $" ({cell.Model} / {cell.DataDescription} / seed {cell.Seed})";
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"claimed: trunk {claim.TrunkKey}{what} by worker {claim.Worker}, heartbeat {claim.HeartbeatAgeSeconds:0} s ago")
                + (claim.Live ? "" : string.Create(CultureInfo.InvariantCulture, $" (stale after {claim.StaleAfterSeconds:0.#} s: the next worker to look takes it over)")));
        }
        if (otherCells > 0)
            sb.AppendLine($"{otherCells} other cell(s) in the store belong to other spec versions (different resolved config); they are not shown or reported");
        return sb.ToString();
    }

    private static string F(double? v, string format) => v is double d ? d.ToString(format, CultureInfo.InvariantCulture) : "-";
}
