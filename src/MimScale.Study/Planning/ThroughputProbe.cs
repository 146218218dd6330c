using System.Diagnostics;
using MimScale.Data.Masking;
using MimScale.Models.Runtime;
using MimScale.Models.SimMim;
using MimScale.Models.Zoo;
using MimScale.Training.Optim;
using MimScale.Training.Schedules;
using MimScale.Training.Steps;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Study.Planning;

/// <summary>
/// The quick benchmark behind <c>mimscale study plan --measure</c>: times a few real SimMIM training steps (forward,
/// backward, clipping, AdamW: the engine's TrainStep) of a zoo model on random data and returns seconds per image. Seeded, but timings vary
/// with machine load; used for estimates only.
/// </summary>
public static class ThroughputProbe
{
    /// <summary>
    /// Seconds per image of one training step at <paramref name="batch"/>: the fastest of <paramref name="steps"/> timed
    /// steps after <paramref name="warmup"/> untimed ones (the minimum is the least disturbed by other load on a shared machine).
    /// </summary>
    public static double SecondsPerImage(ZooEntry model, int batch, int steps = 3, int warmup = 2)
    {
        using var outer = NewDisposeScope();
        var sim = model.Pretrain.Validate();
        var gen = new Generator(0);
        var net = new SimMimModel(sim, gen);
        net.train();
        var named = net.named_parameters().Select(p => (p.name, p.parameter)).ToList();
        var optimizer = new AdamW(ParameterGroups.Pretraining(named, 0.05));
        var step = new TrainStep(optimizer, 5.0);
        var enc = sim.Encoder;
        var x = torch.randn([batch, enc.InChans, enc.ImgSize[0], enc.ImgSize[1]], generator: gen);
        var (mh, mw) = enc.PatchesResolution;
        // Token-level Bernoulli masks at the paper's ratio: timing needs the masked share, not the official patch grid.
        var mask = torch.rand([batch, mh, mw], generator: gen).LessThan(MaskSettings.PaperRatio).to_type(ScalarType.Int64);
        var batches = new Func<Tensor>[] { () => net.forward(x, mask) };
        var constant = StepSchedule.Constant(1e-4);
        void Step() => step.Run(batches, constant, 0);
        for (int i = 0; i < warmup; i++) Step();
        double best = double.PositiveInfinity;
        for (int i = 0; i < steps; i++)
        {
            var clock = Stopwatch.StartNew();
            Step();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return best / batch;
    }
}
