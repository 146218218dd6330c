using MimScale.Analysis.Io;

namespace MimScale.Analysis.Results;

/// <summary>
/// Everything the analysis needs to know about one pre-training run: which model, on which data, for how long,
/// with which seed, and what came out (losses, downstream metrics, curves, compute, reconstruction images).
/// Produced by the study runner or read from an external table (<see cref="ResultTable"/>).
/// </summary>
/// <param name="Model">Model name, e.g. "SwinV2-Base". Runs with the same name belong to the same model.</param>
/// <param name="DataLabel">Data set label, e.g. "ImageNet-1K 10%". Runs with the same label share their data.</param>
/// <param name="Iterations">Training length in optimizer steps (the paper's 125K/250K/500K).</param>
public sealed record RunResult(string Model, string DataLabel, long Iterations)
{
    /// <summary>Parameter count (backbone), used to order models by size; takes precedence over <see cref="SizeRank"/>.</summary>
    public long? Parameters { get; init; }

    /// <summary>Rank of the model size (0 = smallest), used when <see cref="Parameters"/> is unknown.</summary>
    public int? SizeRank { get; init; }

    /// <summary>Fraction of the base data set (0.1 for "ImageNet-1K 10%"), if the data is a subset of it.</summary>
    public double? DataFraction { get; init; }

    /// <summary>Number of training images; used to order data sizes (takes precedence over <see cref="DataFraction"/>).</summary>
    public long? ImageCount { get; init; }

    /// <summary>Seed of the run; runs that differ only by seed are averaged in grids and tables.</summary>
    public int Seed { get; init; }

    /// <summary>Training loss at the end of training, if known.</summary>
    public double? FinalTrainLoss { get; init; }

    /// <summary>Validation loss at the end of training, if known.</summary>
    public double? FinalValLoss { get; init; }

    /// <summary>Downstream metrics by name ("finetune_top1", "linear_probe", "knn", ...); higher is better.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>Loss curve in increasing iteration order; empty when the source has none (e.g. the model-hub table).</summary>
    public IReadOnlyList<CurvePoint> Curve { get; init; } = [];

    /// <summary>Compute spent, if recorded.</summary>
    public RunCompute? Compute { get; init; }

    /// <summary>Paths of reconstruction images produced for this run (the paper's Figure 5), if any.</summary>
    public IReadOnlyList<string> ReconstructionImages { get; init; } = [];

    /// <summary>
    /// The side study this run belongs to (<see cref="RunArms.Decoder"/>, <see cref="RunArms.ClassSubset"/>), or null for
    /// the main (model x data x length) grid. Arm runs are kept out of the grid and of findings 1-3 (a heavier decoder
    /// or a class subset is no point of the data-size axis) and get their own tables (paper Tables 8 and 9).
    /// </summary>
    public string? Arm { get; init; }

    /// <summary>Decoder of the pre-training: "linear" (the official head) or "transformer-k" (k blocks); null = linear.</summary>
    public string? Decoder { get; init; }

    /// <summary>For a class-subset run (all images of k classes, the paper's IN100): k.</summary>
    public int? ClassCount { get; init; }

    /// <summary>Optional identifier of the run in its store (folder name, database id).</summary>
    public string? RunId { get; init; }

    /// <summary>The metric value named <paramref name="metric"/>, or null when this run has none.</summary>
    public double? Metric(string metric) => Metrics.TryGetValue(metric, out var v) ? v : null;

    /// <summary>Short human-readable key, e.g. "SwinV2-Base / ImageNet-1K 10% / 125000 / seed 0".</summary>
    public string Describe() => $"{Model} / {DataLabel} / {Iterations} / seed {Seed}";
}
