using MimScale.Analysis.Grid;
using MimScale.Analysis.Results;

namespace MimScale.Analysis.Tables;

/// <summary>Seed means of one side of a class-subset comparison.</summary>
/// <param name="DataLabel">Data label.</param>
/// <param name="Images">Training images, when known.</param>
/// <param name="Runs">The runs (seeds); the one with a curve is drawn in Figure 6.</param>
public sealed record ArmSide(string DataLabel, long? Images, IReadOnlyList<RunResult> Runs)
{
    /// <summary>Mean final training loss.</summary>
    public double? TrainLoss => DecoderArmTable.Mean(Runs.Select(r => r.FinalTrainLoss));
    /// <summary>Mean final validation loss.</summary>
    public double? ValLoss => DecoderArmTable.Mean(Runs.Select(r => r.FinalValLoss));
    /// <summary>Mean of <paramref name="metric"/>, or null.</summary>
    public double? Metric(string? metric) => metric is null ? null : DecoderArmTable.Mean(Runs.Select(r => r.Metric(metric)));
}

/// <summary>A class subset and its class-balanced counterpart on one model and length.</summary>
/// <param name="Model">The model's zoo name.</param>
/// <param name="Iterations">The pre-training length.</param>
/// <param name="Classes">k of the class subset.</param>
/// <param name="Subset">All images of k classes.</param>
/// <param name="Matched">The main grid's class-balanced fraction with the nearest image count, or null when none is known.</param>
public sealed record ClassSubsetPair(string Model, long Iterations, int? Classes, ArmSide Subset, ArmSide? Matched);

/// <summary>
/// The sampling study (paper Table 9 / Figure 6): a subset of classes with all their images (IN100) against the
/// class-balanced fraction of about the same size (IN-1K 10%), per model and length. The paper finds almost identical
/// curves. The counterpart is the main grid's fraction of the same model and length whose image count is nearest
/// (ratio on a log scale); both counts are shown, so a poor match is visible. The class-subset runs themselves stay
/// off the data axis of findings 1-2 (<see cref="ResultGrid"/>).
/// </summary>
public sealed record ClassSubsetArmTable(string? Metric, IReadOnlyList<ClassSubsetPair> Pairs)
{
    /// <summary>Builds the pairs from every run of <paramref name="results"/>.</summary>
    public static ClassSubsetArmTable Build(StudyResults results, string? metric)
    {
        var subsets = results.Runs.Where(r => r.Arm == RunArms.ClassSubset).ToList();
        var fractions = results.Runs.Where(r => r.Arm is null && r.DataFraction.HasValue && r.ImageCount.HasValue).ToList();
        var pairs = new List<ClassSubsetPair>();
        foreach (var g in subsets.GroupBy(r => (r.Model, r.DataLabel, r.Iterations))
                     .OrderBy(g => g.First().Parameters ?? long.MaxValue).ThenBy(g => g.Key.Model, StringComparer.Ordinal)
                     .ThenBy(g => g.Key.DataLabel, StringComparer.Ordinal).ThenBy(g => g.Key.Iterations))
        {
            var subset = new ArmSide(g.Key.DataLabel, g.First().ImageCount, g.ToList());
            ArmSide? matched = null;
            if (subset.Images is long n && n > 0)
            {
                var best = fractions.Where(r => r.Model == g.Key.Model && r.Iterations == g.Key.Iterations && r.ImageCount > 0)
                    .GroupBy(r => r.DataLabel)
                    .OrderBy(c => Math.Abs(Math.Log((double)c.First().ImageCount!.Value / n))).ThenBy(c => c.Key, StringComparer.Ordinal)
                    .FirstOrDefault();
                if (best is not null) matched = new ArmSide(best.Key, best.First().ImageCount, best.ToList());
            }
            pairs.Add(new ClassSubsetPair(g.Key.Model, g.Key.Iterations, g.First().ClassCount, subset, matched));
        }
        return new ClassSubsetArmTable(metric, pairs);
    }
}
