using System.Diagnostics;
using MimScale.Data.Loading;
using MimScale.Dense.Detection.Data;
using MimScale.Dense.Detection.Training;
using MimScale.Dense.Scenes;
using MimScale.Models.Runtime;
using MimScale.Models.TensorFiles;
using MimScale.Training.Optim;
using MimScale.Training.Runs;
using MimScale.Training.Schedules;
using MimScale.Training.Steps;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Bench;

/// <summary>What `bench detect` measures.</summary>
/// <param name="Config">A `detect train` config (model, heads, size, batch, sampling, threads); ignored with <paramref name="Run"/>, whose run.yaml is used.</param>
/// <param name="Overrides">`--set key=value` overrides of the config.</param>
/// <param name="Data">A scenes folder (`mimscale data scenes`); null = write <paramref name="Scenes"/> Fashion-MNIST scenes to a temporary folder.</param>
/// <param name="Scenes">Scenes written when <paramref name="Data"/> is null (training and validation, at the config's size).</param>
/// <param name="Run">A `detect train` run folder whose latest weights the inference pass uses (detections as a trained model makes them); null = random heads.</param>
/// <param name="Steps">Timed training steps.</param>
/// <param name="Warmup">Untimed training steps first.</param>
/// <param name="InferImages">Validation images of the inference pass.</param>
public sealed record DetectionBenchOptions(string Config = "configs/detect-scenes-pico.yaml", IReadOnlyList<string>? Overrides = null, string? Data = null,
    int Scenes = 64, string? Run = null, int Steps = 10, int Warmup = 2, int InferImages = 32);

/// <summary>
/// Images/s of (1) the real Mask R-CNN training step as `detect train` runs it (transform with the config's jitter and
/// flip, backbone, FPN, RPN targets and proposals, RoI sampling, box and mask heads, backward, AdamW with mmdet's Swin
/// groups, through <see cref="TrainStep"/>) and (2) the test path of `detect predict` (resize, network, per-class NMS,
/// mask pasting at the original size, RLE) through <see cref="DetectionInference.Run"/>. No MFU: there is no FLOP
/// count for Mask R-CNN (its RoI heads' cost depends on how many proposals and detections survive), so images/s only.
/// </summary>
public static class DetectionBenchmark
{
    public static void Run(DetectionBenchOptions o, TextWriter output)
    {
        bool flushed = DenormalFlush.Enable();
        // With a run, its own config (so its weights fit the model built here).
        var config = DetectionConfigYaml.Load(o.Run is null ? o.Config : Path.Combine(o.Run, "run.yaml"), o.Overrides).Validate();
        if (config.Threads > 0) torch.set_num_threads(config.Threads);
        string? temp = null;
        string root = o.Data ?? (temp = Directory.CreateTempSubdirectory("mimscale-bench-detect-").FullName);
        try
        {
            if (temp is not null)
                SceneDatasetWriter.WriteFashionMnist(temp, o.Scenes, o.Scenes / 2, new SceneOptions(Size: config.Size), 0);
            string ann = Path.Combine(root, "annotations");
            var train = DetectionDataset.Load(Path.Combine(ann, "instances_training.json"), Path.Combine(root, "images", "training"));
            var val = DetectionDataset.Load(Path.Combine(ann, "instances_validation.json"), Path.Combine(root, "images", "validation"));
            var gen = new Generator(0);
            var (model, loaded) = DetectionRun.Build(config with { Pretrained = null }, train.ClassNames.Count, gen);
            output.WriteLine($"bench detect: Mask R-CNN on {config.Model} {config.Size}px (FPN {config.FpnChannels} ch, RPN {config.RpnSamples} anchors, " +
                             $"R-CNN {config.RcnnSamples} RoIs, proposals {config.TrainProposals}/{config.TestProposals}), {train.Images.Count} training / " +
                             $"{val.Images.Count} validation scenes, threads={torch.get_num_threads()} flush_denormal={(flushed ? "on" : "off")}; no FLOP count, images/s only");

            // (1) training step on loader batches (a fresh batch per step, as the run draws them)
            model.train();
            var images = train.Images.Where(i => i.Labels.Length > 0).ToList();
            var transform = DetectionRun.Transform(config);
            var loader = new DetectionLoader(images, transform, config.BatchSize, config.Seed, LoaderPosition.Start);
            var optimizer = new AdamW(DetectionParameterGroups.Build(model.named_parameters().Select(p => (p.name, p.parameter)).ToList(), config.WeightDecay));
            var step = new TrainStep(optimizer, config.ClipGrad);
            var constant = StepSchedule.Constant(config.BaseLr * 0.1);
            var time = Timer(o.Steps, o.Warmup, () =>
            {
                using var batch = loader.Next();
                step.Run(new Func<Tensor>[] { () => model.Loss(batch.Images, batch.Truths, batch.ImageHws, gen).Total() }, constant, 0);
            });
            output.WriteLine($"  train: batch={config.BatchSize} steps={o.Steps} (after {o.Warmup} warm-up) step_ms={1000 * time / o.Steps:F1} " +
                             $"images/s={config.BatchSize * o.Steps / time:F2}");

            // (2) inference over validation scenes, with a trained run's weights when given
            if (o.Run is not null)
            {
                var checkpoint = new CheckpointStore(o.Run, int.MaxValue).Latest() ?? throw new InvalidDataException($"{o.Run}: the run has no checkpoint");
                ModelWeights.Load(model, checkpoint.ModelFile);
                loaded = $"{o.Run} step {checkpoint.Step}";
            }
            else loaded = "random heads after the timed steps";
            var subset = val.Take(o.InferImages);
            DetectionInference.Run(model, val.Take(Math.Min(2, o.InferImages)), transform);   // warm-up
            var result = DetectionInference.Run(model, subset, transform);
            output.WriteLine($"  infer: {result.Images} images, weights {loaded}: {result.Detections.Count / (double)result.Images:F1} detections/image, " +
                             $"{result.Seconds:F2} s, images/s={result.ImagesPerSecond:F2} (transform, network, NMS, mask paste, RLE)");
        }
        finally
        {
            if (temp is not null) Directory.Delete(temp, recursive: true);
        }
    }

    static double Timer(int steps, int warmup, Action step)
    {
        for (int i = 0; i < warmup; i++) step();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) step();
        return sw.Elapsed.TotalSeconds;
    }
}
