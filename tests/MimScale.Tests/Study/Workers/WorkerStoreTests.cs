using System.Diagnostics;
using MimScale.Analysis.Report;
using MimScale.Analysis.Results;
using MimScale.Study.Execution;
using MimScale.Study.Planning;
using MimScale.Study.Running;
using MimScale.Study.Spec;
using MimScale.Study.Store;
using MimScale.Study.Workers;
using MimScale.Tests.Data;

namespace MimScale.Tests.Study.Workers;

/// <summary>
/// Workers sharing one study, against each store back end: the same tests run on SQLite (<see cref="SqliteWorkerTests"/>)
/// and on a real PostgreSQL server (<see cref="PostgresWorkerTests"/>). Uses the fake executor (8 cells in 4 trunks).
/// </summary>
public abstract class WorkerStoreTests
{
    private static readonly AnalysisOptions NoPlots = new(Metric: "finetune_top1", Plots: false);

    /// <summary>A fresh, empty store location for one test.</summary>
    protected abstract StoreLocation NewStore();

    private static StudyPlan PlanIn(StudyFolder folder) =>
        StudyRunner.PlanFor(StudySpecReader.Parse(StudyTestData.Spec(), "t.yaml"), folder, StudyTestData.Open, "v1");

    private static StudyRunSummary RunWorker(IStudyExecutor executor, StudyPlan plan, StudyFolder folder, StoreLocation store, WorkerOptions worker,
        TextWriter? log = null) =>
        new StudyRunner(executor, log ?? TextWriter.Null).Run(plan, folder, default, NoPlots, worker: worker, storeAt: store);

    [Fact]
    public void ClaimsAreExclusiveUntilTheHeartbeatIsStaleAndALostClaimStoresNothing()
    {
        using var tmp = new TempFolder();
        var folder = StudyFolder.At(tmp.Path);
        var plan = PlanIn(folder);
        using var store = NewStore().Open(plan.Spec.Name, folder);
        store.RegisterPlan(plan);
        var (t0, t1) = (plan.Trunks[0].Key, plan.Trunks[1].Key);
        double start = store.Claims.Now();

        var a = store.Claims.TryClaim(t0, "a", 60);
        Assert.Equal(new ClaimGrant(t0, "a", null, null), a);
        Assert.Null(store.Claims.TryClaim(t0, "b", 60));                  // a is alive
        Assert.True(store.Claims.Heartbeat(t0, "a"));
        Assert.False(store.Claims.Heartbeat(t0, "b"));

        Assert.NotNull(store.Claims.TryClaim(t1, "dead", 0.5));
        Thread.Sleep(800);
        var takeover = store.Claims.TryClaim(t1, "b", 0.5);             // 0.8 s without heartbeat > 0.5 s
        Assert.NotNull(takeover);
        Assert.Equal("dead", takeover.PreviousWorker);
        Assert.InRange(takeover.StaleSeconds!.Value, 0.5, 30);
        Assert.False(store.Claims.Heartbeat(t1, "dead"));                // the dead worker, if it wakes up, learns it lost

        var cell = plan.Trunks[1].Cells[0];
        var result = new CellPretrainResult(cell.Key, folder.CellDir(cell.Key)) { FinalValLoss = 0.5, Curve = [new CurvePoint(1, 0.6, 0.5)] };
        var lost = Assert.Throws<ClaimLostException>(() => store.RecordPretrain(cell, result, "dead"));
        Assert.Contains($"worker dead lost trunk {t1} to b", lost.Message);
        Assert.Empty(store.PretrainedKeys([cell.Key]));                  // nothing of the loser was stored
        store.RecordPretrain(cell, result, "b");
        Assert.Single(store.PretrainedKeys([cell.Key]));

        var status = StatusText.Format(plan.Spec.Name, store.LoadCells(plan.Cells.Select(c => c.Key).ToList()), 0, store.Claims.All());
        // Ages depend on the machine's load: a's claim (stale after 60 s) is live, b's (0.5 s) may already show as stale.
        Assert.Matches($@"claimed: trunk {t0} \(swinv2-pico / Pattern 10% / seed 0\) by worker a, heartbeat \d+ s ago\r?\n", status);
        Assert.Matches($@"claimed: trunk {t1} \(swinv2-pico / Pattern 50% / seed 0\) by worker b, heartbeat \d+ s ago", status);

        store.Claims.Release(t0, "a", "failed");
        store.Claims.Release(t1, "a", "done");                            // not a's: ignored
        var claims = store.Claims.All().ToDictionary(c => c.TrunkKey);
        Assert.Equal((null, "a", "failed", 1L), (claims[t0].Worker, claims[t0].LastWorker, claims[t0].Outcome, claims[t0].Attempts));
        Assert.Equal(("b", 2L), (claims[t1].Worker, claims[t1].Attempts));
        Assert.False(claims[t0].Live);
        Assert.Equal(new[] { t0 }, store.Claims.FailedSince(start));
        Assert.Empty(store.Claims.FailedSince(store.Claims.Now() + 1));
    }

