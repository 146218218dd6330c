using System.Diagnostics;
using System.Text.RegularExpressions;
using MimScale.Study.Execution;
using MimScale.Study.Planning;
using MimScale.Study.Running;
using MimScale.Study.Spec;
using MimScale.Study.Store;
using MimScale.Study.Workers;
using MimScale.Tests.Data;
using MimScale.Tests.Training.Distributed;
using MimScale.Tests.Training.Pretraining;

namespace MimScale.Tests.Study.Workers;

/// <summary>
/// A study worker of two MPI ranks (`mpiexec.mpich -n 2 mimscale study run --worker`, Debian's MPICH, one torch thread
/// per rank) against the same worker as one plain process: one trunk of swinv2-pico on 2% of Fashion-MNIST with two
/// lengths (so the ranks branch together) and a k-NN evaluation (rank 0 alone runs it while the other rank waits).
/// </summary>
public sealed class WorkerRanksTests
{
    /// <summary>Lengths 8 and 16 share a trunk to 14; batch 8 divides over 2 ranks.</summary>
    internal const string Spec = """
        name: ranks-study
        models: [swinv2-pico]
        data:
          name: FMNIST
          source: fashion-mnist:/usr/share/datasets/fashion-mnist@train
          val_source: fashion-mnist:/usr/share/datasets/fashion-mnist@test
          fractions: [0.02]
        lengths: [8, 16]
        evaluations: [val_loss, knn]
        pretrain:
          batch_size: 8
          warmup_iterations: 4
          eval_interval: 4
          val_images: 32
          log_interval: 4
          checkpoint_interval: 4
          recon_images: 0
        knn:
          k: 5
          train_fraction: 0.01
          val_images: 100
        """;

    /// <summary>`study run SPEC --out DIR --worker` of the CLI, as a plain process (ranks 0) or under mpiexec.</summary>
    private static ProcessStartInfo Worker(int ranks, string spec, string dir, string id)
    {
        var args = new List<string> { "dotnet", Path.Combine(AppContext.BaseDirectory, "mimscale.dll"), "study", "run", spec, "--out", dir, "--worker",
            "--worker-id", id, "--stale-after", "60", "--threads", "1" };
        var psi = ranks == 0 ? new ProcessStartInfo(args[0], args.Skip(1)) : new ProcessStartInfo(Mpiexec(), new[] { "-n", $"{ranks}" }.Concat(args));
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.Environment["OMP_NUM_THREADS"] = "1";   // one thread per rank: 2 ranks on 2 cores
        return psi;
    }

