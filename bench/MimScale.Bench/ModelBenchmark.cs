using System.Diagnostics;
using MimScale.Data.Masking;
using MimScale.Models.Runtime;
using MimScale.Models.SimMim;
using MimScale.Models.SwinV2;
using MimScale.Models.Zoo;
using MimScale.Training.Optim;
using MimScale.Training.Schedules;
using MimScale.Training.Steps;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Bench;

/// <summary>
/// What to measure: a zoo model (or the fixture configuration "simmim-a") at a batch and resolution.
/// <paramref name="NormTargetWindow"/>: the SimMIM targets, 0 = raw pixels (the official default), an odd K >= 3 =
/// pixels normalised over a K x K window (the paper's recipe, 47), null = the model's own setting; lets the model alone
/// be compared with the official step, which has no normalised targets unless asked.
/// </summary>
public sealed record ModelBenchOptions(string Model, int Batch, int? Img = null, int? Window = null, int Steps = 10, int Warmup = 3, int Threads = 0,
    bool FlatAdamW = true, int? NormTargetWindow = null, bool FusedAdamW = true);

/// <summary>
/// Images/s of the real forward pass or the real SimMIM training step (forward, backward, clipping, AdamW), plus
/// model-FLOPs utilisation against the peak of a large float32 matmul measured in the same process.
/// Prints numbers; never passes or fails.
/// </summary>
public static class ModelBenchmark
{
    /// <summary>The fixture configuration of tests/fixtures/simmim-a (img 64, C 8, depths 2,2,2,2, window 4).</summary>
    public static SimMimOptions FixtureA => new()
    {
        Encoder = new SwinV2Options
        {
            ImgSize = new[] { 64, 64 }, PatchSize = 4, NumClasses = 0, EmbedDim = 8, Depths = new[] { 2, 2, 2, 2 },
            NumHeads = new[] { 1, 2, 4, 8 }, WindowSize = 4, DropPathRate = 0,
        },
        NormTargetWindow = 0,
    };

    public static SimMimOptions Resolve(ModelBenchOptions o)
    {
        var sim = o.Model.Equals("simmim-a", StringComparison.OrdinalIgnoreCase) ? FixtureA : ModelZoo.Get(o.Model).Pretrain;
        var enc = sim.Encoder;
        if (o.Img is int img) enc = enc with { ImgSize = new[] { img, img } };
        if (o.Window is int w) enc = enc with { WindowSize = w };
        if (o.NormTargetWindow is int k) sim = sim with { NormTargetWindow = k };
        return sim with { Encoder = enc };
    }

