using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using MimScale.Analysis.Report;
using MimScale.Files;
using MimScale.Study.Execution;
using MimScale.Study.Planning;
using MimScale.Study.Spec;
using MimScale.Study.Store;
using MimScale.Study.Workers;
using MimScale.Training.Distributed;

namespace MimScale.Study.Running;

/// <summary>What one <see cref="StudyRunner.Run"/> did.</summary>
/// <param name="Cells">Cells of the plan.</param>
/// <param name="Done">Cells with pre-training and all evaluations stored, after the run.</param>
/// <param name="PretrainedThisRun">Branches reported by the executor in this run.</param>
/// <param name="EvaluationsThisRun">Evaluations run in this run.</param>
/// <param name="Failures">What failed in this run (a rerun retries it).</param>
/// <param name="Report">The report written, or null when nothing was pre-trained yet.</param>
public sealed record StudyRunSummary(int Cells, int Done, int PretrainedThisRun, int EvaluationsThisRun, IReadOnlyList<StudyFailure> Failures,
    ReportFiles? Report)
{
    /// <summary>Cells with a failure in this run.</summary>
    public int Failed => Failures.Select(f => f.CellKey).Distinct().Count();

    /// <summary>Cells neither done nor failed in this run.</summary>
    public int Pending => Cells - Done - Failed;

    /// <summary>"12 done, 1 failed, 0 pending".</summary>
    public string Counts => $"{Done} done, {Failed} failed, {Pending} pending";
}

/// <summary>One failure of a study run: the cell, what failed ("pretrain" or an evaluation) and the error's message.</summary>
public sealed record StudyFailure(string CellKey, string CellLabel, string Stage, string Message);

/// <summary>
/// Runs what a plan still lacks, trunk by trunk: pre-training (via <see cref="IStudyExecutor.PretrainTrunk"/>), then the
/// evaluations of that trunk's cells, then the report. Every result is committed as soon as it arrives, so a run
/// killed at any moment and restarted redoes no stored work and loses none. Cells are keyed by their resolved
/// config, so an edited spec adds new cells beside the old ones instead of mixing with them.
/// With <c>jobs</c> &gt; 1, that many trunks run at once (each trunk's pre-training then its evaluations), largest
/// planned compute first; the executor must then be thread-safe (the engine is: every run owns its model, optimiser,
/// generators and loaders). Store writes and progress are serialised here.
/// A failure is the failure of one cell's pre-training or one evaluation: it is stored with its message (the whole
/// exception goes to study.log, and to the console with <paramref name="verbose"/>), the other cells and jobs go on,
/// and the summary lists it. Only cancellation stops the run.
/// </summary>
public sealed class StudyRunner(IStudyExecutor executor, TextWriter output, bool verbose = false)
{
    private readonly Lock sync = new();

    /// <summary>Plans <paramref name="spec"/> for running in <paramref name="folder"/>: manifests are drawn and written to its data folder.</summary>
    public static StudyPlan PlanFor(StudySpec spec, StudyFolder folder, Func<string, MimScale.Data.Sources.IImageSource>? open = null, string? version = null) =>
        StudyPlanner.Plan(spec, new ManifestResolver(folder.DataDir, open), version);

