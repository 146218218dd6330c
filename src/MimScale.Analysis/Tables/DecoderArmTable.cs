using MimScale.Analysis.Results;
using MimScale.Analysis.Statistics;

namespace MimScale.Analysis.Tables;

/// <summary>One decoder on one (model, data, length): seed means.</summary>
/// <param name="Model">The model's zoo name.</param>
/// <param name="DataLabel">The data size's label.</param>
/// <param name="Iterations">The pre-training length.</param>
/// <param name="Decoder">"linear" or "transformer-k".</param>
/// <param name="Runs">Runs averaged (seeds).</param>
/// <param name="TrainLoss">Mean final pre-training loss.</param>
/// <param name="ValLoss">Mean final validation loss.</param>
/// <param name="Metric">Mean downstream metric, or null.</param>
/// <param name="MetricDelta">Metric minus the linear decoder's on the same (model, data, length), or null.</param>
public sealed record DecoderArmRow(string Model, string DataLabel, long Iterations, string Decoder, int Runs,
    double? TrainLoss, double? ValLoss, double? Metric, double? MetricDelta);

/// <summary>
/// The decoder-size study (paper Table 8): for every (model, data, length) that has decoder-arm runs, one row per
/// decoder, the linear one taken from the main grid. The paper's reading: a heavier decoder reaches a lower training
/// loss and a higher validation loss than the linear one, without worse fine-tuning (it takes the overfitting upon
/// itself). Rows are ordered by model size, data, length, then decoder depth.
/// </summary>
public sealed record DecoderArmTable(string? Metric, IReadOnlyList<DecoderArmRow> Rows)
{
    /// <summary>Builds the table from every run of <paramref name="results"/> (main grid and decoder arm).</summary>
    public static DecoderArmTable Build(StudyResults results, string? metric)
    {
        var arm = results.Runs.Where(r => r.Arm == RunArms.Decoder).ToList();
        var rows = new List<DecoderArmRow>();
        var combos = arm.Select(r => (r.Model, r.DataLabel, r.Iterations)).Distinct()
            .OrderBy(k => arm.First(r => r.Model == k.Model).Parameters ?? long.MaxValue).ThenBy(k => k.Model, StringComparer.Ordinal)
            .ThenBy(k => k.DataLabel, StringComparer.Ordinal).ThenBy(k => k.Iterations);
        foreach (var (model, data, iterations) in combos)
        {
            var runs = results.Runs.Where(r => (r.Arm is null || r.Arm == RunArms.Decoder) && r.Model == model && r.DataLabel == data && r.Iterations == iterations);
            var byDecoder = runs.GroupBy(RunArms.DecoderOf).OrderBy(g => RunArms.DecoderRank(g.Key)).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
            double? linearMetric = byDecoder.FirstOrDefault(g => g.Key == "linear") is { } lin ? Mean(lin.Select(r => r.Metric(metric ?? ""))) : null;
            foreach (var g in byDecoder)
            {
                double? m = metric is null ? null : Mean(g.Select(r => r.Metric(metric)));
                rows.Add(new DecoderArmRow(model, data, iterations, g.Key, g.Count(), Mean(g.Select(r => r.FinalTrainLoss)),
                    Mean(g.Select(r => r.FinalValLoss)), m, g.Key != "linear" && m is { } v && linearMetric is { } l ? v - l : null));
            }
        }
        return new DecoderArmTable(metric, rows);
    }

    internal static double? Mean(IEnumerable<double?> values)
    {
        var present = values.Where(v => v.HasValue).Select(v => v!.Value).ToList();
        return present.Count == 0 ? null : Stats.Mean(present);
    }
}
