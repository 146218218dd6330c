
using MimScale.Analysis.Results;
using MimScale.Study.Planning;

namespace MimScale.Study.Store;

/// <summary>The pre-training record of a cell as stored.</summary>
public sealed record StoredRun(
    string RunDir,
    double? FinalTrainLoss,
    double? FinalValLoss,
    double TrunkSeconds,
    double DecaySeconds,
    string? Device,
    IReadOnlyList<string> ReconstructionImages,
    string FinishedAt,
    IReadOnlyList<CurvePoint> Curve);

/// <summary>One evaluation of a cell as stored.</summary>
public sealed record StoredEvaluation(string Evaluation, IReadOnlyDictionary<string, double> Metrics, double WallSeconds, string FinishedAt);

/// <summary>Everything the store knows about one cell: its plan facts, status, run and evaluations.</summary>
public sealed record StoredCell(
    string Key,
    string TrunkKey,
    string Model,
    string DataLabel,
    double? DataFraction,
    int? ImageCount,
    long Parameters,
    int SizeRank,
    long Iterations,
    int Seed,
    long DecayStart,
    double AttributedIterations,
    double FlopsPerIteration,
    IReadOnlyList<string> Evaluations,
    string ConfigJson,
    CellStage Stage,
    string? Message,
    string UpdatedAt,
    StoredRun? Run,
    IReadOnlyList<StoredEvaluation> EvaluationResults)
{
    /// <summary>All evaluation metrics of the cell by name.</summary>
    public IReadOnlyDictionary<string, double> Metrics =>
        EvaluationResults.SelectMany(e => e.Metrics).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

    /// <summary>Evaluations of <see cref="Evaluations"/> without a stored result.</summary>
    public IReadOnlyList<string> PendingEvaluations =>
        Evaluations.Where(e => EvaluationResults.All(r => r.Evaluation != e)).ToList();

    /// <summary>The decoder of a decoder-arm cell ("transformer-2"), or null for the main grid.</summary>
    public string? ArmDecoder => ConfigJson.Contains("\"arm\":", StringComparison.Ordinal) && CellArm.Of(ConfigJson) is { Arm: RunArms.Decoder } a ? a.Decoder : null;

    /// <summary>The data label, with the decoder of a decoder-arm cell ("Fashion-MNIST 20% / decoder transformer-2").</summary>
    public string DataDescription => ArmDecoder is { } d ? $"{DataLabel} / decoder {d}" : DataLabel;

    /// <summary>"swinv2-pico / Fashion-MNIST 10% / 400 / seed 0" (decoder-arm cells add " / decoder transformer-2", as their plan does).</summary>
    public string Describe() => $"{Model} / {DataLabel} / {Iterations} / seed {Seed}" + (ArmDecoder is { } d ? $" / decoder {d}" : "");
}
