using MimScale.Dense.Backbone;
using MimScale.Dense.Segmentation;
using MimScale.Models.Runtime;
using MimScale.Models.SwinV2;
using MimScale.Models.Zoo;
using MimScale.Training.Optim;
using MimScale.Training.Schedules;
using MimScale.Training.Steps;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Bench;

/// <summary>UPerNet on a zoo backbone at a crop size: what `bench segment` measures.</summary>
public sealed record SegmentationBenchOptions(string Model = "swinv2-pico", int Batch = 8, int Crop = 64, int? Window = 8, int Channels = 64,
    int AuxChannels = 32, int Classes = 11, int Image = 128, int Stride = 43, int Steps = 10, int Warmup = 2, int Threads = 0);

/// <summary>
/// Images/s and MFU of (1) the real segmentation training step (UPerNet loss with the aux head, backward, AdamW with the
/// layer-decay groups, through <see cref="TrainStep"/>) on random crops, and (2) sliding-window inference
/// (<see cref="SlidingWindow.Slide"/>, eval, no grad) over square images of side <c>Image</c> with the crop and stride.
/// FLOPs: <see cref="UPerNetCost"/> x 2 per MAC; training = 3 x forward; sliding = forward per crop x crops.
/// </summary>
public static class SegmentationBenchmark
{
    public static void Run(SegmentationBenchOptions o, TextWriter output)
    {
        bool flushed = DenormalFlush.Enable();
        if (o.Threads > 0) torch.set_num_threads(o.Threads);
        var gen = new Generator(0);
        var options = ModelZoo.Get(o.Model).Finetune with { NumClasses = 0, ImgSize = new[] { o.Crop, o.Crop }, PretrainedWindowSizes = new int[4] };
        if (o.Window is int w) options = options with { WindowSize = w };
        var head = new UPerNetOptions(o.Classes, o.Channels, o.AuxChannels);
        var model = new UPerNet(new DenseBackbone(options.Validate(), gen), head, gen);
        output.WriteLine($"bench segment: UPerNet {o.Channels} ch (aux {o.AuxChannels}) on {o.Model} crop={o.Crop} window={options.WindowSize} classes={o.Classes} " +
                         $"threads={torch.get_num_threads()} flush_denormal={(flushed ? "on" : "off")}");

        // (1) training step
        model.train();
        var images = torch.randn(new long[] { o.Batch, 3, o.Crop, o.Crop }, generator: gen);
        var labels = torch.randint(0, o.Classes, new long[] { o.Batch, o.Crop, o.Crop }, generator: gen);
        var optimizer = new AdamW(SegmentationModel.ParameterGroupsOf(model, 0.05, 0.9));
        var step = new TrainStep(optimizer, 0);
        var micro = new Func<Tensor>[] { () => model.Loss(images, labels) };
        var constant = StepSchedule.Constant(1e-4);
        double trainFlops = 3 * 2 * UPerNetCost.Macs(options, head, o.Crop, o.Crop, withAux: true);

        // (2) sliding-window inference over Image x Image
        var image = torch.randn(new long[] { 1, 3, o.Image, o.Image }, generator: gen);
        int crops = SlidingWindow.Grid(o.Image, o.Image, o.Crop, o.Crop, o.Stride, o.Stride).Count;
        double slideFlops = crops * 2 * UPerNetCost.Macs(options, head, o.Crop, o.Crop, withAux: false);
        output.WriteLine($"  slide: {o.Image}x{o.Image} images, crop {o.Crop}, stride {o.Stride}: {crops} crops per image");

        // Both timed between the two peak measurements (the better counts, as in `bench train`), then reported.
        var timed = new List<(string Name, int Batch, double Seconds, double FlopsPerImage)>();
        var (peak, before, after) = ModelBenchmark.PeakAround(() =>
        {
            timed.Add(("train", o.Batch, ModelBenchmark.Time(o.Steps, o.Warmup, () => step.Run(micro, constant, 0)), trainFlops));
            model.eval();
            timed.Add(("slide", 1, ModelBenchmark.Time(o.Steps, o.Warmup, () =>
            {
                using var _ = torch.no_grad();
                using var s = NewDisposeScope();
                SlidingWindow.Slide(model.EncodeDecode, image, o.Classes, o.Crop, o.Crop, o.Stride, o.Stride);
            }), slideFlops));
        });
        foreach (var (name, batch, seconds, flopsPerImage) in timed)
        {
            double ips = batch * o.Steps / seconds, achieved = ips * flopsPerImage;
            output.WriteLine($"  {name}: batch={batch} steps={o.Steps} (after {o.Warmup} warm-up) step_ms={1000 * seconds / o.Steps:F1} images/s={ips:F2} " +
                             $"GFLOP/image={flopsPerImage / 1e9:F4} achieved GFLOP/s={achieved / 1e9:F2} MFU={100 * achieved / peak:F1}%");
        }
        output.WriteLine($"  matmul peak GFLOP/s={peak / 1e9:F2} (before {before / 1e9:F2}, after {after / 1e9:F2}; the better counts)");
    }
}
