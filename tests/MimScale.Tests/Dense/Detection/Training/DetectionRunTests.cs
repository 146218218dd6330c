using MimScale.Dense.Coco;
using MimScale.Dense.Detection.Training;
using MimScale.Training.Runs;

namespace MimScale.Tests.Dense.Detection.Training;

/// <summary>
/// Mask R-CNN trained end to end on 4 tiny scenes through the run machinery: the losses fall when it overfits, and a
/// killed run resumes with exactly the losses of an uninterrupted one.
/// </summary>
public class DetectionRunTests(DetectionScenes scenes, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<DetectionScenes>
{
    static Dictionary<long, Dictionary<string, double>> Train(string runDir) =>
        MetricsLog.Read(Path.Combine(runDir, "metrics.jsonl")).Where(r => r.Kind == "train").ToDictionary(r => r.Step, r => r.Values);

    [Fact]
    public void OverfittingFourScenesDrivesTheLossesDown()
    {
        // No jitter or flip, one batch of the 4 scenes per step, lr 1e-3: the same 4 images 16 times. Seeded and single-
        // threaded, so the curve is the same every run: total 5.995 -> 2.52 (mean of steps 14-16), rpn_cls 0.693 -> 0.359,
        // cls 1.447 -> 0.813, mask 3.608 -> 0.625 (the Kaiming-initialised logits start far from 0).
        var c = scenes.Tiny with { BatchSize = 4, Epochs = 16, JitterMin = 1, JitterMax = 1, FlipProbability = 0, CheckpointInterval = 16 };
        string run = Path.Combine(scenes.Root, "overfit");
        var result = new DetectionRun(c, run, TextWriter.Null).Execute();
        var curve = Train(run);
        double first = curve[1]["train_loss"], last = curve.Where(p => p.Key > 13).Average(p => p.Value["train_loss"]);
        foreach (var (step, v) in curve) output.WriteLine($"{step}: {string.Join(" ", v.Select(p => $"{p.Key} {p.Value:F4}"))}");
        Assert.True(last < first / 2, $"loss {first:F3} -> {last:F3}: expected at least a halving");
        foreach (var (part, factor) in new[] { ("loss_rpn_cls", 1.5), ("loss_cls", 1.5), ("loss_mask", 3.0) })
            Assert.True(curve[16][part] < curve[1][part] / factor, $"{part}: {curve[1][part]:F4} -> {curve[16][part]:F4}, expected a fall by {factor}x");
        Assert.NotNull(result.Box);
        // `detect predict` on the run folder (run.yaml as `detect train` writes it) reproduces the run's own last results,
        // and `detect evaluate` reads them back to the run's box AP.
        File.WriteAllText(Path.Combine(run, "run.yaml"), DetectionConfigYaml.ToYaml(c));
        var (_, _, valAnn, valImg) = c.DataPaths();
        string predicted = Path.Combine(scenes.Root, "predicted.json");
        var predictions = DetectionPredictor.Run(run, valAnn, valImg, predicted, TextWriter.Null);
        Assert.True(predictions.Detections.Count > 0);
        Assert.Equal(File.ReadAllText(Path.Combine(run, "results.json")), File.ReadAllText(predicted));
        var stats = CocoEvaluator.EvaluateFiles(valAnn, predicted, CocoIouType.Bbox, Path.Combine(scenes.Root, "stats.json"), TextWriter.Null);
        Assert.Equal(result.Box!.AP, stats.AP, 12);
        // On the 4 scenes it fitted, the detector finds the objects: box AP50 well above zero (the 64-px scenes runs of
        // 1-2 epochs ended at box AP 0.00, so this pins that training, inference and COCOeval can leave zero together).
        var (trainAnn, trainImg, _, _) = c.DataPaths();
        string fitted = Path.Combine(scenes.Root, "fitted.json");
        DetectionPredictor.Run(run, trainAnn, trainImg, fitted, TextWriter.Null);
        var onTrain = CocoEvaluator.EvaluateFiles(trainAnn, fitted, CocoIouType.Bbox, Path.Combine(scenes.Root, "stats-train.json"), TextWriter.Null);
        output.WriteLine($"training scenes: box AP {100 * onTrain.AP:F2} AP50 {100 * onTrain.AP50:F2}");
        // Seeded, one thread: measured box AP 5.73, AP50 11.96 after the 16 steps.
        Assert.True(onTrain.AP50 > 0.05 && onTrain.AP > 0.02, $"box AP {100 * onTrain.AP:F2} / AP50 {100 * onTrain.AP50:F2} on the fitted scenes");
    }

    [Fact]
    public void AKilledRunResumesWithExactlyTheSameLosses()
    {
        // 4 scenes, batch 2: 2 iterations per epoch, 3 epochs; full LSJ jitter and flips; checkpoints every 2 steps.
        var c = scenes.Tiny;
        string reference = Path.Combine(scenes.Root, "reference"), run = Path.Combine(scenes.Root, "killed");
        var full = new DetectionRun(c, reference, TextWriter.Null).Execute();
        using var cts = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => new DetectionRun(c, run, new KillAtLine("step 5/6 |", cts)).Execute(cts.Token));
        Assert.Equal(4, new CheckpointStore(run, 2).Latest()!.Step);
        var resumed = new DetectionRun(c, run, TextWriter.Null).Execute();
        var a = Train(reference);
        var b = Train(run);
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), b.Keys.Order());
        foreach (var (step, values) in a)
            foreach (var key in new[] { "train_loss", "loss_rpn_cls", "loss_rpn_bbox", "loss_cls", "loss_bbox", "loss_mask" })
                Assert.True(Math.Abs(b[step][key] - values[key]) <= 1e-6, $"step {step} {key}: {b[step][key]} vs {values[key]}");
        Assert.Equal(full.Box!.AP, resumed.Box!.AP, 9);
        Assert.Equal(full.Mask!.AP, resumed.Mask!.AP, 9);
    }

    sealed class KillAtLine(string marker, CancellationTokenSource cts) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.StartsWith(marker, StringComparison.Ordinal) == true) cts.Cancel();
        }
    }
}
