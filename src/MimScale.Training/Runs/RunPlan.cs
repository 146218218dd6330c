using MimScale.Training.Schedules;
using static TorchSharp.torch;

namespace MimScale.Training.Runs;

/// <summary>What a task built for its run: the model, its schedule and length, and when it evaluates and checkpoints.</summary>
/// <param name="Model">The model with its starting weights (disposed when the run ends).</param>
/// <param name="Schedule">The learning rate of every group at every iteration.</param>
/// <param name="Total">Iterations of the whole run.</param>
/// <param name="EvalEvery">Evaluate every this many iterations (0: only after the last one; always after the last one).</param>
/// <param name="CheckpointEvery">Checkpoint every this many iterations (0: only after the last one; always after the last one).</param>
/// <param name="ResolvedConfig">The resolved config with the derived values (config.resolved.json, written by the config guard).</param>
public sealed record RunPlan(nn.Module Model, ILearningRateSchedule Schedule, long Total, long EvalEvery, long CheckpointEvery,
    Func<string> ResolvedConfig);
