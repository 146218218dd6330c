using System.Collections.Concurrent;
using MimScale.Training.Distributed;
using static TorchSharp.torch;

namespace MimScale.Tests.Training.Distributed;

/// <summary>
/// N "ranks" that are threads of the test process, for the protocol of <see cref="MimScale.Study.WorkerRanks"/> without
/// MPI: sums of numbers over a <see cref="System.Threading.Barrier"/>, messages through queues. Tensor collectives are
/// not needed by the fake executor and throw.
/// </summary>
internal sealed class ThreadRanks
{
    private readonly System.Threading.Barrier barrier;
    private readonly double[][] slots;
    private readonly BlockingCollection<long[]>[,] mail;

    private readonly TimeSpan limit;

    /// <param name="collectiveLimit">Longest wait in a collective before it throws <see cref="TimeoutException"/> (the
    /// stand-in of the MPI watchdog; default 30 s).</param>
    public ThreadRanks(int count, TimeSpan? collectiveLimit = null)
    {
        limit = collectiveLimit ?? TimeSpan.FromSeconds(30);
        barrier = new System.Threading.Barrier(count);
        slots = new double[count][];
        mail = new BlockingCollection<long[]>[count, count];
        for (int a = 0; a < count; a++)
            for (int b = 0; b < count; b++) mail[a, b] = new BlockingCollection<long[]>();
        Ranks = Enumerable.Range(0, count).Select(r => (ICollectives)new Member(this, r)).ToList();
    }

    /// <summary>Rank r's collectives (use each from its own thread).</summary>
    public IReadOnlyList<ICollectives> Ranks { get; }

    private void Meet()
    {
        if (!barrier.SignalAndWait(limit)) throw new TimeoutException($"a rank did not reach the collective within {limit.TotalSeconds} s");
    }

    private sealed class Member(ThreadRanks all, int rank) : ICollectives
    {
        public int Rank => rank;
        public int WorldSize => all.slots.Length;

        public void SumInPlace(double[] values)
        {
            all.slots[rank] = (double[])values.Clone();
            all.Meet();
            for (int i = 0; i < values.Length; i++) values[i] = all.slots.Sum(s => s[i]);
            all.Meet();   // nobody overwrites a slot before all have read it
        }

        public void Send(long[] message, int to) => all.mail[rank, to].Add((long[])message.Clone());

        public long[] Receive(int from, int length, CancellationToken ct)
        {
            var message = all.mail[from, rank].Take(ct);
            Assert.Equal(length, message.Length);
            return message;
        }

        public void Barrier() => all.Meet();
        public void SumInPlace(IReadOnlyList<Tensor> tensors) => throw new NotSupportedException();
        public void Broadcast(IReadOnlyList<Tensor> tensors, int root = 0) => throw new NotSupportedException();
        public (TimeSpan Time, long Bytes) TensorSumTotals => (TimeSpan.Zero, 0);
        public void Dispose() { }
    }
}
