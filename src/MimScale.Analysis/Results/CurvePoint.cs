namespace MimScale.Analysis.Results;

/// <summary>
/// One logged point of a run's loss curve. Train and validation losses are logged at different
/// cadences, so either may be missing at a given iteration.
/// </summary>
/// <param name="Iteration">Optimizer step (1-based count of completed steps) at which the losses were measured.</param>
/// <param name="TrainLoss">Training loss at that step (smoothed or not, as the trainer logged it), if logged.</param>
/// <param name="ValLoss">Validation loss at that step, if evaluated.</param>
public sealed record CurvePoint(long Iteration, double? TrainLoss, double? ValLoss);
