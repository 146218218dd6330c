namespace MimScale.Training.Distributed;

/// <summary>
/// Cancellation that all ranks of a data-parallel job see at the same step. A token is per process: when only rank 0's
/// is cancelled (a study worker whose claim on a trunk was taken over, a Ctrl+C that reached one rank) and rank 0 alone
/// stopped, the others would wait in the next gradient all-reduce until the watchdog aborts the whole job. Summing one
/// flag per step over the ranks makes every rank stop at the same step instead (8 bytes per step, beside the megabytes
/// of gradients).
/// </summary>
public static class CollectiveCancellation
{
    /// <summary>
    /// Throws <see cref="OperationCanceledException"/> on every rank when the token of any rank is cancelled. Every rank
    /// must call it at the same point (once per step); with one process it is <c>ct.ThrowIfCancellationRequested()</c>.
    /// </summary>
    public static void ThrowIfCancelledOnAnyRank(this ICollectives collectives, CancellationToken ct)
    {
        if (collectives.WorldSize == 1)
        {
            ct.ThrowIfCancellationRequested();
            return;
        }
        bool mine = ct.IsCancellationRequested;   // read once: a cancellation arriving after the sum counts at the next step, on every rank
        var stop = new[] { mine ? 1.0 : 0.0 };
        collectives.SumInPlace(stop);
        if (mine) throw new OperationCanceledException(ct);   // keeps its token: callers test which token fired
        if (stop[0] > 0)
            throw new OperationCanceledException($"another rank of the {collectives.WorldSize}-rank job stopped; rank {collectives.Rank} stops at the same step");
    }
}
