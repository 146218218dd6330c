
using MimScale.Analysis.Results;
using MimScale.Study.Planning;

namespace MimScale.Study.Execution;

/// <summary>
/// One finished branch, as the executor reports it. The curve covers the whole run from iteration 0 to T (the
/// shared trunk part included), so each cell's curve stands on its own in the report.
/// </summary>
/// <param name="CellKey">The cell's <see cref="CellPlan.Key"/>.</param>
/// <param name="RunDir">Folder holding the run's logs, final checkpoint and images (normally the job's cell folder).</param>
public sealed record CellPretrainResult(string CellKey, string RunDir)
{
    /// <summary>Logged points in increasing iteration order, iterations in 1..T; train and val loss at their own cadence.</summary>
    public IReadOnlyList<CurvePoint> Curve { get; init; } = [];

    /// <summary>Training loss at the end (e.g. mean over the last logging window), if known.</summary>
    public double? FinalTrainLoss { get; init; }

    /// <summary>Validation loss at iteration T; required (the validation loss is measured for every cell).</summary>
    public double? FinalValLoss { get; init; }

    /// <summary>Wall seconds of the shared trunk from iteration 0 to this cell's branch point, summed over restarts.</summary>
    public double TrunkSeconds { get; init; }

    /// <summary>Wall seconds of this cell's own decay phase, summed over restarts.</summary>
    public double DecaySeconds { get; init; }

    /// <summary>Free-text device, e.g. "cpu x2".</summary>
    public string? Device { get; init; }

    /// <summary>Reconstruction images (the paper's Figure 5), absolute paths.</summary>
    public IReadOnlyList<string> ReconstructionImages { get; init; } = [];
}