    [Fact]
    public void TwoWorkersFinishEveryCellExactlyOnce()
    {
        using var tmp = new TempFolder();
        var folder = StudyFolder.At(tmp.Path);
        var plan = PlanIn(folder);
        var location = NewStore();
        var fake = new FakeStudyExecutor { MeetAt = 2 };   // the first trunks meet: both workers get trunks
        var summaries = new StudyRunSummary[2];
        var threads = Enumerable.Range(0, 2).Select(w => new Thread(() =>
            summaries[w] = RunWorker(fake, plan, folder, location, new WorkerOptions($"w{w}", StaleAfterSeconds: 30, PollSeconds: 0.1)))).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Equal(plan.Cells.Select(c => c.Key).Order(), fake.Pretrained.Order());          // every cell once
        Assert.Equal(16, fake.Evaluations.Distinct().Count());
        Assert.Equal(16, fake.Evaluations.Count);
        Assert.Equal(8, summaries[0].PretrainedThisRun + summaries[1].PretrainedThisRun);
        Assert.Equal(2, fake.MaxConcurrent);
        using var store = location.Open(plan.Spec.Name, folder);
        Assert.All(store.LoadCells(plan.Cells.Select(c => c.Key).ToList()), c => Assert.Equal(CellStage.Done, c.Stage));
        var claims = store.Claims.All();
        Assert.Equal(plan.Trunks.Select(t => t.Key).Order(), claims.Select(c => c.TrunkKey).Order());
        Assert.All(claims, c => Assert.Equal((null, "done", 1L), (c.Worker, c.Outcome, c.Attempts)));
        Assert.Equal(new[] { "w0", "w1" }, claims.Select(c => c.LastWorker).Distinct().Order());
        Assert.True(File.Exists(folder.WorkerLogPath("w0")) && File.Exists(folder.WorkerLogPath("w1")));
    }

