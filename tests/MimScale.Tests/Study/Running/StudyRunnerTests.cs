using MimScale.Analysis.Io;
using MimScale.Analysis.Report;
using MimScale.Study.Execution;
using MimScale.Study.Planning;
using MimScale.Study.Running;
using MimScale.Study.Spec;
using MimScale.Study.Store;
using MimScale.Tests.Data;

namespace MimScale.Tests.Study.Running;

public class StudyRunnerTests
{
    private static readonly AnalysisOptions NoPlots = new(Metric: "finetune_top1", Plots: false);

    private static StudyPlan PlanIn(StudyFolder folder, string text, string version = "v1") =>
        StudyRunner.PlanFor(StudySpecReader.Parse(text, "t.yaml"), folder, StudyTestData.Open, version);

    private static StudyRunSummary Run(IStudyExecutor executor, StudyPlan plan, StudyFolder folder, TextWriter? log = null) =>
        new StudyRunner(executor, log ?? TextWriter.Null).Run(plan, folder, default, NoPlots);

    [Fact]
    public void FullRunStoresEverythingAndWritesTheReport()
    {
        using var tmp = new TempFolder();
        var folder = StudyFolder.At(tmp.Path);
        var plan = PlanIn(folder, StudyTestData.Spec());
        var fake = new FakeStudyExecutor();
        var log = new StringWriter();
        var summary = Run(fake, plan, folder, log);

        Assert.Equal(8, fake.Pretrained.Count);
        Assert.Equal(16, fake.Evaluations.Count);
        Assert.Equal(4, fake.Jobs.Count);
        Assert.Equal((8, 8, 8, 16), (summary.Cells, summary.Done, summary.PretrainedThisRun, summary.EvaluationsThisRun));
        Assert.Contains("study: 8/8 cells done, 8/8 pre-trained", log.ToString());
        Assert.Contains("  | trunk swinv2-pico-f0.1-s0-", log.ToString()); // executor progress forwarded
        Assert.Contains("[pre-trained] swinv2-pico / Pattern 10% / 400 / seed 0: val loss 0.5940", File.ReadAllText(folder.LogPath));

        var results = StudyResultsJson.Load(folder.ResultsJsonPath);
        Assert.Equal(8, results.Runs.Count);
        var r400 = results.Runs.Single(r => r.Model == "swinv2-pico" && r.DataLabel == "Pattern 10%" && r.Iterations == 400);
        var r1600 = results.Runs.Single(r => r.Model == "swinv2-pico" && r.DataLabel == "Pattern 10%" && r.Iterations == 1600);
        Assert.Equal(0.594, r400.FinalValLoss!.Value, 12);          // 0.5 + 0 + 0.1 x 0.9 + 0.004
        Assert.Equal(0.574, r400.FinalTrainLoss!.Value, 12);
        Assert.Equal(42.6, r400.Metric("finetune_top1")!.Value, 10); // 100 x (1 - 0.594) + 2
        Assert.Equal(40.6, r400.Metric("knn_top1")!.Value, 10);
        Assert.Equal(0.1, r400.DataFraction);
        Assert.Equal(20, r400.ImageCount);
        Assert.Equal(new long[] { 100, 200, 300, 400 }, r400.Curve.Select(p => p.Iteration));
        // Trunk 350/1400 iterations: segment 0..350 shared by both cells, 350..1400 by the 1600 one.
        // Wall: 0.01 s/trunk iteration x (175 | 175 + 1050) + 0.02 s x decay (50 | 200).
        Assert.Equal(2.75, r400.Compute!.WallSeconds!.Value, 9);
        Assert.Equal(16.25, r1600.Compute!.WallSeconds!.Value, 9);
        var cell400 = plan.Cells.Single(c => c.Key == r400.RunId);
        Assert.Equal(cell400.FlopsPerIteration * 225, r400.Compute.Flops!.Value, 3);
        Assert.Equal(cell400.FlopsPerIteration * 1425, r1600.Compute.Flops!.Value, 3);

        var md = File.ReadAllText(Path.Combine(folder.Root, "report.md"));
        Assert.Contains("Compute spent per run", md);
        Assert.True(File.Exists(Path.Combine(folder.Root, "report.html")));
        var config = File.ReadAllText(Path.Combine(folder.CellDir(cell400.Key), "config.json"));
        Assert.Contains($"\"cell_key\": \"{cell400.Key}\"", config);
        Assert.Contains("\"decay_start\": 350", config);

        // Nothing left: a second run calls the executor for nothing.
        var again = new FakeStudyExecutor();
        var second = Run(again, plan, folder);
        Assert.Empty(again.Pretrained);
        Assert.Empty(again.Evaluations);
        Assert.Equal((8, 0, 0), (second.Done, second.PretrainedThisRun, second.EvaluationsThisRun));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(13)]
    public void KilledAtAnyPointAndRestarted_NothingRedoneNothingLost(int killAfter)
    {
        using var tmp = new TempFolder();
        var folder = StudyFolder.At(tmp.Path);
        var plan = PlanIn(folder, StudyTestData.Spec());
        var fakes = new List<FakeStudyExecutor>();
        for (int attempt = 0; ; attempt++)
        {
            Assert.True(attempt < 30, "the study does not make progress");
            var fake = new FakeStudyExecutor(killAfter);
            fakes.Add(fake);
            try { Run(fake, plan, folder); break; }
            catch (SimulatedKill) { }
        }
        Assert.Equal((24 + killAfter - 1) / killAfter, fakes.Count); // 8 branch reports + 16 evaluations, killAfter per process
        var pretrained = fakes.SelectMany(f => f.Pretrained).ToList();
        var evaluations = fakes.SelectMany(f => f.Evaluations).ToList();
        Assert.Equal(8, pretrained.Count);
        Assert.Equal(8, pretrained.Distinct().Count());
        Assert.Equal(16, evaluations.Count);
        Assert.Equal(16, evaluations.Distinct().Count());
        // Every restarted trunk job knew which of its cells were already stored.
        foreach (var job in fakes.Skip(1).SelectMany(f => f.Jobs))
            Assert.All(job.PendingCells, c => Assert.DoesNotContain(c.Key, fakes.TakeWhile(f => !f.Jobs.Contains(job)).SelectMany(f => f.Pretrained)));

        // Same stored results as an uninterrupted run.
        using var clean = new TempFolder();
        var cleanFolder = StudyFolder.At(clean.Path);
        Run(new FakeStudyExecutor(), PlanIn(cleanFolder, StudyTestData.Spec()), cleanFolder);
        var a = StudyResultsJson.Load(folder.ResultsJsonPath).Runs.OrderBy(r => r.RunId).ToList();
        var b = StudyResultsJson.Load(cleanFolder.ResultsJsonPath).Runs.OrderBy(r => r.RunId).ToList();
        Assert.Equal(b.Select(r => (r.RunId, r.FinalValLoss, r.Metric("knn_top1"), r.Metric("finetune_top1"), r.Curve.Count, r.Compute!.WallSeconds)),
            a.Select(r => (r.RunId, r.FinalValLoss, r.Metric("knn_top1"), r.Metric("finetune_top1"), r.Curve.Count, r.Compute!.WallSeconds)));
    }

