using MimScale.Data.Random;

namespace MimScale.Data.Loading;

/// <summary>
/// The order of one epoch for one rank, a pure function of (seed, epoch, rank, world size, count).
/// Global order: a uniform permutation from stream (seed, Order, epoch), or the identity without shuffling.
/// Shard: positions rank, rank + W, rank + 2W, ... of the global order (DistributedSampler's interleaving). With
/// drop-last every rank takes floor(N / W) samples (the tail is dropped, not padded with repeats) and only full
/// batches; otherwise ranks take what falls to them and the last batch may be short.
/// A subset smaller than one batch per rank (drop-last) runs on into the next pass: the epoch then covers
/// <see cref="Passes"/> = ceil(batch / per-rank) consecutive passes, pass j ordered by stream (seed, Order, epoch, j)
/// (pass 0 is the ordinary order) with global positions offset by j x count, so 10 images at batch 16 give one full
/// batch per epoch instead of none.
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
    /// <summary>Passes over the rank's share in this epoch: 1 unless the share is smaller than one batch.</summary>
    public int Passes { get; }
    private readonly int batchSize;

    /// <summary>Builds the plan.</summary>
    public EpochPlan(int count, int epoch, LoaderOptions o)
    {
        Epoch = epoch;
        batchSize = o.BatchSize;
        int perRank = o.DropLast ? count / o.WorldSize : (count - o.Rank + o.WorldSize - 1) / o.WorldSize;
        Passes = o.DropLast && perRank > 0 && perRank < o.BatchSize ? (o.BatchSize + perRank - 1) / perRank : 1;
        Positions = new long[perRank * Passes];
        Indices = new int[perRank * Passes];
        for (int j = 0; j < Passes; j++)
        {
            var order = Order(count, epoch, j, o);
            for (int k = 0; k < perRank; k++)
            {
                long p = o.Rank + (long)k * o.WorldSize;
                Positions[j * perRank + k] = p + (long)j * count;
                Indices[j * perRank + k] = order[p];
            }
        }
        BatchCount = o.DropLast ? Positions.Length / o.BatchSize : (perRank + o.BatchSize - 1) / o.BatchSize;
    }

    private static int[] Order(int count, int epoch, int pass, LoaderOptions o)
    {
        if (o.Shuffle) return DataRng.For(o.Seed, RandomStream.Order, epoch, pass).Permutation(count);
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        return order;
    }

    /// <summary>The slice [first, first+count) of the rank's stream that batch <paramref name="batch"/> covers.</summary>
    public (int First, int Count) BatchRange(int batch)
    {
        int first = batch * batchSize;
        return (first, Math.Min(batchSize, Indices.Length - first));
    }
}
