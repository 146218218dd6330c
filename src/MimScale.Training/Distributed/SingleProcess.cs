using static TorchSharp.torch;

namespace MimScale.Training.Distributed;

/// <summary>One process, no MPI loaded: every collective is the identity.</summary>
public sealed class SingleProcess : ICollectives
{
    /// <summary>The one instance (stateless).</summary>
    public static readonly SingleProcess Instance = new();

    private SingleProcess() { }

    public int Rank => 0;
    public int WorldSize => 1;
    public void SumInPlace(IReadOnlyList<Tensor> tensors) { }
    public void SumInPlace(double[] values) { }
    public void Broadcast(IReadOnlyList<Tensor> tensors, int root = 0) { }
    public void Barrier() { }
    public void Send(long[] message, int to) => throw new InvalidOperationException($"rank {to} does not exist: this process runs alone");
    public long[] Receive(int from, int length, CancellationToken ct) => throw new InvalidOperationException($"rank {from} does not exist: this process runs alone");
    public (TimeSpan Time, long Bytes) TensorSumTotals => (TimeSpan.Zero, 0);
    public void Dispose() { }
}