    private static string Mpiexec()
    {
        foreach (var d in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
            if (d.Length > 0 && File.Exists(Path.Combine(d, "mpiexec.mpich"))) return Path.Combine(d, "mpiexec.mpich");
        Assert.Fail("mpiexec.mpich is not installed: the MPI tests need Debian's `mpich` package (scripts/setup installs it)");
        return "";
    }

    private static IReadOnlyList<StoredCell> Cells(string dir, out IReadOnlyList<TrunkClaim> claims)
    {
        using var store = StudyStore.Open(StudyFolder.At(dir).DatabasePath);
        claims = store.Claims.All();
        return store.LoadCells(store.CurrentSpec()!.Value.CellKeys).OrderBy(c => c.Iterations).ToList();   // keys as the worker planned them
    }

    private static readonly MimScale.Analysis.Report.AnalysisOptions NoPlots = new(Metric: "finetune_top1", Plots: false);

    /// <summary>Runs <see cref="StudyRunner.Run"/> on each rank's thread with its own fake executor and output.</summary>
    private static (StudyRunSummary?[] Summaries, Exception?[] Errors, StringWriter[] Outputs) RunRanks(StudyFolder folder, StudyPlan[] plans,
        FakeStudyExecutor[] executors, bool asWorker = true, TimeSpan? collectiveLimit = null)
    {
        var ranks = new ThreadRanks(plans.Length, collectiveLimit);
        var summaries = new StudyRunSummary?[plans.Length];
        var errors = new Exception?[plans.Length];
        var outputs = plans.Select(_ => new StringWriter()).ToArray();
        var threads = Enumerable.Range(0, plans.Length).Select(r => new Thread(() =>
        {
            try
            {
                summaries[r] = new StudyRunner(executors[r], outputs[r]).Run(plans[r], folder, default, NoPlots,
                    worker: asWorker ? new WorkerOptions("w", StaleAfterSeconds: 30, PollSeconds: 0.1) : null, ranks: ranks.Ranks[r]);
            }
            catch (Exception e) { errors[r] = e; }
        })).ToList();
        threads.ForEach(t => t.Start());
        Assert.All(threads, t => Assert.True(t.Join(TimeSpan.FromMinutes(2)), "a rank still waits after 2 minutes"));
        return (summaries, errors, outputs);
    }

    private static StudyPlan PlanIn(StudyFolder folder, string? fractions = null) =>
        StudyRunner.PlanFor(StudySpecReader.Parse(fractions is null ? StudyTestData.Spec() : StudyTestData.Spec(fractions: fractions), "t.yaml"), folder,
            StudyTestData.Open, "v1");

    [Theory]
    [InlineData(true)]
    [InlineData(false)]   // a plain `study run` under mpiexec: the same, without claims
    public void EveryRankPretrainsEveryTrunkAndRankZeroAloneRecordsAndEvaluates(bool asWorker)
    {
        using var tmp = new TempFolder();
        var folder = StudyFolder.At(tmp.Path);
        var plan = PlanIn(folder);
        var executors = new[] { new FakeStudyExecutor(), new FakeStudyExecutor() };
        var (summaries, errors, _) = RunRanks(folder, [plan, plan], executors, asWorker);

        Assert.Equal([null, null], errors);
        Assert.Equal((8, 8, 16), (summaries[0]!.Done, summaries[0]!.PretrainedThisRun, summaries[0]!.EvaluationsThisRun));
        Assert.Equal((0, 0, 0), (summaries[1]!.Done, summaries[1]!.PretrainedThisRun, summaries[1]!.EvaluationsThisRun));   // rank 0 reports for the job
        Assert.Equal(plan.Cells.Select(c => c.Key).Order(), executors[0].Pretrained.Order());
        Assert.Equal(executors[0].Pretrained, executors[1].Pretrained);                      // the same branches, in the same order
        Assert.Equal(executors[0].Jobs.Select(j => (j.Trunk.Key, j.FinishedCells.Count)), executors[1].Jobs.Select(j => (j.Trunk.Key, j.FinishedCells.Count)));
        Assert.Equal(16, executors[0].Evaluations.Count);
        Assert.Empty(executors[1].Evaluations);                                               // evaluations: rank 0 only
        if (!asWorker) return;
        using var store = StudyStore.Open(folder.DatabasePath);
        var claims = store.Claims.All();
        Assert.Equal(4, claims.Count);
        Assert.All(claims, c => Assert.Equal(("w", "done", 1L), (c.LastWorker, c.Outcome, c.Attempts)));
        Assert.Equal(new[] { "w.log" }, Directory.GetFiles(Path.Combine(folder.Root, "workers")).Select(Path.GetFileName));
    }

    [Fact]
    public void RanksTrainOneTrunkAtATime()
    {
        using var tmp = new TempFolder();
        var folder = StudyFolder.At(tmp.Path);
        var error = Assert.Throws<ArgumentException>(() => new StudyRunner(new FakeStudyExecutor(), TextWriter.Null)
            .Run(PlanIn(folder), folder, default, NoPlots, jobs: 2, ranks: new ThreadRanks(2).Ranks[0]));
        Assert.Equal("--jobs 2: under an MPI launcher the 2 ranks train one trunk at a time together; leave --jobs at 1", error.Message);
    }

    [Fact]
    public void WhenRankZeroCannotRecordABranchEveryRankStopsThatTrunkAndFollowsTheNextOrders()
    {
        using var tmp = new TempFolder();
        var folder = StudyFolder.At(tmp.Path);
        var plan = PlanIn(folder);
        var bad = plan.Trunks[0].Cells[0];   // the shorter branch of a trunk: the longer one is never trained
        var executors = new[] { new FakeStudyExecutor { Tamper = r => r.CellKey == bad.Key ? r with { FinalValLoss = double.NaN } : r }, new FakeStudyExecutor() };
        var (summaries, errors, outputs) = RunRanks(folder, [plan, plan], executors);

        Assert.Equal([null, null], errors);
        // The trunk's second branch is stored as failed with the error (the malformed one counts as reported: the runner's
        // rule, also with one process); the other three trunks are done.
        Assert.Equal((6, 1), (summaries[0]!.Done, summaries[0]!.Failed));
        var failure = Assert.Single(summaries[0]!.Failures);
        Assert.Equal(plan.Trunks[0].Cells[1].Key, failure.CellKey);
        Assert.Contains("no finite final validation loss", failure.Message);
        Assert.DoesNotContain(plan.Trunks[0].Cells[1].Key, executors[1].Pretrained);        // rank 1 stopped with rank 0, not one branch later
        Assert.Contains($"rank 1: trunk {plan.Trunks[0].Key} stopped by rank 0; waiting for the next order", outputs[1].ToString());
        Assert.Equal(executors[0].Jobs.Count, executors[1].Jobs.Count);                      // and trained every later trunk with it
    }

    [Fact]
    public void AfterATrunkFailedOnRankZeroAloneTheNextOrderWaitsUntilTheOtherRankIsOutOfIt()
    {
        using var tmp = new TempFolder();
        var folder = StudyFolder.At(tmp.Path);
        var plan = PlanIn(folder);
        // The nano trunks (claimed first: more compute) fail on rank 0 before any collective (as when it may not write a
        // run folder); rank 1 then waits in the first branch's agreement until its collective limit (the watchdog's stand-in).
        var executors = new[] { new FakeStudyExecutor { FailModel = "swinv2-nano" }, new FakeStudyExecutor() };
        var (summaries, errors, outputs) = RunRanks(folder, [plan, plan], executors, collectiveLimit: TimeSpan.FromSeconds(1));

        Assert.Equal([null, null], errors);
        Assert.Equal((4, 4), (summaries[0]!.Done, summaries[0]!.Failed));
        var lines = outputs[1].ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.Matches(@"^rank 1: trunk swinv2-nano-\S+ failed: a rank did not reach the collective within 1 s", l));
        // Had rank 0 sent the next order at once, the pico trunks' agreements would have paired with the nano ones'.
        var pico = plan.Cells.Where(c => c.Model == "swinv2-pico").Select(c => c.Key).ToHashSet();
        Assert.Equal(executors[0].Pretrained.Order(), executors[1].Pretrained.Where(pico.Contains).Order());
        Assert.Equal(4, executors[0].Pretrained.Count);
    }

