using MimScale.Models.SimMim;
using MimScale.Models.TensorFiles;
using MimScale.Models.Zoo;
using MimScale.Training.Finetuning;
using MimScale.Training.Runs;
using TorchSharp;

namespace MimScale.Tests.Training.Finetuning;

/// <summary>
/// The fine-tuning engine on real data (a 0.5% class-balanced subset of Fashion-MNIST, 300 images) with swinv2-pico:
/// a killed run resumes exactly, the best evaluation is what is reported, a pre-trained start loads, configs fail early.
/// </summary>
public class FinetuneEngineTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("mimscale-finetune-").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    // 300 images / batch 16 = 18 iterations per epoch; 2 epochs; evaluation (and checkpoint) every 6 iterations.
    internal static FinetuneConfig Tiny => new()
    {
        Model = "swinv2-pico", Source = "fashion-mnist@train", Fraction = 0.005, ValSource = "fashion-mnist@test", ValImages = 32,
        Epochs = 2, WarmupEpochs = 0.5, BatchSize = 16, BaseLr = 5e-3, WarmupLr = 1e-6, MinLr = 1e-6, LayerDecay = 0.85,
        RandAugment = true, Mixup = 0.8, Cutmix = 1.0, LogInterval = 1, EvalInterval = 6, KeepCheckpoints = 2, Workers = 2, Seed = 5,
    };

    static Dictionary<long, double> Curve(string runDir, string key) =>
        MetricsLog.Read(Path.Combine(runDir, "metrics.jsonl")).Where(r => r.Values.ContainsKey(key)).ToDictionary(r => r.Step, r => r.Values[key]);

    [FashionMnistFact]
    public void AKilledRunResumesExactlyAndReportsTheBestEvaluation()
    {
        string reference = Path.Combine(dir, "reference");
        var full = new FinetuneRun(Tiny, reference, TextWriter.Null).Execute();
        Assert.Equal(36, full.Step);
        var top1 = Curve(reference, "top1");
        Assert.Equal(new long[] { 6, 12, 18, 24, 30, 36 }, top1.Keys.Order());
        Assert.Equal(top1.Values.Max(), full.BestTop1);
        Assert.Equal(top1.First(kv => kv.Value == top1.Values.Max()).Key, full.BestStep);
        Assert.Equal(top1[36], full.Last!.Top1);
        Assert.True(File.Exists(Path.Combine(reference, "best", "model.safetensors")));
        Assert.True(File.Exists(Path.Combine(reference, "result.json")));
        // The evaluation images (val_images 32 of 10 classes: 3 or 4 per class) are recorded with the run.
        var val = MimScale.Data.Subsets.Manifest.Load(Path.Combine(reference, MimScale.Training.Runs.TrainingSources.ValManifestFile));
        Assert.Equal(32, val.Count);
        Assert.All(val.Entries.GroupBy(e => e.Label), g => Assert.InRange(g.Count(), 3, 4));
        // The rate logged at iteration k is the cosine's value at k-1 (head group, scale 1).
        var lr = Curve(reference, "lr");
        Assert.Equal(Enumerable.Range(1, 36).Select(i => (long)i), lr.Keys.Order());   // log_interval 1: every iteration
        var s = new MimScale.Training.Schedules.CosineSchedule(Tiny.ScaledLr, Tiny.ScaledWarmupLr, Tiny.ScaledMinLr, 9, 36);
        foreach (var (step, value) in lr) Assert.Equal(s.ForIteration(step - 1), value, 15);

        string run = Path.Combine(dir, "killed");
        using var cts = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => new FinetuneRun(Tiny, run, new KillAtLine("step 15/36 |", cts)).Execute(cts.Token));
        Assert.Equal(12, new CheckpointStore(run, 2).Latest()!.Step);
        var resumed = new FinetuneRun(Tiny, run, TextWriter.Null).Execute();
        var a = Curve(reference, "train_loss");
        var b = Curve(run, "train_loss");
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (step, loss) in a) Assert.True(Math.Abs(b[step] - loss) <= 1e-6, $"step {step}: {b[step]} vs {loss}");
        Assert.Equal(top1, Curve(run, "top1"));
        Assert.Equal(full.BestTop1, resumed.BestTop1);
        Assert.Equal(new long[] { 30, 36 }, new CheckpointStore(run, 2).List().Select(e => e.Step));
        // A finished run asked again does nothing and reports the same.
        var again = new FinetuneRun(Tiny, run, TextWriter.Null).Execute();
        Assert.Equal(full.BestTop1, again.BestTop1);
        Assert.Equal(full.Last.Top1, again.Last!.Top1);
    }

    // Top-1 on the 32 validation images (the stratified val_images subset, class-balanced over the 10 classes)
    // after one epoch from the seeded SimMIM checkpoint, pinned (k / 32).
    const double PretrainedStartTop1 = 7 / 32.0;

    [FashionMnistFact]
    public void StartsFromAPretrainedSimMimCheckpointWithAFreshHead()
    {
        using var simmim = new SimMimModel(ModelZoo.Get("swinv2-pico").Pretrain, new torch.Generator(3));
        string file = Path.Combine(dir, "pre.safetensors");
        ModelWeights.Export(simmim, file);
        var log = new StringWriter();
        var c = Tiny with { Pretrained = file, Epochs = 1, WarmupEpochs = 0, EvalInterval = 0, Mixup = 0, Cutmix = 0, RandAugment = false };
        var r = new FinetuneRun(c, Path.Combine(dir, "pre"), log).Execute();
        Assert.Equal(file, r.StartedFrom);
        Assert.Contains("all keys matched", log.ToString());
        Assert.Contains("2 fresh", log.ToString());
        Assert.Contains("pretrained_window_sizes [4,4,4,2]", log.ToString());
        Assert.Equal(new long[] { 18 }, Curve(Path.Combine(dir, "pre"), "top1").Keys);
        Assert.Equal(PretrainedStartTop1, r.Last!.Top1);
        // The same folder refuses another config.
        var ex = Assert.Throws<InvalidOperationException>(() => new FinetuneRun(c with { Seed = 9 }, Path.Combine(dir, "pre"), TextWriter.Null).Execute());
        Assert.Contains("different config", ex.Message);
    }

    [Fact]
    public void ConfigErrorsAreClearAndComeBeforeAnyWork()
    {
        var typo = Assert.Throws<InvalidDataException>(() => FinetuneConfigYaml.Parse("model: swinv2-pico\nlayer_decy: 0.8\n", "ft.yaml"));
        Assert.Contains("ft.yaml", typo.Message);
        Assert.Contains("layer_decy", typo.Message);
        var mixup = Assert.Throws<InvalidDataException>(() => FinetuneConfigYaml.Parse("model: swinv2-pico\nbatch_size: 15\n", "ft.yaml"));
        Assert.Contains("even batch_size", mixup.Message);
        var warm = Assert.Throws<InvalidDataException>(() => FinetuneConfigYaml.Parse("epochs: 5\nwarmup_epochs: 5\n", "ft.yaml"));
        Assert.Contains("warmup_epochs", warm.Message);
        var set = FinetuneConfigYaml.Parse("model: swinv2-pico\n", "ft.yaml", new[] { "epochs=3", "warmup_epochs=1", "pretrained_window_sizes=[4,4,4,2]", "rand_augment=false" });
        Assert.Equal(3, set.Epochs);
        Assert.Equal(new[] { 4, 4, 4, 2 }, set.PretrainedWindowSizes);
        Assert.False(set.RandAugment);
        // The YAML written to a run folder reads back to the same config.
        var back = FinetuneConfigYaml.Parse(FinetuneConfigYaml.ToYaml(set), "run.yaml");
        Assert.Equal(FinetuneRun.ConfigHash(set), FinetuneRun.ConfigHash(back));
    }

    /// <summary>Cancels when the run logs a given line: a kill at a precise point of the run.</summary>
    sealed class KillAtLine(string marker, CancellationTokenSource cts) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.StartsWith(marker, StringComparison.Ordinal) == true) cts.Cancel();
        }
    }
}