    [Fact]
    public void ConcurrentJobsStoreTheSameResultsAsOneAfterTheOther()
    {
        using var seq = new TempFolder();
        var seqFolder = StudyFolder.At(seq.Path);
        Run(new FakeStudyExecutor(), PlanIn(seqFolder, StudyTestData.Spec()), seqFolder);

        using var par = new TempFolder();
        var parFolder = StudyFolder.At(par.Path);
        var plan = PlanIn(parFolder, StudyTestData.Spec());
        var fake = new FakeStudyExecutor { MeetAt = 2 };
        var log = new StringWriter();
        var summary = new StudyRunner(fake, log).Run(plan, parFolder, default, NoPlots, jobs: 2);

        Assert.Equal((8, 8, 8, 16), (summary.Cells, summary.Done, summary.PretrainedThisRun, summary.EvaluationsThisRun));
        Assert.Equal(2, fake.MaxConcurrent);                        // two trunks really ran at once
        Assert.Equal(8, fake.Pretrained.Distinct().Count());
        Assert.Equal(16, fake.Evaluations.Distinct().Count());
        Assert.Matches(@"  \[\d\] \| trunk ", log.ToString());      // executor lines say which job they come from
        // Largest planned compute first: the two swinv2-nano trunks before the swinv2-pico ones.
        Assert.Equal("swinv2-nano", fake.Jobs[0].Trunk.Model);
        var a = StudyResultsJson.Load(parFolder.ResultsJsonPath).Runs.OrderBy(r => r.RunId).ToList();
        var b = StudyResultsJson.Load(seqFolder.ResultsJsonPath).Runs.OrderBy(r => r.RunId).ToList();
        Assert.Equal(b.Select(r => (r.RunId, r.FinalValLoss, r.Metric("knn_top1"), r.Metric("finetune_top1"), r.Curve.Count)),
            a.Select(r => (r.RunId, r.FinalValLoss, r.Metric("knn_top1"), r.Metric("finetune_top1"), r.Curve.Count)));
    }