    [Fact]
    public void ATrunkWhoseWorkerStoppedHeartbeatingIsTakenOverAndFinished()
    {
        using var tmp = new TempFolder();
        var folder = StudyFolder.At(tmp.Path);
        var plan = PlanIn(folder);
        var location = NewStore();
        var trunk = plan.Trunks.OrderByDescending(t => t.Cells.Sum(c => c.AttributedFlops)).First();   // the first a worker claims
        var early = trunk.Cells[0];
        using (var store = location.Open(plan.Spec.Name, folder))
        {
            // The dead worker claimed the trunk and stored its first branch before it died.
            store.RegisterPlan(plan);
            Assert.NotNull(store.Claims.TryClaim(trunk.Key, "dead", 1));
            store.RecordPretrain(early, new CellPretrainResult(early.Key, folder.CellDir(early.Key)) { FinalValLoss = 0.5, Curve = [new CurvePoint(1, 0.6, 0.5)] }, "dead");
        }
        var fake = new FakeStudyExecutor();
        var log = new StringWriter();
        var summary = RunWorker(fake, plan, folder, location, new WorkerOptions("rescuer", StaleAfterSeconds: 1.5, PollSeconds: 0.1), log);

        // Usually it first works the other trunks and waits ("1 trunk(s) left, all held by other workers"); on a loaded
        // machine its start alone may outlast the 1.5 s, so only the take-over itself is pinned.
        Assert.Matches($@"\[worker rescuer\] took over trunk {trunk.Key} \(.*\) from worker dead, silent for \d+ s; resuming from its checkpoints", log.ToString());
        Assert.Equal(plan.Cells.Select(c => c.Key).Where(k => k != early.Key).Order(), fake.Pretrained.Order());   // the stored branch is not redone
        Assert.Equal(new[] { early.Key }, fake.Jobs.Single(j => j.Trunk.Key == trunk.Key).FinishedCells);
        Assert.Equal((8, 7), (summary.Done, summary.PretrainedThisRun));
        using var reopened = location.Open(plan.Spec.Name, folder);
        var claim = reopened.Claims.All().Single(c => c.TrunkKey == trunk.Key);
        Assert.Equal(("rescuer", "done", 2L), (claim.LastWorker, claim.Outcome, claim.Attempts));
    }

    [Fact]
    public void AWorkerDoesNotRetryATrunkThatFailedDuringItsLifetime()
    {
        using var tmp = new TempFolder();
        var folder = StudyFolder.At(tmp.Path);
        var plan = PlanIn(folder);
        var location = NewStore();
        var failing = new FakeStudyExecutor { FailModel = "swinv2-nano" };
        var first = RunWorker(failing, plan, folder, location, new WorkerOptions("w", StaleAfterSeconds: 30, PollSeconds: 0.1));
        Assert.Equal((4, 4), (first.Done, first.Failed));                                    // the nano trunks failed once each, then the worker ended
        var retry = RunWorker(new FakeStudyExecutor(), plan, folder, location, new WorkerOptions("w2", StaleAfterSeconds: 30, PollSeconds: 0.1));
        Assert.Equal((8, 4), (retry.Done, retry.PretrainedThisRun));                        // a later worker retries them
    }

    /// <summary>One pico trunk of 48 iterations on 2% of Fashion-MNIST, checkpointed every 6: long enough to kill mid-trunk.</summary>
    internal const string KillSpec = """
        name: kill-study
        models: [swinv2-pico]
        data:
          name: FMNIST
          source: fashion-mnist:/usr/share/datasets/fashion-mnist@train
          val_source: fashion-mnist:/usr/share/datasets/fashion-mnist@test
          fractions: [0.02]
        lengths: [48]
        evaluations: [val_loss]
        pretrain:
          batch_size: 8
          warmup_iterations: 6
          eval_interval: 48
          val_images: 16
          log_interval: 6
          checkpoint_interval: 6
          recon_images: 0
        """;

