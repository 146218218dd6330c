using MimScale.Models.Runtime;
using MimScale.Training.Optim;
using MimScale.Training.Schedules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AdamW = MimScale.Training.Optim.AdamW;

namespace MimScale.Training.Evaluation;

/// <summary>Linear-probe settings (a MimScale choice: the paper has no linear probe).</summary>
public sealed record LinearProbeOptions
{
    /// <summary>Optimiser updates.</summary>
    public int Steps { get; init; } = 500;
    /// <summary>Rows per update; 0 = the whole training set (full-batch, deterministic).</summary>
    public int BatchSize { get; init; }
    /// <summary>Peak AdamW rate; cosine to 0 after 5% linear warm-up.</summary>
    public double Lr { get; init; } = 0.05;
    public double WeightDecay { get; init; } = 1e-4;
    public ulong Seed { get; init; }
}

/// <summary>Linear-probe result: validation accuracy of the trained classifier and its final training accuracy and loss.</summary>
public sealed record LinearProbeResult(ClassificationResult Val, double TrainTop1, double TrainLoss, LinearProbeOptions Options);

/// <summary>
/// Linear probing on frozen pooled features (computed once): features standardised with the training set's per-dimension
/// mean and std (as MAE's BatchNorm without affine in front of the head), then a linear classifier (weights start at 0:
/// the problem is convex, so the result does not depend on an init seed) trained with cross-entropy and MimScale's AdamW
/// (bias without weight decay).
/// </summary>
public static class LinearProbe
{
    public static LinearProbeResult Evaluate(FeatureSet train, FeatureSet val, LinearProbeOptions? options = null)
    {
        var o = options ?? new LinearProbeOptions();
        if (o.Steps <= 0 || o.Lr <= 0 || o.BatchSize < 0) throw new ArgumentException("steps and lr must be positive, batch_size >= 0");
        using var outer = NewDisposeScope();
        var x = train.Features.to_type(ScalarType.Float32);                                 // (N, C)
        var mean = x.mean(new long[] { 0 }, keepdim: true);
        var std = x.std(0, keepdim: true, unbiased: false).Plus(1e-6);
        x = (x - mean) / std;
        var y = torch.tensor(train.Labels);
        var xv = (val.Features.to_type(ScalarType.Float32) - mean) / std;
        var yv = torch.tensor(val.Labels);

        var weight = new Parameter(torch.zeros(train.NumClasses, x.shape[1]));              // (K, C)
        var bias = new Parameter(torch.zeros(train.NumClasses));                            // (K)
        var optimizer = new AdamW(new[]
        {
            new ParameterGroup("decay", o.WeightDecay, 1.0, new[] { ("weight", weight) }),
            new ParameterGroup("no_decay", 0.0, 1.0, new[] { ("bias", bias) }),
        });
        var schedule = new CosineSchedule(o.Lr, 0, 0, Math.Max(1, o.Steps / 20), o.Steps + 1, WarmupPrefix: true).Validate();
        var generator = new Generator(o.Seed);
        long n = x.shape[0];
        for (int k = 0; k < o.Steps; k++)
        {
            using var scope = NewDisposeScope();
            Tensor xb = x, yb = y;
            if (o.BatchSize > 0 && o.BatchSize < n)
            {
                var idx = torch.randint(0, n, new long[] { o.BatchSize }, generator: generator);
                xb = x.index_select(0, idx); yb = y.index_select(0, idx);
            }
            optimizer.ZeroGrad();
            var loss = nn.functional.cross_entropy(nn.functional.linear(xb, weight, bias), yb);
            loss.backward();
            optimizer.Step(schedule, k + 2);   // Rate(k + 2) = At(k + 1): the probe's rate runs one iteration ahead of the official order
        }
        optimizer.ZeroGrad();
        using var _ = torch.no_grad();
        var trainLogits = nn.functional.linear(x, weight, bias);
        double trainLoss = nn.functional.cross_entropy(trainLogits, y).item<float>();
        double trainTop1 = (double)ClassificationMetrics.TopKCorrect(trainLogits, y, 1) / n;
        var metrics = new ClassificationMetrics(train.NumClasses);
        metrics.Add(nn.functional.linear(xv, weight, bias), yv);
        return new LinearProbeResult(metrics.Result(), trainTop1, trainLoss, o);
    }

    /// <summary>Builds the encoder from <paramref name="checkpoint"/> (run folder, file, or "scratch"), computes features once, probes.</summary>
    public static LinearProbeResult Run(string? checkpoint, ProbeOptions probe, LinearProbeOptions? options = null, TextWriter? log = null)
    {
        var (train, val) = probe.FeaturesOf(checkpoint, "linear probe", log);
        using (train) using (val) return Evaluate(train, val, options);
    }
}