    [Fact]
    public void RanksThatPlannedAnotherStudyStopBeforeAnythingIsWritten()
    {
        using var tmp = new TempFolder();
        var folder = StudyFolder.At(tmp.Path);
        var (_, errors, _) = RunRanks(folder, [PlanIn(folder), PlanIn(folder, fractions: "[0.1, 0.2]")], [new FakeStudyExecutor(), new FakeStudyExecutor()]);
        Assert.All(errors, e => Assert.Equal(
            "1 of the 2 MPI ranks planned another study than rank 0: every rank must read the same spec and the same data (a folder all nodes see)",
            Assert.IsType<StudyExecutionException>(e).Message));
        Assert.False(File.Exists(folder.DatabasePath));
    }

    [FashionMnistFact]
    public void AWorkerOfTwoRanksFinishesEveryCellOnceWithTheLossesOfOneProcess()
    {
        using var tmp = new TempFolder();
        var spec = tmp["ranks.yaml"];
        File.WriteAllText(spec, Spec);
        var (oneCode, oneOutput) = PretrainEngineTests.RunChild(Worker(0, spec, tmp["one"], "solo"), TimeSpan.FromMinutes(10));
        Assert.True(oneCode == 0, oneOutput);
        var (code, output) = PretrainEngineTests.RunChild(Worker(2, spec, tmp["two"], "pair"), TimeSpan.FromMinutes(10));
        Assert.True(code == 0, output);

        // Both ranks trained (the engine's data-parallel line, once per segment: trunk and two branches); rank 0 alone
        // logged, recorded and evaluated: every line of the study appears once.
        Assert.Equal(3, Regex.Count(output, @"data-parallel: 2 ranks; gradient all-reduce"));
        Assert.Equal(2, Regex.Count(output, @"\[pre-trained\] swinv2-pico"));
        Assert.Equal(2, Regex.Count(output, @"\[evaluated\] swinv2-pico .*: knn_mean_per_class"));
        Assert.Single(Regex.Matches(output, @"study ranks-study: 2/2 cells done \(2 pre-trained and 2 evaluations in this run\)"));
        Assert.Equal(new[] { "pair.log" }, Directory.GetFiles(Path.Combine(tmp["two"], "workers")).Select(Path.GetFileName));

        var one = Cells(tmp["one"], out _);
        var two = Cells(tmp["two"], out var claims);
        Assert.Equal(new long[] { 8, 16 }, two.Select(c => c.Iterations));
        Assert.All(two, c => Assert.Equal(CellStage.Done, c.Stage));
        var claim = Assert.Single(claims);
        Assert.Equal((null, "pair", "done", 1L), (claim.Worker, claim.LastWorker, claim.Outcome, claim.Attempts));   // one worker, one attempt
        for (int i = 0; i < 2; i++)
        {
            double expected = one[i].Run!.FinalValLoss!.Value, actual = two[i].Run!.FinalValLoss!.Value;
            Assert.InRange(expected, 0.1, 2.0);
            Assert.True(Math.Abs(actual - expected) <= 1e-5 * expected, $"{two[i].Describe()}: val loss {actual} with 2 ranks, {expected} with one process");
            Assert.Equal(one[i].Run!.Curve.Select(p => p.Iteration), two[i].Run!.Curve.Select(p => p.Iteration));
            Assert.Contains("2 MPI ranks", two[i].Run!.Device);
            // k-NN on encoders equal to ~1e-6: the same neighbours, up to a tie flipped by rounding (1 of 100 images).
            Assert.InRange(two[i].Metrics["knn_top1"], one[i].Metrics["knn_top1"] - 1.0, one[i].Metrics["knn_top1"] + 1.0);
        }
    }
}