    public static void Run(string mode, ModelBenchOptions o, TextWriter output)
    {
        // The CLI turns flush-to-zero on at start; enabling again is harmless and tells the report whether it is on.
        bool flushed = DenormalFlush.Enable();
        if (o.Threads > 0) torch.set_num_threads(o.Threads);
        var sim = Resolve(o).Validate();
        var gen = new Generator(0);
        var model = new SimMimModel(sim, gen);
        var enc = sim.Encoder;
        var x = torch.randn(new long[] { o.Batch, enc.InChans, enc.ImgSize[0], enc.ImgSize[1] }, generator: gen);
        var (mh, mw) = enc.PatchesResolution;
        var mask = torch.rand(new long[] { o.Batch, mh, mw }, generator: gen).LessThan(MaskSettings.PaperRatio).to_type(ScalarType.Int64);
        double flopsPerImage;
        Action step;
        Action? update = null;
        if (mode == "forward")
        {
            var classifier = new SwinTransformerV2(enc with { NumClasses = 1000 }, generator: gen);
            classifier.eval();
            flopsPerImage = 2 * ModelCost.Flops(enc with { NumClasses = 1000 });
            step = () => { using var _ = torch.no_grad(); using var s = NewDisposeScope(); classifier.forward(x); };
        }
        else if (mode == "train")
        {
            model.train();
            var named = model.named_parameters().Select(p => (p.name, p.parameter)).ToList();
            var optimizer = new AdamW(ParameterGroups.Pretraining(named, 0.05), flatten: o.FlatAdamW, fused: o.FusedAdamW);
            var trainStep = new TrainStep(optimizer, 5.0);
            var batches = new Func<Tensor>[] { () => model.forward(x, mask) };
            flopsPerImage = ModelCost.SimMimTrainingFlops(enc, sim.EncoderStride);
            var constant = StepSchedule.Constant(1e-4);
            step = () => trainStep.Run(batches, constant, 0);
            // The update alone (global-norm clipping + AdamW) on the gradients the last step left: memory-bound passes
            // over every parameter, which the MFU does not see.
            update = () => { GradientClipping.Clip(optimizer.Gradients(), 5.0); optimizer.Step(constant, 0); };
        }
        else throw new ArgumentException($"unknown benchmark mode '{mode}' (forward, train)");

        // The peak is the better of one measurement before the warm-up and one after the timed steps: one alone moved
        // by 20-30% with the clock of the minute it ran in (151-197 GFLOP/s in six runs on 2026-12-01), and with it the MFU.
        double seconds = 0;
        var (peak, peakBefore, peakAfter) = PeakAround(() => seconds = Time(o.Steps, o.Warmup, step));
        double imagesPerSecond = o.Batch * o.Steps / seconds;
        double updateMs = update is null ? double.NaN : 1000 * Time(o.Steps, 0, update) / o.Steps;
        double achieved = imagesPerSecond * flopsPerImage;
        output.WriteLine($"bench {mode}: model={o.Model} img={enc.ImgSize[0]} window={enc.WindowSize} batch={o.Batch} threads={torch.get_num_threads()}{(mode == "train" ? $" adamw={(o.FlatAdamW ? "flat" : "per-parameter")},{(o.FusedAdamW ? "fused" : "op-by-op")} targets={(sim.NormTargetWindow > 0 ? $"normalised/{sim.NormTargetWindow}" : "raw")}" : "")} flush_denormal={(flushed ? "on" : "off")}");
        output.WriteLine($"  steps={o.Steps} (after {o.Warmup} warm-up) seconds={seconds:F3} step_ms={1000 * seconds / o.Steps:F1}{(update is null ? "" : $" of which update_ms={updateMs:F1} (clipping + AdamW, timed alone after the steps)")}");
        output.WriteLine($"  images/s={imagesPerSecond:F2}");
        output.WriteLine($"  model GFLOP/image={flopsPerImage / 1e9:F4} achieved GFLOP/s={achieved / 1e9:F2} matmul peak GFLOP/s={peak / 1e9:F2} MFU={100 * achieved / peak:F1}% (peak before {peakBefore / 1e9:F2}, after {peakAfter / 1e9:F2})");
    }

    /// <summary>Seconds of <paramref name="steps"/> calls of <paramref name="step"/> after <paramref name="warmup"/> untimed ones.</summary>
    public static double Time(int steps, int warmup, Action step)
    {
        for (int i = 0; i < warmup; i++) step();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) step();
        return sw.Elapsed.TotalSeconds;
    }

    /// <summary>Runs <paramref name="measured"/> between two matmul peak measurements; the better of the two is the peak.</summary>
    public static (double Peak, double Before, double After) PeakAround(Action measured)
    {
        double before = MatmulPeakFlops();
        measured();
        double after = MatmulPeakFlops();
        return (Math.Max(before, after), before, after);
    }

    /// <summary>Best FLOP/s of a 1024x1024 float32 matmul over 16 repetitions (2n^3 FLOPs each, ~0.2 s in all).</summary>
    public static double MatmulPeakFlops(int n = 1024, int reps = 16)
    {
        using var scope = NewDisposeScope();
        var a = torch.randn(n, n); var b = torch.randn(n, n);
        a.matmul(b);
        double best = 0;
        for (int i = 0; i < reps; i++)
        {
            var sw = Stopwatch.StartNew();
            using var c = a.matmul(b);
            best = Math.Max(best, 2.0 * n * n * n / sw.Elapsed.TotalSeconds);
        }
        return best;
    }
}