    /// <summary>Runs the plan in <paramref name="folder"/>; <paramref name="analysis"/> configures the report (metric from the spec by default).</summary>
    /// <param name="plan">The study plan.</param>
    /// <param name="folder">The study folder.</param>
    /// <param name="ct">Cancels the study.</param>
    /// <param name="analysis">Report settings; null = the spec's metric.</param>
    /// <param name="jobs">Trunks run at the same time (1 = one after the other).</param>
    /// <param name="worker">Share the study with other workers (<see cref="WorkerLoop"/>): claim trunks, heartbeat, take over
    /// trunks of dead workers; null = run alone, holding the folder's exclusive lock.</param>
    /// <param name="storeAt">Where the store is (default: the folder's study.db).</param>
    /// <param name="ranks">The MPI ranks of this run (<see cref="WorkerRanks"/>; default: this process alone). Every rank
    /// calls Run with the same plan; rank 0 does what a one-process run does and the other ranks pre-train each of its
    /// trunks with it, data-parallel. Their summary is empty: rank 0's is the run's.</param>
    public StudyRunSummary Run(StudyPlan plan, StudyFolder folder, CancellationToken ct = default, AnalysisOptions? analysis = null, int jobs = 1,
        WorkerOptions? worker = null, StoreLocation? storeAt = null, ICollectives? ranks = null)
    {
        if (jobs < 1) throw new ArgumentOutOfRangeException(nameof(jobs), jobs, "jobs must be at least 1");
        worker = worker?.Validated();
        ranks ??= SingleProcess.Instance;
        if (ranks.WorldSize == 1) return RunHere(plan, folder, ct, analysis, jobs, worker, storeAt, null);
        if (jobs > 1)
            throw new ArgumentException($"--jobs {jobs}: under an MPI launcher the {ranks.WorldSize} ranks train one trunk at a time together; leave --jobs at 1");
        var orders = new WorkerRanks(ranks, plan);
        orders.AgreeOnPlan(ct);
        if (!ranks.IsRoot)
        {
            orders.Follow(executor, folder, output, ct);
            return new StudyRunSummary(plan.Cells.Count, 0, 0, 0, [], null);
        }
        try { return RunHere(plan, folder, ct, analysis, jobs, worker, storeAt, orders); }
        finally { orders.Finish(); }   // also after an error: the other ranks must not wait for ever
    }

    private StudyRunSummary RunHere(StudyPlan plan, StudyFolder folder, CancellationToken ct, AnalysisOptions? analysis, int jobs,
        WorkerOptions? worker, StoreLocation? storeAt, WorkerRanks? orders)
    {
        using var folderLock = worker is null ? folder.Lock() : folder.SharedLock();
        using var log = new StudyLog(output, worker is null ? folder.LogPath : folder.WorkerLogPath(worker.WorkerId));
        using var store = (storeAt ?? StoreLocation.Default).Open(plan.Spec.Name, folder);
        lock (sync) store.RegisterPlan(plan);
        AtomicFile.WriteAllText(folder.SpecPath, plan.Spec.Text);
        foreach (var cell in plan.Cells) WriteConfig(folder, cell);

        var stored = store.LoadCells(plan.Cells.Select(c => c.Key).ToList());
        var progress = new StudyProgress(plan.Cells, stored, jobs);
        log.Line(string.Create(CultureInfo.InvariantCulture,
            $"study {plan.Spec.Name}: {plan.Cells.Count} cells in {plan.Trunks.Count} trunks{References(plan)}, {progress.Done} done; planned {plan.TotalIterations:N0} iterations ({plan.TotalFlops:0.00e+00} FLOPs); folder {folder.Root}")
            + (worker is null ? "" : $"; worker {worker.WorkerId}, store {store.Path}"));
        int pretrainedNow = 0, evaluatedNow = 0;
        var failures = new ConcurrentQueue<StudyFailure>();
        bool RunTrunk(int i, string? workerId, CancellationToken token)
        {
            var trunk = plan.Trunks[i];
            string prefix = jobs > 1 ? $"  [{i + 1}] | " : "  | ";
            int before = failures.Count;
            Interlocked.Add(ref pretrainedNow, PretrainTrunk(trunk, i, plan.Trunks.Count, folder, store, log, progress, prefix, failures, workerId, orders, token));
            Interlocked.Add(ref evaluatedNow, EvaluateTrunk(trunk, folder, store, log, progress, prefix, failures, workerId, token));
            return failures.Skip(before).Any(f => trunk.Cells.Any(c => c.Key == f.CellKey));   // other jobs' failures are theirs
        }
        if (worker is not null)
            new WorkerLoop(store, sync, worker, log).Run(plan, jobs, RunTrunk, ct);
        else if (jobs == 1)
            for (int i = 0; i < plan.Trunks.Count; i++) RunTrunk(i, null, ct);
        else
            RunConcurrently(plan, jobs, (i, token) => RunTrunk(i, null, token), ct);
        var cells = store.LoadCells(plan.Cells.Select(c => c.Key).ToList());
        var report = StudyReport.Write(plan.Spec.Name, cells, folder, analysis ?? new AnalysisOptions(Metric: plan.Spec.ReportMetric), log);
        var summary = new StudyRunSummary(plan.Cells.Count, cells.Count(c => c.Stage == CellStage.Done), pretrainedNow, evaluatedNow,
            failures.ToList(), report);
        log.Line(progress.Line());
        log.Line($"study {plan.Spec.Name}: {summary.Counts}");
        foreach (var f in summary.Failures) log.Line($"  failed: {f.CellLabel}: {f.Stage}: {f.Message}");
        return summary;
    }

