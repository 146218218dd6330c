namespace MimScale.Training.Runs;

/// <summary>What the shared loop of <see cref="SupervisedRun{TResult}"/> reads from a task's config before it builds anything.</summary>
/// <param name="Name">Prefix of the session's log lines ("finetune", "segment", "detect").</param>
/// <param name="Seed">Seed of the run's generator (init, drop path, sampling; checkpointed).</param>
/// <param name="Threads">libtorch intra-op threads (0: libtorch's default).</param>
/// <param name="ClipGrad">Global gradient-norm clip (0: none).</param>
/// <param name="KeepCheckpoints">Periodic checkpoints kept (older ones deleted).</param>
/// <param name="MaxNonFiniteSteps">Consecutive non-finite losses after which the run stops.</param>
/// <param name="ImagesPerStep">Images per optimiser update (batch x accumulation), for images/s and the ETA.</param>
/// <param name="LogInterval">Iterations per logging interval.</param>
public sealed record LoopSettings(string Name, ulong Seed, int Threads, double ClipGrad, int KeepCheckpoints, int MaxNonFiniteSteps,
    long ImagesPerStep, long LogInterval);