    [Fact]
    public void AFailingTrunkIsStoredAsFailedWhileTheOtherJobsFinish()
    {
        using var tmp = new TempFolder();
        var folder = StudyFolder.At(tmp.Path);
        var plan = PlanIn(folder, StudyTestData.Spec());
        var failing = new FakeStudyExecutor { FailModel = "swinv2-pico" };
        var log = new StringWriter();
        var first = new StudyRunner(failing, log).Run(plan, folder, default, NoPlots, jobs: 2);
        // The two pico trunks (4 cells) failed; the nano trunks ran to the end beside them.
        Assert.Equal((4, 4, 0), (first.Done, first.Failed, first.Pending));
        Assert.Equal("4 done, 4 failed, 0 pending", first.Counts);
        Assert.All(first.Failures, f => Assert.Equal("pretrain", f.Stage));
        Assert.All(failing.Pretrained, k => Assert.Equal("swinv2-nano", plan.Cells.Single(c => c.Key == k).Model));
        Assert.Equal(8, failing.Evaluations.Count);                        // every nano cell evaluated
        Assert.DoesNotContain("   at ", log.ToString());                    // no stack trace without --verbose
        Assert.Contains("  failed: swinv2-pico / ", log.ToString());
        Assert.Contains("   at ", File.ReadAllText(folder.LogPath));        // the whole exception is in study.log
        using (var store = StudyStore.Open(folder.DatabasePath))
        {
            var pico = store.LoadCells(plan.Cells.Where(c => c.Model == "swinv2-pico").Select(c => c.Key).ToList());
            Assert.All(pico, c => Assert.Equal(CellStage.Failed, c.Stage));
            Assert.All(pico, c => Assert.Matches("^trunk .* failed$", c.Message));
            Assert.Contains("failed: swinv2-pico / ", StatusText.Format("t", pico, 0));
        }
        // Rerun: only the failed cells run, and everything ends done.
        var again = new FakeStudyExecutor();
        var summary = Run(again, plan, folder);
        Assert.Equal((8, 0, 0), (summary.Done, summary.Failed, summary.Pending));
        Assert.Equal(4, again.Pretrained.Count);
        Assert.Empty(failing.Pretrained.Intersect(again.Pretrained));
        Assert.Equal(8, again.Evaluations.Count);
    }

    [Fact]
    public void AFailedEvaluationIsStoredWithItsMessageAndOnlyItIsRetried()
    {
        using var tmp = new TempFolder();
        var folder = StudyFolder.At(tmp.Path);
        var plan = PlanIn(folder, StudyTestData.Spec());
        var victim = plan.Cells[1];
        var failing = new FakeStudyExecutor { FailEvaluation = (c, e) => c.Key == victim.Key && e == victim.Evaluations[0] };
        var first = Run(failing, plan, folder);
        var failure = Assert.Single(first.Failures);
        Assert.Equal((victim.Key, victim.Evaluations[0]), (failure.CellKey, failure.Stage));
        Assert.Equal((7, 1, 0), (first.Done, first.Failed, first.Pending));
        Assert.Equal(15, failing.Evaluations.Count);                       // the victim's other evaluation still ran
        using (var store = StudyStore.Open(folder.DatabasePath))
        {
            var cell = store.LoadCells([victim.Key]).Single();
            Assert.Equal(CellStage.Failed, cell.Stage);
            Assert.Equal($"{victim.Evaluations[0]}: {victim.Evaluations[0]} of {victim.Key} failed", cell.Message);
            Assert.Equal([victim.Evaluations[0]], cell.PendingEvaluations);
        }
        var again = new FakeStudyExecutor();
        var second = Run(again, plan, folder);
        Assert.Equal((8, 0), (second.Done, second.Failed));
        Assert.Empty(again.Pretrained);
        Assert.Equal([(victim.Key, victim.Evaluations[0])], again.Evaluations);
    }

    [Fact]
    public void KilledCellGoesBackToPlannedThenRetried()
    {
        using var tmp = new TempFolder();
        var folder = StudyFolder.At(tmp.Path);
        var plan = PlanIn(folder, StudyTestData.Spec());
        Assert.Throws<SimulatedKill>(() => Run(new FakeStudyExecutor(killAfter: 1), plan, folder));
        using (var store = StudyStore.Open(folder.DatabasePath))
        {
            var cells = store.LoadCells(plan.Cells.Select(c => c.Key).ToList());
            Assert.Equal(CellStage.Pretrained, cells[0].Stage);
            Assert.Equal(CellStage.Planned, cells[1].Stage);
            Assert.Equal("stopped", cells[1].Message);
            Assert.Equal(CellStage.Planned, cells[2].Stage);
        }
        var fake = new FakeStudyExecutor();
        Run(fake, plan, folder);
        Assert.Equal(7, fake.Pretrained.Count);
        Assert.Equal(new[] { plan.Cells[0].Key }, fake.Jobs[0].FinishedCells);
    }