    /// <summary>
    /// Runs trunks on <paramref name="jobs"/> dedicated threads, largest planned compute first. A trunk's failures are
    /// stored by the trunk itself, so only cancellation can end a job early: it stops the others, and is rethrown.
    /// </summary>
    private static void RunConcurrently(StudyPlan plan, int jobs, Action<int, CancellationToken> run, CancellationToken ct)
    {
        var queue = new ConcurrentQueue<int>(Enumerable.Range(0, plan.Trunks.Count)
            .OrderByDescending(i => plan.Trunks[i].Cells.Sum(c => c.AttributedFlops)).ThenBy(i => i));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var errors = new ConcurrentQueue<Exception>();
        var workers = Enumerable.Range(0, Math.Min(jobs, plan.Trunks.Count)).Select(_ => new Thread(() =>
        {
            while (!cts.IsCancellationRequested && queue.TryDequeue(out int i))
            {
                try { run(i, cts.Token); }
                catch (Exception e) { errors.Enqueue(e); cts.Cancel(); }
            }
        }, maxStackSize: 16 << 20)
        { IsBackground = true, Name = "study-job" }).ToList();
        foreach (var w in workers) w.Start();
        foreach (var w in workers) w.Join();
        var first = errors.FirstOrDefault(e => e is not OperationCanceledException) ?? errors.FirstOrDefault();
        if (first is not null) ExceptionDispatchInfo.Capture(first).Throw();
        ct.ThrowIfCancellationRequested();
    }

    /// <summary>Books a failure: one line on the console (the whole exception with --verbose), the whole exception in study.log.</summary>
    private void Fail(StudyLog log, ConcurrentQueue<StudyFailure> failures, CellPlan cell, string stage, Exception e)
    {
        failures.Enqueue(new StudyFailure(cell.Key, cell.Describe(), stage, e.Message));
        log.Line($"[failed] {cell.Describe()}: {stage}: {e.Message}");
        log.Detail(e.ToString(), toConsole: verbose);
    }

