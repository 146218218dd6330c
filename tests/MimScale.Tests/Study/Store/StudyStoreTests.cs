using MimScale.Analysis.Results;
using MimScale.Study.Execution;
using MimScale.Study.Planning;
using MimScale.Study.Running;
using MimScale.Study.Spec;
using MimScale.Study.Store;
using MimScale.Tests.Data;

namespace MimScale.Tests.Study.Store;

public class StudyStoreTests
{
    [Fact]
    public void RoundTripThroughTheDatabaseFile()
    {
        using var tmp = new TempFolder();
        var plan = StudyPlanner.Plan(StudySpecReader.Parse(StudyTestData.Spec(), "t.yaml"), new ManifestResolver(null, StudyTestData.Open), "v1");
        var cell = plan.Cells[1]; // pico, 10%, 1600
        var path = Path.Combine(tmp.Path, "study.db");
        using (var store = StudyStore.Open(path))
        {
            store.RegisterPlan(plan);
            store.RegisterPlan(plan); // idempotent
            Assert.Empty(store.PretrainedKeys(plan.Cells.Select(c => c.Key)));
            store.RecordPretrain(cell, new CellPretrainResult(cell.Key, "/runs/x")
            {
                Curve = [new CurvePoint(10, 1.5, null), new CurvePoint(20, 1.25, 1.375), new CurvePoint(1600, null, 0.8125)],
                FinalTrainLoss = 0.75, FinalValLoss = 0.8125, TrunkSeconds = 14, DecaySeconds = 4, Device = "cpu x2",
                ReconstructionImages = ["/runs/x/a.png", "/runs/x/b.png"],
            });
            store.RecordEvaluation(cell, "knn", new Dictionary<string, double> { ["knn_top1"] = 71.25, ["knn_top5"] = 95.5 }, 3.5);
        }
        using (var store = StudyStore.Open(path))
        {
            Assert.Equal(8, store.AllCellKeys().Count);
            Assert.Equal(new[] { cell.Key }, store.PretrainedKeys(plan.Cells.Select(c => c.Key)));
            var c = store.LoadCells([cell.Key]).Single();
            Assert.Equal((cell.TrunkKey, "swinv2-pico", "Pattern 10%", 0.1, (int?)20, 1600L, 0, 1400L), (c.TrunkKey, c.Model, c.DataLabel, c.DataFraction!.Value, c.ImageCount, c.Iterations, c.Seed, c.DecayStart));
            Assert.Equal(cell.AttributedIterations, c.AttributedIterations);
            Assert.Equal(cell.FlopsPerIteration, c.FlopsPerIteration);
            Assert.Equal(cell.ConfigJson, c.ConfigJson);
            Assert.Equal(new[] { "knn", "finetune" }, c.Evaluations);
            Assert.Equal(CellStage.Pretrained, c.Stage); // finetune still pending
            Assert.Equal(new[] { "finetune" }, c.PendingEvaluations);
            var run = c.Run!;
            Assert.Equal(("/runs/x", 0.75, 0.8125, 14.0, 4.0, "cpu x2"), (run.RunDir, run.FinalTrainLoss!.Value, run.FinalValLoss!.Value, run.TrunkSeconds, run.DecaySeconds, run.Device));
            Assert.Equal(new[] { "/runs/x/a.png", "/runs/x/b.png" }, run.ReconstructionImages);
            Assert.Equal(new[] { new CurvePoint(10, 1.5, null), new CurvePoint(20, 1.25, 1.375), new CurvePoint(1600, null, 0.8125) }, run.Curve);
            Assert.Equal(71.25, c.Metrics["knn_top1"]);
            Assert.Equal(95.5, c.Metrics["knn_top5"]);
            Assert.Equal(3.5, c.EvaluationResults.Single().WallSeconds);

            store.RecordEvaluation(cell, "finetune", new Dictionary<string, double> { ["finetune_top1"] = 80 }, 10);
            Assert.Equal(CellStage.Done, store.LoadCells([cell.Key]).Single().Stage);

            // Wall seconds: this cell is the trunk's longest finished one: 14 s / 1400 iterations x (175 + 1050) + 4.
            Assert.Equal(16.25, StudyResultsBuilder.AttributedWallSeconds(store.LoadCells())[cell.Key], 9);
            store.SetMeta("schema_version", "99");
        }
        var e = Assert.Throws<StudyExecutionException>(() => StudyStore.Open(path));
        Assert.Contains("schema version 99", e.Message);
        File.WriteAllText(Path.Combine(tmp.Path, "junk.db"), "this is not a database, just text that is long enough to have a header......");
        Assert.Contains("cannot open the study store", Assert.Throws<StudyExecutionException>(() => StudyStore.Open(Path.Combine(tmp.Path, "junk.db"))).Message);
    }
}
