using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Dense.Detection.Ops;

/// <summary>
/// Timings of the detection ops at Mask R-CNN sizes (numbers, never pass/fail): RoIAlign with 512 RoIs on a
/// [1, 256, 80, 80] map (stride 4, RoIs of 16-256 px in a 320 px image) at 7×7 forward and 14×14 forward + backward,
/// for sampling ratio 2 and adaptive (0), and NMS on 2000 boxes; plus the device-agnostic paths that CPU float32 skips. Each case runs once untimed, then the median of
/// <c>repeats</c> runs is reported.
/// </summary>
public static class OpsBench
{
    /// <summary>One timed case: its name and the median wall-clock milliseconds.</summary>
    public sealed record Timing(string Case, double MedianMs);

    /// <summary>Runs every case on <paramref name="device"/> (CPU when null).</summary>
    public static IReadOnlyList<Timing> Run(int repeats = 5, Device? device = null)
    {
        device ??= CPU;
        var gen = new Generator(0, device);
        using var feats = randn(new long[] { 1, 256, 80, 80 }, generator: gen, device: device);
        using var rois = RandomRois(512, 320, 16, 256, gen, device);
        var timings = new List<Timing>();
        foreach (int ratio in new[] { 2, 0 })
        {
            timings.Add(Time($"roi_align 512 RoIs C256 80x80 -> 7x7 fwd, sampling {ratio}", repeats, () =>
            {
                using var scope = NewDisposeScope();
                using var _ = no_grad();
                RoiAlign.Forward(feats, rois, 7, 7, 0.25, ratio);
            }));
            timings.Add(Time($"roi_align 512 RoIs C256 80x80 -> 14x14 fwd+bwd, sampling {ratio}", repeats, () =>
            {
                using var scope = NewDisposeScope();
                var x = feats.detach().requires_grad_(true);
                RoiAlign.Forward(x, rois, 14, 14, 0.25, ratio).sum().backward();
            }));
        }
        // the device-agnostic path (tensor-op sampling + COO sparse product) on the same inputs, for comparison
        timings.Add(Time("roi_align 7x7 fwd, sampling 2, tensor-op path", repeats, () =>
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            RoiAlign.Forward(feats, rois, 7, 7, 0.25, 2, cpuKernel: false);
        }));
        timings.Add(Time("roi_align 14x14 fwd+bwd, sampling 2, tensor-op path", repeats, () =>
        {
            using var scope = NewDisposeScope();
            var x = feats.detach().requires_grad_(true);
            RoiAlign.Forward(x, rois, 14, 14, 0.25, 2, cpuKernel: false).sum().backward();
        }));
        using var boxes = RandomRois(2000, 400, 8, 120, gen, device)[.., 1..].contiguous();
        using var scores = rand(new long[] { 2000 }, generator: gen, device: device);
        long kept = Nms.Apply(boxes, scores, 0.7).shape[0];
        timings.Add(Time($"nms 2000 boxes IoU 0.7 (keeps {kept})", repeats, () => Nms.Apply(boxes, scores, 0.7).Dispose()));
        timings.Add(Time("nms 2000 boxes, IoU-matrix path", repeats, () => Nms.Apply(boxes, scores, 0.7, hostLoop: false).Dispose()));
        return timings;
    }

    /// <summary>[k, 5] RoIs (batch 0) with sides uniform in [minSize, maxSize] inside a square image.</summary>
    static Tensor RandomRois(int k, float image, float minSize, float maxSize, Generator gen, Device device)
    {
        using var scope = NewDisposeScope();
        using var span = (maxSize - minSize).ToScalar();
        using var min = minSize.ToScalar();
        using var side = image.ToScalar();
        using var half = 0.5f.ToScalar();
        using var zero = 0f.ToScalar();
        using var one = 1f.ToScalar();
        var wh = rand(new long[] { k, 2 }, generator: gen, device: device).mul(span).add(min, one);
        var xy = rand(new long[] { k, 2 }, generator: gen, device: device).mul(side).sub(wh.mul(half)).clamp_min(zero);
        return cat(new[] { zeros(k, 1, device: device), xy, xy.add(wh, one) }, 1).MoveToOuterDisposeScope();
    }

    static Timing Time(string name, int repeats, Action run)
    {
        run();
        var ms = new double[Math.Max(repeats, 1)];
        for (int i = 0; i < ms.Length; i++)
        {
            var sw = Stopwatch.StartNew();
            run();
            ms[i] = sw.Elapsed.TotalMilliseconds;
        }
        Array.Sort(ms);
        return new Timing(name, ms[ms.Length / 2]);
    }
}
