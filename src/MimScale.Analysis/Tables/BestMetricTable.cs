using MimScale.Analysis.Grid;

namespace MimScale.Analysis.Tables;

/// <summary>Best value of a metric for one (model, data) pair and the training length that reached it.</summary>
public sealed record BestMetricEntry(string Model, string DataLabel, double Value, long AtIterations);

/// <summary>
/// The paper's Table 3: for each (model, data), the best downstream metric over training lengths (seed means per
/// length, then the maximum over lengths; metrics are higher-is-better).
/// </summary>
/// <param name="Metric">Metric name.</param>
/// <param name="Models">Row order (smallest model first).</param>
/// <param name="DataLabels">Column order (smallest data first).</param>
/// <param name="Entries">One entry per (model, data) pair that has the metric at some length.</param>
public sealed record BestMetricTable(string Metric, IReadOnlyList<string> Models, IReadOnlyList<string> DataLabels,
    IReadOnlyList<BestMetricEntry> Entries)
{
    /// <summary>The entry for (model, data), or null when that pair has no value.</summary>
    public BestMetricEntry? Get(string model, string data) =>
        Entries.FirstOrDefault(e => e.Model == model && e.DataLabel == data);

    /// <summary>Builds the table from a grid.</summary>
    public static BestMetricTable Build(ResultGrid grid, string metric)
    {
        var entries = new List<BestMetricEntry>();
        foreach (var m in grid.Models)
            foreach (var d in grid.DataLabels)
            {
                BestMetricEntry? best = null;
                foreach (var cell in grid.Series(m, d))
                    if (cell.Metric(metric) is { } v && (best is null || v > best.Value))
                        best = new BestMetricEntry(m, d, v, cell.Iterations);
                if (best is not null) entries.Add(best);
            }
        return new BestMetricTable(metric, grid.Models, grid.DataLabels, entries);
    }
}
