using MimScale.Analysis.Results;

namespace MimScale.Analysis.Overfitting;

/// <summary>Overfitting verdict of one run.</summary>
public enum OverfitStatus
{
    /// <summary>Validation loss rose above its minimum by more than the rule's threshold.</summary>
    Overfitting,
    /// <summary>The rule was applied and did not fire.</summary>
    NotOverfitting,
    /// <summary>Not enough information to apply either rule.</summary>
    Unknown,
}

/// <summary>Which form of <see cref="OverfitRule"/> decided.</summary>
public enum OverfitBasis
{
    /// <summary>The run's own validation curve.</summary>
    Curve,
    /// <summary>Comparison with shorter runs of the same (model, data).</summary>
    CrossRun,
    /// <summary>Neither rule could be applied.</summary>
    None,
}

/// <summary>Overfitting assessment of one run with the numbers behind it.</summary>
/// <param name="Run">The run assessed.</param>
/// <param name="Status">Verdict.</param>
/// <param name="Basis">Rule form used.</param>
/// <param name="MinValIteration">Iteration (curve rule) or length (cross-run rule) of the lowest validation loss.</param>
/// <param name="MinValLoss">The lowest validation loss found.</param>
/// <param name="FinalValLoss">Validation loss at the end of the run (mean over seeds for the cross-run rule).</param>
/// <param name="Rise">FinalValLoss - MinValLoss (&gt;= 0).</param>
/// <param name="RelativeRise">Rise / MinValLoss.</param>
/// <param name="TrainKeptFalling">Whether train loss fell from the val-loss minimum to the end; null if unknown.</param>
public sealed record OverfitAssessment(
    RunResult Run,
    OverfitStatus Status,
    OverfitBasis Basis,
    long? MinValIteration = null,
    double? MinValLoss = null,
    double? FinalValLoss = null,
    double? Rise = null,
    double? RelativeRise = null,
    bool? TrainKeptFalling = null);