    [Fact]
    public void ChangedSpecMakesNewCellsAndNeverMixes()
    {
        using var tmp = new TempFolder();
        var folder = StudyFolder.At(tmp.Path);
        var planA = PlanIn(folder, StudyTestData.Spec(lr: "4.0e-4"));
        Run(new FakeStudyExecutor(), planA, folder);
        var planB = PlanIn(folder, StudyTestData.Spec(lr: "1.0e-3"));
        var fakeB = new FakeStudyExecutor();
        Run(fakeB, planB, folder);
        Assert.Equal(8, fakeB.Pretrained.Count); // nothing of A was reused
        Assert.Equal(planB.Cells.Select(c => c.Key).Order(), StudyResultsJson.Load(folder.ResultsJsonPath).Runs.Select(r => r.RunId!).Order());
        using (var store = StudyStore.Open(folder.DatabasePath))
        {
            Assert.Equal(16, store.AllCellKeys().Count);
            Assert.Equal(planB.Cells.Select(c => c.Key), store.CurrentSpec()!.Value.CellKeys);
            var text = StatusText.Format("t", store.LoadCells(store.CurrentSpec()!.Value.CellKeys), 8);
            Assert.Contains("8/8 cells done", text);
            Assert.Contains("8 other cell(s) in the store belong to other spec versions", text);
        }
        // Back to A: all stored, nothing runs; A is current again.
        var fakeA = new FakeStudyExecutor();
        Run(fakeA, planA, folder);
        Assert.Empty(fakeA.Pretrained);
        Assert.Empty(fakeA.Evaluations);
        using var reopened = StudyStore.Open(folder.DatabasePath);
        Assert.Equal(planA.Cells.Select(c => c.Key), reopened.CurrentSpec()!.Value.CellKeys);
    }

    [Fact]
    public void AddingALengthRunsOnlyTheNewCells()
    {
        using var tmp = new TempFolder();
        var folder = StudyFolder.At(tmp.Path);
        Run(new FakeStudyExecutor(), PlanIn(folder, StudyTestData.Spec()), folder);
        var fake = new FakeStudyExecutor();
        var plan = PlanIn(folder, StudyTestData.Spec(lengths: "[400, 1600, 3200]"));
        Run(fake, plan, folder);
        Assert.Equal(4, fake.Pretrained.Count);
        Assert.All(fake.Jobs, j =>
        {
            Assert.Equal(2, j.FinishedCells.Count);
            Assert.Equal(3200, Assert.Single(j.PendingCells).Iterations);
            Assert.Equal(2800, j.RequiredTrunkIterations);
        });
        Assert.Equal(8, fake.Evaluations.Count);
    }

    [Fact]
    public void ContractViolationsAreClearErrors()
    {
        using var tmp = new TempFolder();
        var folder = StudyFolder.At(tmp.Path);
        var plan = PlanIn(folder, StudyTestData.Spec());
        // Each violation fails the cells it touches, with the reason, and nothing wrong is stored.
        string FirstFailure(IStudyExecutor e, StudyPlan p) => Run(e, p, folder).Failures.First().Message;
        Assert.Contains("no finite final validation loss", FirstFailure(new FakeStudyExecutor { Tamper = r => r with { FinalValLoss = null } }, plan));
        Assert.Contains("curve iterations must increase", FirstFailure(new FakeStudyExecutor { Tamper = r => r with { Curve = [.. r.Curve.Reverse()] } }, plan));
        Assert.Contains("metric 'top1' must start with 'knn_'",
            FirstFailure(new FakeStudyExecutor { TamperMetrics = (_, m) => new Dictionary<string, double> { ["top1"] = 1 } }, plan));
        Assert.Contains("returned without reporting", FirstFailure(new SilentExecutor(), PlanIn(folder, StudyTestData.Spec(lengths: "[800]"))));
        using (var store = StudyStore.Open(folder.DatabasePath))
            Assert.DoesNotContain(store.LoadCells(plan.Cells.Select(c => c.Key).ToList()), c => c.Stage == CellStage.Done);
        using var held = folder.Lock();
        Assert.Contains("another `mimscale study run`", Assert.Throws<StudyExecutionException>(() => Run(new FakeStudyExecutor(), plan, folder)).Message);
    }

    private sealed class SilentExecutor : IStudyExecutor
    {
        public void PretrainTrunk(TrunkJob job, Action<CellPretrainResult> onCellFinished, IProgress<string> progress, CancellationToken ct) { }
        public IReadOnlyDictionary<string, double> Evaluate(CellPlan cell, string evaluation, string cellDir, IProgress<string> progress, CancellationToken ct) =>
            throw new InvalidOperationException();
    }
}
