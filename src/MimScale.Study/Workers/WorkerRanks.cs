using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text;
using MimScale.Study.Execution;
using MimScale.Study.Planning;
using MimScale.Study.Running;
using MimScale.Training.Distributed;

namespace MimScale.Study.Workers;

/// <summary>
/// The MPI ranks of one study run (`mpiexec -n N mimscale study run --worker`, or the `srun --mpi=pmi2 -n N` line of
/// `study slurm --ranks-per-worker N`). Rank 0 alone is what the store and the other workers see: it claims trunks,
/// heartbeats, records results, runs the evaluations and writes the report. For each trunk it pre-trains it sends every
/// other rank an order (the trunk's place in the plan and which of its cells are pending), all ranks train that trunk
/// together, data-parallel (the engine does the collectives and lets rank 0 alone write), and each other rank answers
/// when it is out of the trunk. When rank 0 has no more work, or fails, it sends "no more work" and the others return.
/// <para>The other ranks wait for orders with <see cref="ICollectives.Receive"/>: no time limit (rank 0 may evaluate or
/// wait for other workers' trunks for hours) and no spinning (the core is rank 0's meanwhile). A rank that dies while
/// training ends the job as before (the launcher tears it down, or the collective watchdog aborts it), so rank 0 stops
/// heartbeating and its trunk is taken over by another worker after --stale-after. A rank that hangs while the others
/// are idle is not detected until rank 0 next needs it.</para>
/// </summary>
internal sealed class WorkerRanks
{
    private const long NoMoreWork = -1;
    private readonly ICollectives ranks;
    private readonly StudyPlan plan;
    private readonly int length;   // an order: its number, the trunk index, then 1 (pending) or 0 (finished) per cell of the largest trunk
    private long orders;           // orders rank 0 has sent

    public WorkerRanks(ICollectives ranks, StudyPlan plan)
    {
        (this.ranks, this.plan) = (ranks, plan);
        length = 2 + plan.Trunks.Select(t => t.Cells.Count).DefaultIfEmpty(0).Max();
    }

    /// <summary>The ranks.</summary>
    public ICollectives Ranks => ranks;

    /// <summary>
    /// Checks that every rank planned the same trunks (same spec, same data, so the same manifest hashes in the keys);
    /// called by every rank before anything else. Throws the same error on every rank otherwise.
    /// </summary>
    /// <exception cref="StudyExecutionException">A rank's plan differs from rank 0's.</exception>
    public void AgreeOnPlan(CancellationToken ct)
    {
        long mine = Fingerprint(plan);
        bool differs = false;
        if (ranks.IsRoot)
            for (int r = 1; r < ranks.WorldSize; r++) ranks.Send([mine], r);
        else
            differs = ranks.Receive(0, 1, ct)[0] != mine;
        var count = new[] { differs ? 1.0 : 0.0 };
        ranks.SumInPlace(count);
        if (count[0] > 0)
            throw new StudyExecutionException($"{count[0]:0} of the {ranks.WorldSize} MPI ranks planned another study than rank 0: every rank must read the same spec and the same data (a folder all nodes see)");
    }

    /// <summary>
    /// Rank 0: has the other ranks pre-train <paramref name="job"/> (trunk <paramref name="index"/> of the plan) with it
    /// while <paramref name="pretrain"/> runs here, then waits until every other rank is out of that trunk too. The wait
    /// matters after a failure on rank 0 alone (a run folder it may not write): a rank still inside the trunk waits in a
    /// collective, and the next trunk's collectives must not pair with its. Such a rank comes out when its collective
    /// watchdog aborts the job. Cancelled, rank 0 does not wait (the ranks stop together, see <see cref="CollectiveCancellation"/>).
    /// </summary>
    public void Lead(int index, TrunkJob job, Action pretrain, CancellationToken ct)
    {
        var order = new long[length];
        order[0] = ++orders;
        order[1] = index;
        for (int c = 0; c < job.Trunk.Cells.Count; c++) order[2 + c] = job.FinishedCells.Contains(job.Trunk.Cells[c].Key) ? 0 : 1;
        for (int r = 1; r < ranks.WorldSize; r++) ranks.Send(order, r);
        try { pretrain(); }
        finally
        {
            try
            {
                for (int r = 1; r < ranks.WorldSize; r++)
                    while (ranks.Receive(r, 1, ct)[0] != order[0]) { }   // an earlier order's reply, left when a wait was cancelled
            }
            catch (OperationCanceledException) { }   // keep the exception of pretrain (a lost claim) for the caller
        }
    }