    /// <summary>`dotnet mimscale.dll study run SPEC --out DIR --worker ...` as a child process.</summary>
    internal static ProcessStartInfo WorkerProcess(string spec, string dir, string id, StoreLocation store, double staleAfter)
    {
        var args = new List<string> { Path.Combine(AppContext.BaseDirectory, "mimscale.dll"), "study", "run", spec, "--out", dir, "--worker",
            "--worker-id", id, "--stale-after", staleAfter.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (store.Address is not null) args.AddRange(["--store", store.Address]);
        return new ProcessStartInfo("dotnet", args) { RedirectStandardOutput = true, RedirectStandardError = true };
    }

    [FashionMnistFact]
    public void AWorkerKilledMidTrunkHasItsTrunkFinishedByAnotherFromTheCheckpoint()
    {
        using var tmp = new TempFolder();
        var spec = tmp["kill.yaml"];
        File.WriteAllText(spec, KillSpec);
        var dir = tmp["study"];
        var store = NewStore();
        using var first = Process.Start(WorkerProcess(spec, dir, "first", store, staleAfter: 3))!;
        try
        {
            first.OutputDataReceived += (_, _) => { };   // drain the pipes
            first.ErrorDataReceived += (_, _) => { };
            first.BeginOutputReadLine();
            first.BeginErrorReadLine();
            var clock = Stopwatch.StartNew();
            while (Checkpoints(dir).Count == 0)
            {
                Assert.False(first.HasExited, "the first worker ended before writing a checkpoint");
                Assert.True(clock.Elapsed < TimeSpan.FromMinutes(10), "no trunk checkpoint within 10 minutes");
                Thread.Sleep(100);
            }
            first.Kill();                                  // SIGKILL: no cleanup, the claim stays with a dead worker
            first.WaitForExit();
        }
        catch
        {
            if (!first.HasExited) first.Kill();
            throw;
        }
        var killedAt = Checkpoints(dir).Max();
        Assert.InRange(killedAt, 6, 36);                   // mid-trunk (the trunk runs to 42 = 7/8 x 48)
        var (code, output) = Training.Pretraining.PretrainEngineTests.RunChild(WorkerProcess(spec, dir, "second", store, staleAfter: 3), TimeSpan.FromMinutes(20));   // minutes only on a loaded machine (about 30 s idle)

        Assert.True(code == 0, output);
        Assert.Matches(@"\[worker second\] took over trunk swinv2-pico-f0\.02-s0-\w+ \(.*\) from worker first, silent for \d+ s", output);
        Assert.Matches(@"resuming from \S+ at step (6|12|18|24|30|36)\b", output);   // from a checkpoint, not from step 0
        Assert.Contains("study kill-study: 1/1 cells done (1 pre-trained and 0 evaluations in this run)", output);
        var folder = StudyFolder.At(dir);
        using var db = store.Open("kill-study", folder);
        var cell = Assert.Single(db.LoadCells(db.CurrentSpec()!.Value.CellKeys));   // keys as the workers planned them (with manifest hashes)
        Assert.Equal(CellStage.Done, cell.Stage);
        Assert.Equal(48, cell.Run!.Curve.Max(p => p.Iteration));
        var claim = Assert.Single(db.Claims.All());
        Assert.Equal(("second", "done", 2L), (claim.LastWorker, claim.Outcome, claim.Attempts));
    }

    private static IReadOnlyList<long> Checkpoints(string dir)
    {
        var trunks = Path.Combine(dir, "trunks");
        if (!Directory.Exists(trunks)) return [];
        return Directory.GetDirectories(trunks, "step-*", SearchOption.AllDirectories)
            .Where(d => !d.Contains(".tmp", StringComparison.Ordinal) && File.Exists(Path.Combine(d, "state.json")))
            .Select(d => long.Parse(Path.GetFileName(d)["step-".Length..].Split('.')[0], System.Globalization.CultureInfo.InvariantCulture)).ToList();
    }
}

/// <summary><see cref="WorkerStoreTests"/> on the study folder's SQLite file, plus the folder lock rules.</summary>
public sealed class SqliteWorkerTests : WorkerStoreTests
{
    protected override StoreLocation NewStore() => StoreLocation.Default;

    [Fact]
    public void WorkersShareTheFolderButNotWithAPlainRun()
    {
        using var tmp = new TempFolder();
        var folder = StudyFolder.At(tmp.Path);
        using (folder.SharedLock())
        using (folder.SharedLock())                                      // two workers
        {
            Assert.True(folder.RunnerAlive);
            Assert.Contains("another `mimscale study run`", Assert.Throws<StudyExecutionException>(() => folder.Lock()).Message);
        }
        using (folder.Lock())
            Assert.Contains("without --worker is working in this folder", Assert.Throws<StudyExecutionException>(() => folder.SharedLock()).Message);
    }
}

/// <summary><see cref="WorkerStoreTests"/> on a real PostgreSQL server started for the class (one schema per test).</summary>
public sealed class PostgresWorkerTests(PostgresServer server) : WorkerStoreTests, IClassFixture<PostgresServer>
{
    protected override StoreLocation NewStore() => new($"{server.Address}?schema=t{Guid.NewGuid():N}");
}
