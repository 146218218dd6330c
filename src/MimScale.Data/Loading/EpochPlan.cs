using MimScale.Data.Random;

namespace MimScale.Data.Loading;

/// <summary>
/// The order of one epoch for one rank, a pure function of (seed, epoch, rank, world size, count).
/// Global order: a uniform permutation from stream (seed, Order, epoch), or the identity without shuffling.
/// Shard: positions rank, rank + W, rank + 2W, ... of the global order (DistributedSampler's interleaving). With
/// drop-last every rank takes floor(N / W) samples (the tail is dropped, not padded with repeats) and only full
/// batches; otherwise ranks take what falls to them and the last batch may be short.
/// </summary>
public sealed class EpochPlan
{
    /// <summary>Epoch number.</summary>
    public int Epoch { get; }
    /// <summary>Global positions (in the epoch's order) of this rank's samples, in stream order.</summary>
    public long[] Positions { get; }
    /// <summary>Source indices of this rank's samples, in stream order.</summary>
    public int[] Indices { get; }
    /// <summary>Batches in this epoch for this rank.</summary>
    public int BatchCount { get; }
    private readonly int _batchSize;

    /// <summary>Builds the plan.</summary>
    public EpochPlan(int count, int epoch, LoaderOptions o)
    {
        Epoch = epoch;
        _batchSize = o.BatchSize;
        int[] order;
        if (o.Shuffle) order = DataRng.For(o.Seed, RandomStream.Order, epoch).Permutation(count);
        else
        {
            order = new int[count];
            for (int i = 0; i < count; i++) order[i] = i;
        }
        int perRank = o.DropLast ? count / o.WorldSize : (count - o.Rank + o.WorldSize - 1) / o.WorldSize;
        Positions = new long[perRank];
        Indices = new int[perRank];
        for (int k = 0; k < perRank; k++)
        {
            long p = o.Rank + (long)k * o.WorldSize;
            Positions[k] = p;
            Indices[k] = order[p];
        }
        BatchCount = o.DropLast ? perRank / o.BatchSize : (perRank + o.BatchSize - 1) / o.BatchSize;
    }

    /// <summary>The slice [first, first+count) of the rank's stream that batch <paramref name="batch"/> covers.</summary>
    public (int First, int Count) BatchRange(int batch)
    {
        int first = batch * _batchSize;
        return (first, Math.Min(_batchSize, Indices.Length - first));
    }
}
