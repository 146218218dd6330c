using MimScale.Models.SwinV2;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Training.Distributed;

/// <summary>
/// What a data-parallel replica needs besides the collectives: its share of the global batch, and stochastic depth
/// drawn for the global batch (so N ranks reproduce one process with the same global batch).
/// </summary>
public static class DataParallel
{
    /// <summary>
    /// Samples per rank of a global batch of <paramref name="globalBatch"/> (the config's <c>batch_size</c> is always
    /// the global batch, so the learning curve and the learning rate do not depend on the rank count).
    /// </summary>
    /// <exception cref="ArgumentException">The batch does not divide evenly over the ranks.</exception>
    public static int PerRankBatch(int globalBatch, int worldSize)
    {
        if (worldSize <= 0) throw new ArgumentException($"world size {worldSize} must be positive");
        if (globalBatch % worldSize != 0)
            throw new ArgumentException($"batch_size {globalBatch} (the global batch) does not divide over {worldSize} ranks; use a multiple of {worldSize} or another rank count");
        return globalBatch / worldSize;
    }

    /// <summary>Tells every <see cref="DropPath"/> of <paramref name="model"/> which samples of the global batch this rank holds.</summary>
    public static void ShardStochasticDepth(nn.Module model, ICollectives collectives)
    {
        foreach (var m in model.modules())
            if (m is DropPath d) d.Shard = (collectives.Rank, collectives.WorldSize);
    }

    /// <summary>Copies rank 0's parameters and buffers to every rank (after a resume they are equal already; this makes
    /// the replicas identical whatever happened, as DDP does at construction).</summary>
    public static void BroadcastWeights(nn.Module model, ICollectives collectives)
    {
        if (collectives.WorldSize == 1) return;
        using var scope = NewDisposeScope();
        collectives.Broadcast(model.state_dict().Values.ToList());
    }
}