    /// <summary>Rank 0: there is no more work; the other ranks return from <see cref="Follow"/>.</summary>
    public void Finish()
    {
        var order = new long[length];
        order[0] = ++orders;
        order[1] = NoMoreWork;
        for (int r = 1; r < ranks.WorldSize; r++) ranks.Send(order, r);
    }

    /// <summary>
    /// Wraps rank 0's branch callback (<paramref name="record"/>; null on the other ranks, which record nothing) so that
    /// after each branch all ranks agree whether the trunk goes on: when recording fails on rank 0 (its claim was taken
    /// over, a malformed result), rank 0 throws that error and the others an <see cref="OperationCanceledException"/>,
    /// instead of training the next branch without rank 0.
    /// </summary>
    public Action<CellPretrainResult> Agreed(Action<CellPretrainResult>? record) => result =>
    {
        ExceptionDispatchInfo? error = null;
        if (record is not null)
        {
            try { record(result); }
            catch (Exception e) { error = ExceptionDispatchInfo.Capture(e); }
        }
        var failed = new[] { error is null ? 0.0 : 1.0 };
        ranks.SumInPlace(failed);
        error?.Throw();
        if (failed[0] > 0) throw new OperationCanceledException($"rank 0 stopped after branch {result.CellKey}; rank {ranks.Rank} waits for its next order");
    };

    /// <summary>
    /// The loop of every rank but 0: wait for an order, pre-train that trunk with the other ranks, repeat until rank 0
    /// has no more work. A trunk that fails or is stopped here fails or stops on rank 0 as well (it records the failure,
    /// or gives the trunk up), so the rank reports it on <paramref name="output"/> and waits for the next order.
    /// </summary>
    /// <returns>Trunks this rank helped to train.</returns>
    public int Follow(IStudyExecutor executor, StudyFolder folder, TextWriter output, CancellationToken ct)
    {
        int trained = 0;
        while (true)
        {
            var order = ranks.Receive(0, length, ct);
            if (order[1] == NoMoreWork) return trained;
            if (order[1] < 0 || order[1] >= plan.Trunks.Count)
                throw new StudyExecutionException($"rank {ranks.Rank}: rank 0 ordered trunk {order[1]}, the plan has {plan.Trunks.Count}");
            var trunk = plan.Trunks[(int)order[1]];
            var finished = trunk.Cells.Where((c, i) => order[2 + i] == 0).Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
            var job = new TrunkJob(trunk, folder.TrunkDir(trunk.Key), trunk.Cells.ToDictionary(c => c.Key, c => folder.CellDir(c.Key)), finished) { Ranks = ranks };
            try
            {
                executor.PretrainTrunk(job, Agreed(null), Silent.Instance, ct);
                trained++;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                output.WriteLine($"rank {ranks.Rank}: trunk {trunk.Key} stopped by rank 0; waiting for the next order");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                output.WriteLine($"rank {ranks.Rank}: trunk {trunk.Key} failed: {e.Message} (rank 0 records it); waiting for the next order");
            }
            ranks.Send([order[0]], 0);   // out of the trunk: rank 0 may send the next order
        }
    }

    /// <summary>The first 8 bytes of SHA-256 over the trunk and cell keys in plan order (keys hold the configs and manifest hashes).</summary>
    private static long Fingerprint(StudyPlan plan) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', plan.Trunks.Select(t => $"{t.Key}: {string.Join(' ', t.Cells.Select(c => c.Key))}")))));

    /// <summary>Progress of a rank that does not log (rank 0 logs the trunk).</summary>
    private sealed class Silent : IProgress<string>
    {
        public static readonly Silent Instance = new();
        public void Report(string value) { }
    }
}
