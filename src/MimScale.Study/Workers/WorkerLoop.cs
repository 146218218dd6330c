using System.Globalization;
using System.Runtime.ExceptionServices;
using MimScale.Study.Planning;
using MimScale.Study.Running;
using MimScale.Study.Store;

namespace MimScale.Study.Workers;

/// <summary>
/// The loop of a `study run --worker`: claim a trunk with work left (largest planned compute first), run it with a
/// heartbeat, release it, repeat. A trunk held by a worker whose heartbeat stopped is taken over and its run resumes
/// from the checkpoints in its folder. With nothing claimable the worker waits while other workers still hold trunks
/// (one of them may die), and ends when every trunk is finished or failed during its own lifetime. Results are stored
/// only while the trunk is held (<see cref="StudyStore.RecordPretrain"/> checks the claim in the same transaction), so
/// no cell is stored twice; the run folder's lock keeps two processes from training one run at the same time.
/// </summary>
internal sealed class WorkerLoop(StudyStore store, Lock sync, WorkerOptions options, StudyLog log)
{
    /// <summary>Runs the loop on <paramref name="jobs"/> threads (workers "ID", or "ID/1".."ID/jobs").</summary>
    /// <param name="plan">The study's plan (its trunks are claimed largest first).</param>
    /// <param name="jobs">Worker threads of this process.</param>
    /// <param name="runTrunk">Runs trunk i as the given worker; true when a cell of it failed.</param>
    /// <param name="ct">Stops claiming; the running trunks stop at their next step.</param>
    public void Run(StudyPlan plan, int jobs, Func<int, string, CancellationToken, bool> runTrunk, CancellationToken ct)
    {
        var order = Enumerable.Range(0, plan.Trunks.Count)
            .OrderByDescending(i => plan.Trunks[i].Cells.Sum(c => c.AttributedFlops)).ThenBy(i => i).ToList();
        if (jobs == 1) { Loop(plan, order, options.WorkerId, runTrunk, ct); return; }
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Exception? error = null;
        var threads = Enumerable.Range(1, jobs).Select(j => new Thread(() =>
        {
            try { Loop(plan, order, $"{options.WorkerId}/{j}", runTrunk, cts.Token); }
            catch (Exception e) { Interlocked.CompareExchange(ref error, e, null); cts.Cancel(); }
        }, maxStackSize: 16 << 20)
        { IsBackground = true, Name = "study-worker" }).ToList();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        if (error is not null) ExceptionDispatchInfo.Capture(error).Throw();
    }

    private void Loop(StudyPlan plan, IReadOnlyList<int> order, string worker, Func<int, string, CancellationToken, bool> runTrunk, CancellationToken ct)
    {
        double start;
        lock (sync) start = store.Claims.Now();
        bool waiting = false;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            List<int> open;
            double openAt;
            lock (sync)
            {
                openAt = store.Claims.Now();   // before reading results: a trunk released as done after this is not claimed on a stale view
                var unfinished = store.LoadCells(plan.Cells.Select(c => c.Key).ToList())
                    .Where(c => c.Run is null || c.PendingEvaluations.Count > 0).Select(c => c.TrunkKey).ToHashSet(StringComparer.Ordinal);
                var failedHere = store.Claims.FailedSince(start);
                open = order.Where(i => unfinished.Contains(plan.Trunks[i].Key) && !failedHere.Contains(plan.Trunks[i].Key)).ToList();
            }
            if (open.Count == 0) return;
            ClaimGrant? grant = null;
            int index = -1;
            foreach (int i in open)
            {
                lock (sync) grant = store.Claims.TryClaim(plan.Trunks[i].Key, worker, options.StaleAfterSeconds, openAt);
                if (grant is not null) { index = i; break; }
            }
            bool finishedMeanwhile;
            lock (sync) finishedMeanwhile = store.Claims.DoneSince(openAt);
            if (grant is null && finishedMeanwhile) continue;   // look again at once: what is left has changed
            if (grant is null)
            {
                if (!waiting) log.Line($"[worker {worker}] {open.Count} trunk(s) left, all held by other workers; waiting to take over any whose worker stops");
                waiting = true;
                if (ct.WaitHandle.WaitOne(TimeSpan.FromSeconds(options.PollSeconds))) ct.ThrowIfCancellationRequested();
                continue;
            }
            waiting = false;
            RunClaimed(plan, index, grant, runTrunk, ct);
        }
    }

    private void RunClaimed(StudyPlan plan, int index, ClaimGrant grant, Func<int, string, CancellationToken, bool> runTrunk, CancellationToken ct)
    {
        var trunk = plan.Trunks[index];
        log.Line(grant.PreviousWorker is null
            ? $"[worker {grant.Worker}] claimed trunk {trunk.Key} ({trunk.Describe()})"
            : string.Create(CultureInfo.InvariantCulture,
                $"[worker {grant.Worker}] took over trunk {trunk.Key} ({trunk.Describe()}) from worker {grant.PreviousWorker}, silent for {grant.StaleSeconds:0} s; resuming from its checkpoints"));
        using var lost = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, lost.Token);
        string outcome;
        using (new Heartbeat(store.Reopen(), trunk.Key, grant.Worker, TimeSpan.FromSeconds(options.HeartbeatSeconds), lost.Cancel, log.Line))
        {
            try { outcome = runTrunk(index, grant.Worker, linked.Token) ? "failed" : "done"; }
            catch (OperationCanceledException e) when (lost.IsCancellationRequested || e is ClaimLostException)
            {
                log.Line($"[worker {grant.Worker}] gave up trunk {trunk.Key}: {(e is ClaimLostException ? e.Message : "another worker holds it now")}");
                return;   // not ours any more: nothing to release
            }
            catch (OperationCanceledException)
            {
                lock (sync) store.Claims.Release(trunk.Key, grant.Worker, "stopped");   // free at once for the other workers
                throw;
            }
            catch
            {
                lock (sync) store.Claims.Release(trunk.Key, grant.Worker, "failed");
                throw;
            }
        }
        lock (sync) store.Claims.Release(trunk.Key, grant.Worker, outcome);
    }
}