    private int PretrainTrunk(TrunkGroup trunk, int index, int count, StudyFolder folder, StudyStore store, StudyLog log, StudyProgress progress,
        string prefix, ConcurrentQueue<StudyFailure> failures, string? worker, WorkerRanks? orders, CancellationToken ct)
    {
        IReadOnlySet<string> finished;
        lock (sync) finished = store.PretrainedKeys(trunk.Cells.Select(c => c.Key));
        var job = new TrunkJob(trunk, folder.TrunkDir(trunk.Key), trunk.Cells.ToDictionary(c => c.Key, c => folder.CellDir(c.Key)), finished)
        {
            Ranks = orders?.Ranks ?? SingleProcess.Instance,
        };
        var pending = job.PendingCells;
        if (pending.Count == 0) return 0;
        if (trunk.Scratch) { RecordScratch(pending, folder, store, log, worker); return 0; }
        Directory.CreateDirectory(job.TrunkDir);
        log.Line(string.Create(CultureInfo.InvariantCulture,
            $"[trunk {index + 1}/{count}] {trunk.Describe()}: lengths {string.Join(", ", trunk.Cells.Select(c => c.Iterations))}, trunk to {job.RequiredTrunkIterations}, pending {string.Join(", ", pending.Select(c => c.Iterations))}"));
        lock (sync) store.SetStage(pending.Select(c => c.Key), CellStage.Pretraining);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        void OnFinished(CellPretrainResult result)
        {
            lock (sync)
            {
                var cell = trunk.Cells.FirstOrDefault(c => c.Key == result.CellKey)
                    ?? throw new StudyExecutionException($"the executor reported cell '{result.CellKey}', which is not in trunk {trunk.Key}");
                if (finished.Contains(cell.Key) || !reported.Add(cell.Key))
                    throw new StudyExecutionException($"the executor reported cell {cell.Key} twice (it was already stored)");
                ResultChecks.Pretrain(cell, result);
                store.RecordPretrain(cell, result, worker);
                progress.CellPretrained(cell, clock.Elapsed.TotalSeconds);
                clock.Restart();
                log.Line(string.Create(CultureInfo.InvariantCulture,
                    $"[pre-trained] {cell.Describe()}: val loss {result.FinalValLoss:F4}, train loss {Num(result.FinalTrainLoss)}, decay {result.DecaySeconds:F1} s"));
                log.Line(progress.Line());
            }
        }
        try
        {
            if (orders is null) executor.PretrainTrunk(job, OnFinished, log.Progress(prefix), ct);
            else orders.Lead(index, job, () => executor.PretrainTrunk(job, orders.Agreed(OnFinished), log.Progress(prefix), ct), ct);   // the other ranks train it with this one
        }
        catch (OperationCanceledException e)
        {
            // A worker that lost the trunk leaves the stages to the worker that holds it now.
            if (e is not ClaimLostException)
                lock (sync) store.SetStage(pending.Where(c => !reported.Contains(c.Key)).Select(c => c.Key), CellStage.Planned, "stopped");
            throw;
        }
        catch (Exception e)
        {
            var unfinished = pending.Where(c => !reported.Contains(c.Key)).ToList();
            lock (sync) store.SetStage(unfinished.Select(c => c.Key), CellStage.Failed, e.Message);
            foreach (var cell in unfinished) Fail(log, failures, cell, "pretrain", e);
            return reported.Count;
        }
        var missing = pending.Where(c => !reported.Contains(c.Key)).ToList();
        if (missing.Count > 0)
        {
            var error = new StudyExecutionException($"the executor returned without reporting {string.Join(", ", missing.Select(c => c.Key))}");
            lock (sync) store.SetStage(missing.Select(c => c.Key), CellStage.Failed, error.Message);
            foreach (var cell in missing) Fail(log, failures, cell, "pretrain", error);
        }
        return reported.Count;
    }

    /// <summary>
    /// A scratch reference has nothing to pre-train: its empty pre-training (no iterations, no losses, no curve) is stored
    /// here, never asked of the executor, so from then on it is a pre-trained cell whose evaluations run, resume and are
    /// stored by <see cref="EvaluateTrunk"/> like every other cell's (from a random initialisation: <see cref="CellPlan.Scratch"/>).
    /// </summary>
    private void RecordScratch(IReadOnlyList<CellPlan> pending, StudyFolder folder, StudyStore store, StudyLog log, string? worker)
    {
        lock (sync)
            foreach (var cell in pending)
            {
                store.RecordPretrain(cell, new CellPretrainResult(cell.Key, folder.CellDir(cell.Key)), worker);
                log.Line($"[scratch reference] {cell.Model} / seed {cell.Seed}: no pre-training; {string.Join(", ", cell.Evaluations)} from a random initialisation");
            }
    }

