using MimScale.Analysis.Io;
using MimScale.Analysis.Report;
using MimScale.Data.Sources;
using MimScale.Dense.Scenes;
using MimScale.Study.Execution;
using MimScale.Study.Planning;
using MimScale.Study.Running;
using MimScale.Study.Spec;

namespace MimScale.Tests.Study.Execution;

/// <summary>
/// The dense evaluations inside a study: studies/fashion-mnist-dense.yaml plans, and one real tiny cell (pre-training,
/// UPerNet, Mask R-CNN on 16 Fashion-MNIST scenes at 64 px) stores its dense metrics and shows them in Table 7.
/// </summary>
public class DenseStudyTests
{
    [Fact]
    public void TheDenseStudySpecParsesAndPlansFourCellsWithBothDenseEvaluations()
    {
        var spec = StudySpecReader.Load(Fixtures.RepoFile("studies/fashion-mnist-dense.yaml"));
        Assert.Equal(["knn", "segmentation", "detection"], spec.Evaluations);
        Assert.Equal("segmentation_miou", spec.ReportMetric);
        var plan = StudyPlanner.Plan(spec);
        Assert.Equal(2, plan.Trunks.Count);
        Assert.Equal(4, plan.Cells.Count);
        Assert.All(plan.Cells, c => Assert.Equal(["knn", "segmentation", "detection"], c.Evaluations));
        var cell = plan.Cells[0];
        var seg = DenseRecipes.Segmentation(cell.Model, cell.Seed, null, cell.EvaluationRecipes["segmentation"]);
        var det = DenseRecipes.Detection(cell.Model, cell.Seed, null, cell.EvaluationRecipes["detection"]);
        Assert.Equal(("data/scenes-64", 100L, 10L, 8), (seg.DataRoot, seg.Iterations, seg.WarmupIterations, seg.BatchSize));
        Assert.Equal(("data/scenes-64", 2, 20L, 4), (det.DataRoot, det.Epochs, det.WarmupIterations, det.BatchSize));
        Assert.Equal(["segmentation_miou", "detection_box_ap"], new[] { "segmentation", "detection" }.Select(StudySpec.TopMetric));
    }

    [Fact]
    public void OneTinyCellStoresItsDenseMetricsAndTable7ListsThem()
    {
        using var tmp = new TempFolder();
        // 12 training + 4 validation scenes of real Fashion-MNIST items, 64 px (what `mimscale data scenes` writes).
        string scenes = tmp["scenes"];
        SceneDatasetWriter.WriteFashionMnist(scenes, 16, 4, new SceneOptions(Size: 64), 0);
        string spec = $$"""
            name: dense-tiny
            models: [swinv2-pico]
            data:
              source: fashion-mnist:{{FashionMnist.DebianPath}}@train
              val_source: fashion-mnist:{{FashionMnist.DebianPath}}@test
              fractions: [0.01]
            lengths: [16]
            evaluations: [val_loss, segmentation, detection]
            pretrain: {batch_size: 8, warmup_iterations: 2, eval_interval: 8, val_images: 32, log_interval: 8, checkpoint_interval: 16, recon_images: 0}
            segmentation: {data_root: "{{scenes}}", iterations: 3, batch_size: 2, log_interval: 1, checkpoint_interval: 3}
            detection: {data_root: "{{scenes}}", epochs: 1, batch_size: 4, warmup_iterations: 1, log_interval: 1}
            """;
        var folder = StudyFolder.At(tmp["study"]);
        var plan = StudyRunner.PlanFor(StudySpecReader.Parse(spec, "dense-tiny.yaml"), folder);
        var summary = new StudyRunner(new EngineStudyExecutor(1), TextWriter.Null).Run(plan, folder, default, new AnalysisOptions(Metric: "segmentation_miou", Plots: false));
        Assert.Empty(summary.Failures);
        Assert.Equal((1, 1, 2), (summary.Done, summary.PretrainedThisRun, summary.EvaluationsThisRun));

        var cell = Assert.Single(plan.Cells);
        var run = Assert.Single(StudyResultsJson.Load(folder.ResultsJsonPath).Runs);
        Assert.Equal(
            ["detection_box_ap", "detection_box_ap50", "detection_box_ap75", "detection_mask_ap", "detection_mask_ap50", "detection_mask_ap75",
             "segmentation_aacc", "segmentation_macc", "segmentation_miou"],
            run.Metrics.Keys.Order(StringComparer.Ordinal));
        Assert.All(run.Metrics.Values, v => Assert.InRange(v, 0, 100));
        // Each task in its own run folder under the cell, with the cell's encoder as its starting point.
        string cellDir = folder.CellDir(cell.Key);
        Assert.Contains("model.safetensors", File.ReadAllText(Path.Combine(cellDir, "segmentation", "run.yaml")));
        // The stored mIoU and box AP are the runs' own (mmseg's percent; COCOeval's fraction x 100).
        using (var seg = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(cellDir, "segmentation", "val_metrics.json"))))
            Assert.Equal(seg.RootElement.GetProperty("mIoU").GetDouble(), run.Metric("segmentation_miou")!.Value, 9);
        var box = MimScale.Dense.Coco.CocoStats.ReadJson(Path.Combine(cellDir, "detection", "stats-bbox.json"));
        Assert.Equal(100 * box.AP, run.Metric("detection_box_ap")!.Value, 9);

        // Table 7: an "all" row per downstream metric and loss, n = 1 (r not defined for one cell).
        var md = File.ReadAllText(Path.Combine(folder.Root, "report.md"));
        foreach (var metric in new[] { "segmentation_miou", "detection_box_ap", "detection_mask_ap" })
            foreach (var loss in new[] { "val_loss", "train_loss" })
                Assert.Contains($"| {loss} | {metric} | all | 1 | n/a |", md);

        // Done means done: a second run trains and evaluates nothing.
        var again = new StudyRunner(new EngineStudyExecutor(1), TextWriter.Null).Run(plan, folder, default, new AnalysisOptions(Plots: false));
        Assert.Equal((1, 0, 0), (again.Done, again.PretrainedThisRun, again.EvaluationsThisRun));
    }
}
