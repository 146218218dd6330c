using static TorchSharp.torch;

namespace MimScale.Training.Distributed;

/// <summary>
/// The collective operations data-parallel training needs, and nothing more: a sum over ranks in place (gradients,
/// losses, validation sums), a broadcast from one rank (initial parameters) and a barrier (files rank 0 wrote are
/// complete before the others read them). <see cref="SingleProcess"/> is the plain run; <see cref="MpiCollectives"/>
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

    /// <summary>Wall time spent in <see cref="SumInPlace(IReadOnlyList{Tensor})"/> so far (the gradient exchange,
    /// including waiting for slower ranks), and the bytes it reduced.</summary>
    (TimeSpan Time, long Bytes) TensorSumTotals { get; }
}
