using MimScale.Analysis.Results;
using MimScale.Analysis.Statistics;

namespace MimScale.Analysis.Grid;

/// <summary>
/// All runs of one (model, data, length) combination; values are means over the runs (seeds) that report them.
/// </summary>
/// <param name="Model">Model name.</param>
/// <param name="DataLabel">Data label.</param>
/// <param name="Iterations">Training length.</param>
/// <param name="Runs">The runs of this cell (at least one).</param>
public sealed record GridCell(string Model, string DataLabel, long Iterations, IReadOnlyList<RunResult> Runs)
{
    /// <summary>Mean final validation loss over runs that have one, or null.</summary>
    public double? ValLoss => MeanOf(Runs.Select(r => r.FinalValLoss));

    /// <summary>Mean final training loss over runs that have one, or null.</summary>
    public double? TrainLoss => MeanOf(Runs.Select(r => r.FinalTrainLoss));

    /// <summary>Mean of the named metric over runs that have it, or null.</summary>
    public double? Metric(string? metric) => metric is null ? null : MeanOf(Runs.Select(r => r.Metric(metric)));

    private static double? MeanOf(IEnumerable<double?> values)
    {
        var present = values.Where(v => v.HasValue).Select(v => v!.Value).ToList();
        return present.Count == 0 ? null : Stats.Mean(present);
    }
}
