using MimScale.Data.Errors;

namespace MimScale.Data.Loading;

/// <summary>Settings of a data loader (one rank's stream).</summary>
public sealed record LoaderOptions
{
    /// <summary>Samples per batch (per rank).</summary>
    public int BatchSize { get; init; } = 128;
    /// <summary>Worker threads decoding and augmenting (each builds whole batches).</summary>
    public int Workers { get; init; } = 2;
    /// <summary>Batches prepared ahead of the consumer (bounded queue depth); at least <see cref="Workers"/>.</summary>
    public int Prefetch { get; init; } = 4;
    /// <summary>Seed of the data order and of the per-sample augmentation/mask streams.</summary>
    public ulong Seed { get; init; }
    /// <summary>This process's rank.</summary>
    public int Rank { get; init; }
    /// <summary>Number of ranks sharing the data.</summary>
    public int WorldSize { get; init; } = 1;
    /// <summary>Shuffle each epoch (training) or keep source order (validation).</summary>
    public bool Shuffle { get; init; } = true;
    /// <summary>Drop the incomplete last batch and give every rank the same number of samples (training).</summary>
    public bool DropLast { get; init; } = true;
    /// <summary>Stop after this many epochs (null = endless stream, as iteration-based pre-training wants).</summary>
    public int? Epochs { get; init; }
    /// <summary>What to do with an image that cannot be decoded.</summary>
    public BadImagePolicy BadImages { get; init; } = BadImagePolicy.Skip;
    /// <summary>
    /// Run the worker threads at the lowest CPU priority (Linux SCHED_IDLE, see <see cref="WorkerPriority"/>): for a
    /// training stream that shares the cores with the step's threads. Changes timing only, never the batches.
    /// </summary>
    public bool IdlePriority { get; init; }

    /// <summary>
    /// Decode threads for a loader that shares <paramref name="cores"/> with <paramref name="computeThreads"/> threads
    /// of CPU training: the cores the step leaves free, at least 1 and at most <paramref name="requested"/>. On 2 cores
    /// with 2 torch threads that is 1: a SwinV2-T step takes ~2.5 s for 8 images at 192 px while one thread decodes
    /// and crops a 500x375 JPEG in a few milliseconds, so more threads add nothing but contention (issue 17).
    /// </summary>
    public static int WorkersBeside(int requested, int computeThreads, int cores) =>
        Math.Clamp(cores - computeThreads, 1, Math.Max(1, requested));

    /// <summary>A validation/evaluation stream: source order, keep the last partial batch, one pass.</summary>
    public static LoaderOptions Evaluation(int batchSize, int workers = 2, int rank = 0, int worldSize = 1) =>
        new() { BatchSize = batchSize, Workers = workers, Rank = rank, WorldSize = worldSize, Shuffle = false, DropLast = false, Epochs = 1 };

    /// <summary>Throws on an inconsistent setting.</summary>
    public void Validate()
    {
        if (BatchSize <= 0) throw new ArgumentException($"batch size {BatchSize} must be positive");
        if (Workers <= 0) throw new ArgumentException($"workers {Workers} must be positive");
        if (Prefetch <= 0) throw new ArgumentException($"prefetch {Prefetch} must be positive");
        if (WorldSize <= 0 || Rank < 0 || Rank >= WorldSize) throw new ArgumentException($"rank {Rank} must be in 0..{WorldSize - 1}");
        if (Epochs is <= 0) throw new ArgumentException($"epochs {Epochs} must be positive");
    }
}
