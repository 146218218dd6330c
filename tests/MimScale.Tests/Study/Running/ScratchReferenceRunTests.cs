using System.Globalization;
using MimScale.Analysis.Io;
using MimScale.Analysis.Report;
using MimScale.Analysis.Results;
using MimScale.Data.Sources;
using MimScale.Study.Execution;
using MimScale.Study.Planning;
using MimScale.Study.Running;
using MimScale.Study.Spec;
using MimScale.Study.Store;
using MimScale.Study.Workers;
using MimScale.Training.Evaluation;

namespace MimScale.Tests.Study.Running;

/// <summary>
/// The scratch reference through the runner, the store and the report: its empty pre-training is recorded by the runner
/// (never asked of the executor), its evaluations run, resume and are stored like a cell's, and a rerun does nothing;
/// one real tiny study checks that the stored numbers are the evaluation's own from a random initialisation.
/// </summary>
public class ScratchReferenceRunTests
{
    private static readonly AnalysisOptions NoPlots = new(Metric: "finetune_top1", Plots: false);

    private static StudyPlan PlanIn(StudyFolder folder) =>
        StudyRunner.PlanFor(StudySpecReader.Parse(StudyTestData.Spec(extraTop: "scratch_reference: true"), "t.yaml"), folder, StudyTestData.Open, "v1");

    [Fact]
    public void TheReferenceIsEvaluatedStoredReportedAndNotRunAgain()
    {
        using var tmp = new TempFolder();
        var folder = StudyFolder.At(tmp.Path);
        var plan = PlanIn(folder);
        var refs = plan.Cells.Where(c => c.Scratch).ToList();
        var fake = new FakeStudyExecutor();
        var summary = new StudyRunner(fake, TextWriter.Null).Run(plan, folder, default, NoPlots);

        Assert.Empty(summary.Failures);
        Assert.Equal((10, 10, 8, 20), (summary.Cells, summary.Done, summary.PretrainedThisRun, summary.EvaluationsThisRun));
        Assert.Equal(4, fake.Jobs.Count);                                     // the executor pre-trains the grid's trunks only
        Assert.DoesNotContain(fake.Pretrained, k => refs.Any(r => r.Key == k));
        Assert.Equal(refs.SelectMany(r => new[] { (r.Key, "knn"), (r.Key, "finetune") }), fake.Evaluations.TakeLast(4));
        Assert.Contains("[scratch reference] swinv2-pico / seed 0: no pre-training; knn, finetune from a random initialisation", File.ReadAllText(folder.LogPath));

        var results = StudyResultsJson.Load(folder.ResultsJsonPath);
        var scratch = results.Runs.Where(r => r.Arm == RunArms.Scratch).ToList();
        Assert.Equal(new[] { "swinv2-pico", "swinv2-nano" }, scratch.Select(r => r.Model));
        Assert.All(scratch, r =>
        {
            Assert.Equal((0L, StudyPlanner.ScratchLabel, (double?)null, (RunCompute?)null), (r.Iterations, r.DataLabel, r.FinalValLoss, r.Compute));
            Assert.Empty(r.Curve);
            var cell = refs.Single(c => c.Key == r.RunId);
            Assert.Equal(FakeStudyExecutor.Metric(cell, "finetune"), r.Metric("finetune_top1")!.Value, 12);   // what the executor returned
        });
        using (var store = StudyStore.Open(folder.DatabasePath))
            Assert.All(store.LoadCells(refs.Select(c => c.Key).ToList()), c => Assert.Equal(CellStage.Done, c.Stage));
        var md = File.ReadAllText(Path.Combine(folder.Root, "report.md"));
        Assert.Contains("### Pre-trained minus scratch", md);
        Assert.Contains("(2 scratch references, apart from the grid)", md);

        var again = new FakeStudyExecutor();
        var rerun = new StudyRunner(again, TextWriter.Null).Run(plan, folder, default, NoPlots);
        Assert.Equal((10, 0, 0), (rerun.Done, rerun.PretrainedThisRun, rerun.EvaluationsThisRun));
        Assert.Empty(again.Evaluations);
    }

    [Fact]
    public void AStudyKilledInTheReferencesEvaluationsResumesTheRestOnly()
    {
        using var tmp = new TempFolder();
        var folder = StudyFolder.At(tmp.Path);
        var plan = PlanIn(folder);
        // 4 trunks x (2 branches + 4 evaluations) = 24 actions, then the first reference's k-NN; killed in its fine-tuning.
        Assert.Throws<SimulatedKill>(() => new StudyRunner(new FakeStudyExecutor(killAfter: 25), TextWriter.Null).Run(plan, folder, default, NoPlots));
        var resumed = new FakeStudyExecutor();
        var summary = new StudyRunner(resumed, TextWriter.Null).Run(plan, folder, default, NoPlots);
        var refs = plan.Cells.Where(c => c.Scratch).ToList();
        Assert.Equal(new[] { (refs[0].Key, "finetune"), (refs[1].Key, "knn"), (refs[1].Key, "finetune") }, resumed.Evaluations);
        Assert.Empty(resumed.Pretrained);
        Assert.Equal((10, 0, 3), (summary.Done, summary.PretrainedThisRun, summary.EvaluationsThisRun));
    }

