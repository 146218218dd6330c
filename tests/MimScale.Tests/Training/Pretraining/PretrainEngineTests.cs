using System.Diagnostics;
using MimScale.Training.Pretraining;
using MimScale.Training.Runs;
using MimScale.Training.Schedules;

namespace MimScale.Tests.Training.Pretraining;

/// <summary>
/// The engine on real data (a 0.5% class-balanced subset of Fashion-MNIST) with the tiny swinv2-pico: branches equal
/// independent runs, a killed run resumes exactly, non-finite steps follow the policy, the validation loss is the
/// same number in another process.
/// </summary>
public class PretrainEngineTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("mimscale-pretrain-").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    internal static PretrainConfig Tiny => new()
    {
        Model = "swinv2-pico", Source = "fashion-mnist@train", Fraction = 0.005, ValSource = "fashion-mnist@test", ValImages = 24,
        Iterations = 16, BatchSize = 8, BaseLr = 2e-3, WarmupLr = 1e-5, WarmupIterations = 3, LogInterval = 1, EvalInterval = 4,
        CheckpointInterval = 4, KeepCheckpoints = 2, ReconImages = 2, Workers = 2, Seed = 5,
    };

    static Dictionary<long, double> Curve(string runDir, string key) =>
        MetricsLog.Read(Path.Combine(runDir, "metrics.jsonl")).Where(r => r.Values.ContainsKey(key)).ToDictionary(r => r.Step, r => r.Values[key]);

    SegmentResult Independent(PretrainConfig c, string name) =>
        new PretrainRun(c, Path.Combine(dir, name), TextWriter.Null).Execute(c.Iterations);

    [FashionMnistFact]
    public void EachBranchOfASharedTrunkEqualsAnIndependentRunOfItsLength()
    {
        var plan = new TrunkPlan(new long[] { 8, 16 });
        Assert.Equal(14 + 1 + 2, plan.TotalIterations);     // trunk to 14, branch 8 runs [7,8), branch 16 runs [14,16)
        var branches = TrunkRunner.Run(Tiny, plan, Path.Combine(dir, "shared"), TextWriter.Null);
        Assert.Equal(2, branches.Count);
        foreach (var t in new long[] { 8, 16 })
        {
            Independent(Tiny with { Iterations = t }, $"independent-{t}");
            var shared = Curve(Path.Combine(dir, "shared", $"len-{t}"), "train_loss");
            var alone = Curve(Path.Combine(dir, $"independent-{t}"), "train_loss");
            Assert.Equal(Enumerable.Range(1, (int)t).Select(i => (long)i), shared.Keys.Order());
            foreach (var (step, loss) in alone) Assert.True(Math.Abs(shared[step] - loss) <= 1e-6, $"T={t} step {step}: {shared[step]} vs {loss}");
            // The branch carries the record of the trunk's validation images, the ones its curve was measured on.
            Assert.Equal(File.ReadAllText(Path.Combine(dir, "shared", "trunk", TrainingSources.ValManifestFile)),
                File.ReadAllText(Path.Combine(dir, "shared", $"len-{t}", TrainingSources.ValManifestFile)));
            var sharedVal = Curve(Path.Combine(dir, "shared", $"len-{t}"), "val_loss");
            Assert.Equal(Curve(Path.Combine(dir, $"independent-{t}"), "val_loss")[t], sharedVal[t], 6);
        }
    }

    [FashionMnistFact]
    public void AKilledRunResumesWithExactlyTheSameLosses()
    {
        var reference = Independent(Tiny, "reference");
        string run = Path.Combine(dir, "killed");
        using var cts = new CancellationTokenSource();
        var killer = new KillAtLine("step 7/16 |", cts);     // dies after step 7; last checkpoint is step 4
        Assert.ThrowsAny<OperationCanceledException>(() => new PretrainRun(Tiny, run, killer).Execute(16, ct: cts.Token));
        // A kill while writing the next checkpoint leaves a temporary folder with partial files: it must be ignored.
        string torn = Path.Combine(run, "checkpoints", "step-00000008.tmp-4242");
        Directory.CreateDirectory(torn);
        File.WriteAllBytes(Path.Combine(torn, "model.safetensors"), new byte[] { 1, 2, 3 });
        Assert.Equal(4, new CheckpointStore(run, 2).Latest()!.Step);

        var resumed = new PretrainRun(Tiny, run, TextWriter.Null).Execute(16);
        Assert.False(Directory.Exists(torn));
        var a = Curve(Path.Combine(dir, "reference"), "train_loss");
        var b = Curve(run, "train_loss");
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (step, loss) in a) Assert.True(Math.Abs(b[step] - loss) <= 1e-6, $"step {step}: {b[step]} vs {loss}");
        Assert.Equal(reference.LastValLoss!.Value, resumed.LastValLoss!.Value, 6);
        // Only the newest two checkpoints are kept.
        Assert.Equal(new long[] { 12, 16 }, new CheckpointStore(run, 2).List().Select(e => e.Step));
        // The validation subset (val_images 24, stratified) is recorded in the run folder.
        var recorded = MimScale.Data.Subsets.Manifest.Load(Path.Combine(run, TrainingSources.ValManifestFile));
        Assert.Equal(24, recorded.Count);
        Assert.Equal(TrainingSources.OpenEval("fashion-mnist@test", 24).Manifest!.Hash, recorded.Hash);
        Assert.StartsWith("# mimscale-manifest 1\n# sha256: " + recorded.Hash + "\n# count: 24\n",
            File.ReadAllText(Path.Combine(run, TrainingSources.ValManifestFile)));
    }

    [FashionMnistFact]
    public void NonFiniteStepsAreSkippedThenTheRunStopsKeepingTheLastGoodCheckpoint()
    {
        // A base learning rate of 1e33 (scaled by batch 8 / 512) moves every weight by ~1e31 in the first update: the
        // weights stay finite, but the next forward overflows float32, so every later loss is non-finite.
        var c = Tiny with { BaseLr = 1e33, WarmupLr = 1e33, WarmupIterations = 0, MaxNonFiniteSteps = 3, CheckpointInterval = 1, Iterations = 12 };
        var log = new StringWriter();
        string run = Path.Combine(dir, "nan");
        var ex = Assert.Throws<NonFiniteTrainingException>(() => new PretrainRun(c, run, log).Execute(12));
        Assert.Contains("3 non-finite steps in a row", ex.Message);
        Assert.Contains("update skipped (1 in a row)", log.ToString());
        var records = MetricsLog.Read(Path.Combine(run, "metrics.jsonl"));
        Assert.Equal(new long[] { 2, 3, 4 }, records.Where(r => r.Kind == "skipped").Select(r => r.Step));
        Assert.Equal(new long[] { 1 }, records.Where(r => r.Values.ContainsKey("train_loss")).Select(r => r.Step));
        // Checkpoints of steps 2 and 3 (keep 2; the run stops at step 4 before writing one) both hold the finite weights
        // of step 1's update: a skipped step leaves the weights alone.
        var kept = new CheckpointStore(run, 2).List();
        Assert.Equal(new long[] { 2, 3 }, kept.Select(e => e.Step));
        using var scope = TorchSharp.torch.NewDisposeScope();
        var a = MimScale.Models.TensorFiles.TensorFile.Read(kept[0].ModelFile);
        var b = MimScale.Models.TensorFiles.TensorFile.Read(kept[1].ModelFile);
        Assert.Equal(a.Keys, b.Keys);
        foreach (var (name, t) in a)
        {
            Assert.True(t.isfinite().all().item<bool>(), $"{name} is not finite");
            Assert.True(t.eq(b[name]).all().item<bool>(), $"{name} changed during a skipped step");
        }
    }

    [FashionMnistFact]
    public void EachLogLineSaysWhereItsIntervalWent()
    {
        var c = Tiny with { Iterations = 8, LogInterval = 4, EvalInterval = 100, CheckpointInterval = 100, ReconImages = 0 };
        var log = new StringWriter();
        new PretrainRun(c, Path.Combine(dir, "phases"), log).Execute(c.Iterations);
        var rows = MetricsLog.Read(Path.Combine(dir, "phases", "metrics.jsonl")).Where(r => r.Kind == "train").ToList();
        Assert.Equal(new long[] { 4, 8 }, rows.Select(r => r.Step));
        foreach (var (_, _, v) in rows)
        {
            double interval = 4 * 8 / v["images_per_s"];   // 4 steps of 8 images over the interval's wall time
            Assert.True(v["step_s"] > 0 && v["data_wait_s"] >= 0 && v["other_s"] >= 0, string.Join(", ", v));
            Assert.True(v["data_wait_s"] + v["step_s"] <= interval * 1.001 + 1e-3, $"phases exceed the interval of {interval} s: {string.Join(", ", v)}");
            Assert.Equal(interval, v["data_wait_s"] + v["step_s"] + v["other_s"], 2);
        }
        Assert.Contains("| data ", log.ToString());
        Assert.Contains("loader threads", log.ToString());
    }

    [FashionMnistFact]
    public void ARunFolderRefusesADifferentConfig()
    {
        string run = Path.Combine(dir, "guard");
        new PretrainRun(Tiny with { Iterations = 4 }, run, TextWriter.Null).Execute(4);
        var ex = Assert.Throws<InvalidOperationException>(() =>
            new PretrainRun(Tiny with { Iterations = 4, Seed = 9 }, run, TextWriter.Null).Execute(4));
        Assert.Contains("different config", ex.Message);
    }

    [FashionMnistFact]
    public void TheValidationLossIsTheSameInTwoProcesses()
    {
        string yaml = Path.Combine(dir, "tiny.yaml");
        File.WriteAllText(yaml, PretrainConfigYaml.ToYaml(Tiny with { Iterations = 4 }));
        var losses = new List<double>();
        foreach (var name in new[] { "p1", "p2" })
        {
            var psi = new ProcessStartInfo("dotnet", new[] { Path.Combine(AppContext.BaseDirectory, "mimscale.dll"), "pretrain", "--config", yaml, "--out", Path.Combine(dir, name) })
            { RedirectStandardOutput = true, RedirectStandardError = true };
            var (exitCode, output) = RunChild(psi, TimeSpan.FromMinutes(5));
            Assert.True(exitCode == 0, output);
            losses.Add(Curve(Path.Combine(dir, name), "val_loss")[4]);
        }
        Assert.Equal(losses[0], losses[1]);
        Assert.InRange(losses[0], 0.1, 2.0);
    }

    [Fact]
    public void ConfigErrorsAreClearAndComeBeforeAnyWork()
    {
        var typo = Assert.Throws<InvalidDataException>(() => PretrainConfigYaml.Parse("model: swinv2-pico\nitertions: 10\n", "run.yaml"));
        Assert.Contains("run.yaml", typo.Message);
        Assert.Contains("itertions", typo.Message);
        var maskPatch = Assert.Throws<InvalidDataException>(() => PretrainConfigYaml.Parse("model: swinv2-pico\nmask_patch_size: 12\n", "run.yaml"));
        Assert.Contains("mask_patch_size 12", maskPatch.Message);
        var window = Assert.Throws<InvalidDataException>(() => PretrainConfigYaml.Parse("model: swinv2-pico\nwindow_size: 3\n", "run.yaml"));
        Assert.Contains("window", window.Message);
        var set = PretrainConfigYaml.Parse("model: swinv2-pico\n", "run.yaml", new[] { "iterations=123", "batch_size=16" });
        Assert.Equal(123, set.Iterations);
        Assert.Equal(16, set.BatchSize);
    }

    /// <summary>
    /// Runs a child process reading stdout and stderr at the same time (reading one to its end first can deadlock when
    /// the child fills the other pipe), killing it after <paramref name="timeout"/>.
    /// </summary>
    internal static (int ExitCode, string Output) RunChild(ProcessStartInfo psi, TimeSpan timeout)
    {
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            Assert.Fail($"{psi.FileName} {string.Join(' ', psi.ArgumentList)} did not finish in {timeout}:\n{stdout.Result}{stderr.Result}");
        }
        p.WaitForExit();   // the timed wait does not wait for the output to drain; this one does
        return (p.ExitCode, stdout.Result + stderr.Result);
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
