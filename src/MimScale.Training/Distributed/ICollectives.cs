using static TorchSharp.torch;

namespace MimScale.Training.Distributed;

/// <summary>
/// The collective operations data-parallel training needs, and nothing more: a sum over ranks in place (gradients,
/// losses, validation sums), a broadcast from one rank (initial parameters) and a barrier (files rank 0 wrote are
/// complete before the others read them), plus a message from one rank to another (a study worker's rank 0 telling
/// the others which trunk to train next). <see cref="SingleProcess"/> is the plain run; <see cref="MpiCollectives"/>
/// runs under <c>mpiexec</c> / <c>srun --mpi=pmi2</c>. <see cref="Collectives.FromEnvironment"/> picks one.
/// </summary>
public interface ICollectives : IDisposable
{
    /// <summary>This process's rank, 0-based.</summary>
    int Rank { get; }
    /// <summary>Number of ranks.</summary>
    int WorldSize { get; }
    /// <summary>Rank 0: the one that writes the run folder, the log and the results.</summary>
    bool IsRoot => Rank == 0;

    /// <summary>Replaces every tensor by its sum over all ranks. Every rank passes the same shapes in the same order.</summary>
    void SumInPlace(IReadOnlyList<Tensor> tensors);

    /// <summary>Replaces every value by its sum over all ranks.</summary>
    void SumInPlace(double[] values);

    /// <summary>Overwrites every tensor with rank <paramref name="root"/>'s values.</summary>
    void Broadcast(IReadOnlyList<Tensor> tensors, int root = 0);

    /// <summary>Returns once every rank has called it.</summary>
    void Barrier();

    /// <summary>Sends <paramref name="message"/> to rank <paramref name="to"/>, which takes it with <see cref="Receive"/>.
    /// Messages between two ranks arrive in the order they were sent.</summary>
    void Send(long[] message, int to);

    /// <summary>
    /// Waits for the next message of <paramref name="length"/> numbers from rank <paramref name="from"/>. Unlike a
    /// collective it has no time limit (the sender may be busy for hours with work of its own) and it sleeps between
    /// looks instead of spinning, so the waiting rank leaves its core to the others.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled while waiting.</exception>
    long[] Receive(int from, int length, CancellationToken ct);

    /// <summary>Wall time spent in <see cref="SumInPlace(IReadOnlyList{Tensor})"/> so far (the gradient exchange,
    /// including waiting for slower ranks), and the bytes it reduced.</summary>
    (TimeSpan Time, long Bytes) TensorSumTotals { get; }
}