    [Fact]
    public void AWorkerClaimsAndFinishesTheReferencesToo()
    {
        using var tmp = new TempFolder();
        var folder = StudyFolder.At(tmp.Path);
        var plan = PlanIn(folder);
        var fake = new FakeStudyExecutor();
        var summary = new StudyRunner(fake, TextWriter.Null).Run(plan, folder, default, NoPlots,
            worker: new WorkerOptions("w", StaleAfterSeconds: 30, PollSeconds: 0.1));
        Assert.Equal((10, 20), (summary.Done, fake.Evaluations.Count));
        using var store = StudyStore.Open(folder.DatabasePath);
        Assert.All(plan.Cells.Where(c => c.Scratch), c => Assert.Equal("done", store.Claims.All().Single(x => x.TrunkKey == c.TrunkKey).Outcome));
    }

    [FashionMnistFact]
    public void ARealTinyStudyStoresTheEvaluationsOwnScratchNumbersAndARerunDoesNothing()
    {
        using var tmp = new TempFolder();
        string spec = $$"""
            name: scratch-tiny
            models: [swinv2-pico]
            data:
              name: Fashion-MNIST
              source: fashion-mnist:{{FashionMnist.DebianPath}}@train
              val_source: fashion-mnist:{{FashionMnist.DebianPath}}@test
              fractions: [0.01]
            lengths: [16]
            evaluations: [val_loss, knn]
            scratch_reference: true
            pretrain: {batch_size: 8, warmup_iterations: 2, eval_interval: 8, val_images: 32, log_interval: 8, checkpoint_interval: 16, recon_images: 0}
            knn: {k: 5, train_fraction: 0.005, val_images: 60, eval_crop_ratio: 1.0}
            """;
        var folder = StudyFolder.At(tmp["study"]);
        var plan = StudyRunner.PlanFor(StudySpecReader.Parse(spec, "scratch-tiny.yaml"), folder);
        var options = new AnalysisOptions(Metric: "knn_top1", Plots: false);
        var summary = new StudyRunner(new EngineStudyExecutor(1), TextWriter.Null).Run(plan, folder, default, options);
        Assert.Empty(summary.Failures);
        Assert.Equal((2, 1, 2), (summary.Done, summary.PretrainedThisRun, summary.EvaluationsThisRun));

        // The evaluation itself, from the same random initialisation: KnnEval on "scratch" with the recipe and the seed.
        var own = KnnEval.Run("scratch", new ProbeOptions
        {
            Model = "swinv2-pico", TrainSource = plan.Cells[0].Data.EvalSource, ValSource = plan.Cells[0].Data.ValSource,
            TrainFraction = 0.005, ValImages = 60, EvalCropRatio = 1.0, Seed = 0,
        }, new KnnOptions { K = 5, Temperature = 0.07 });
        var results = StudyResultsJson.Load(folder.ResultsJsonPath);
        var reference = results.Runs.Single(r => r.Arm == RunArms.Scratch);
        Assert.Equal(100 * own.Accuracy.Top1, reference.Metric("knn_top1")!.Value, 9);
        Assert.Equal(100 * own.Accuracy.Top5, reference.Metric("knn_top5")!.Value, 9);
        Assert.Equal(100 * own.Accuracy.MeanPerClass, reference.Metric("knn_mean_per_class")!.Value, 9);
        Assert.False(Directory.Exists(Path.Combine(folder.CellDir(reference.RunId!), "checkpoints")));   // nothing was pre-trained

        var cell = results.Runs.Single(r => r.Arm is null);
        var md = File.ReadAllText(Path.Combine(folder.Root, "report.md"));
        var diff = cell.Metric("knn_top1")!.Value - reference.Metric("knn_top1")!.Value;
        Assert.Contains(string.Create(CultureInfo.InvariantCulture,
            $"| swinv2-pico | Fashion-MNIST 1% | 16 | knn_top1 | {cell.Metric("knn_top1"):F2} | {reference.Metric("knn_top1"):F2} | {(diff >= 0 ? "+" : "")}{diff:F2} | 1 / 1 | - |"), md);

        var again = new StudyRunner(new EngineStudyExecutor(1), TextWriter.Null).Run(plan, folder, default, options);
        Assert.Equal((2, 0, 0), (again.Done, again.PretrainedThisRun, again.EvaluationsThisRun));
        Assert.Equal(reference.Metrics, StudyResultsJson.Load(folder.ResultsJsonPath).Runs.Single(r => r.Arm == RunArms.Scratch).Metrics);
    }
}