    private int EvaluateTrunk(TrunkGroup trunk, StudyFolder folder, StudyStore store, StudyLog log, StudyProgress progress, string prefix,
        ConcurrentQueue<StudyFailure> failures, string? worker, CancellationToken ct)
    {
        int count = 0;
        IReadOnlyList<StoredCell> cells;
        lock (sync) cells = store.LoadCells(trunk.Cells.Select(c => c.Key).ToList());
        foreach (var stored in cells.Where(c => c.Run is not null))   // a cell whose pre-training failed has nothing to evaluate
        {
            var cell = trunk.Cells.First(c => c.Key == stored.Key);
            var failed = new List<string>();
            foreach (var evaluation in stored.PendingEvaluations)
            {
                ct.ThrowIfCancellationRequested();
                lock (sync) store.SetStage([cell.Key], CellStage.Evaluating, evaluation);
                log.Line($"[evaluate] {cell.Describe()}: {evaluation}");
                var clock = Stopwatch.StartNew();
                IReadOnlyDictionary<string, double> metrics;
                try
                {
                    metrics = executor.Evaluate(cell, evaluation, folder.CellDir(cell.Key), log.Progress(prefix), ct);
                    ResultChecks.Evaluation(cell, evaluation, metrics);
                }
                catch (OperationCanceledException)
                {
                    lock (sync) store.SetStage([cell.Key], CellStage.Pretrained, $"{evaluation} stopped");
                    throw;
                }
                catch (Exception e)
                {
                    failed.Add($"{evaluation}: {e.Message}");
                    lock (sync) store.SetStage([cell.Key], CellStage.Failed, string.Join("; ", failed));
                    Fail(log, failures, cell, evaluation, e);
                    continue;
                }
                lock (sync)
                {
                    store.RecordEvaluation(cell, evaluation, metrics, clock.Elapsed.TotalSeconds, worker);
                    progress.Evaluated(cell, evaluation, clock.Elapsed.TotalSeconds);
                    count++;
                    log.Line(string.Create(CultureInfo.InvariantCulture,
                        $"[evaluated] {cell.Describe()}: {string.Join(", ", metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key} {m.Value:0.####}"))} ({clock.Elapsed.TotalSeconds:F1} s)"));
                    log.Line(progress.Line());
                }
            }
            // Recording a later evaluation moves the stage on: the cell stays failed, with every failure's message.
            if (failed.Count > 0) lock (sync) store.SetStage([cell.Key], CellStage.Failed, string.Join("; ", failed));
        }
        return count;
    }

    /// <summary>Writes <c>cells/KEY/config.json</c>: the key, labels, trunk facts and the hashed resolved config.</summary>
    private static void WriteConfig(StudyFolder folder, CellPlan cell)
    {
        var dir = folder.CellDir(cell.Key);
        var path = Path.Combine(dir, "config.json");
        if (File.Exists(path)) return;
        Directory.CreateDirectory(dir);
        var doc = new JsonObject
        {
            ["cell_key"] = cell.Key,
            ["config_sha256"] = cell.ConfigHash,
            ["trunk_key"] = cell.TrunkKey,
            ["label"] = cell.Describe(),
            ["data_label"] = cell.Data.Label,
            ["pretrain_source"] = cell.Data.PretrainSourceSpec,
            ["images"] = cell.Data.ImageCount,
            ["decay_start"] = cell.DecayStart,
            ["decay_iterations"] = cell.DecayIterations,
            ["flops_per_iteration"] = cell.FlopsPerIteration,
            ["attributed_iterations"] = cell.AttributedIterations,
            ["config"] = JsonNode.Parse(cell.ConfigJson),
        };
        AtomicFile.WriteAllText(path, doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static string References(StudyPlan plan) =>
        plan.Trunks.Count(t => t.Scratch) is int n and > 0 ? $" (of which {n} scratch references, nothing to pre-train)" : "";

    private static string Num(double? v) => v is double d ? d.ToString("F4", CultureInfo.InvariantCulture) : "-";
}
