using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MimScale.Data.Loading;
using MimScale.Dense.Backbone;
using MimScale.Dense.Coco;
using MimScale.Dense.Detection.Data;
using MimScale.Dense.Detection.Model;
using MimScale.Files;
using MimScale.Training.Runs;
using MimScale.Training.Schedules;
using MimScale.Training.Steps;
using TorchSharp;
using static TorchSharp.torch;
using AdamW = MimScale.Training.Optim.AdamW;

namespace MimScale.Dense.Detection.Training;

/// <summary>How a detection run ended: the last evaluation's COCO box and mask numbers and the measured speeds.</summary>
public sealed record DetectionResult(string RunDir, long Step, long TotalIterations, CocoStats? Box, CocoStats? Mask, double? LastTrainLoss,
    double WallSeconds, long NonFiniteSkipped, string StartedFrom, double? TrainImagesPerSecond, double? InferenceImagesPerSecond);

/// <summary>
/// One Mask R-CNN run, built like fine-tuning's <c>FinetuneRun</c> on the shared run machinery: the backbone from the
/// zoo at the detection size with pre-trained weights through <see cref="DenseBackbone.FromPretrained"/> (window
/// transfer) or from scratch; the heads of <see cref="MaskRcnn"/>; AdamW with mmdet's Swin groups
/// (<see cref="DetectionParameterGroups"/>) and the linear warm-up + multi-step schedule (<see cref="MultiStepSchedule"/>);
/// <see cref="TrainStep"/> (clipping, non-finite guard); <see cref="RunSession"/> (config guard, exact resume,
/// checkpoints with the sampler/drop-path generator and the data position, metrics JSONL); box and mask AP on the
/// validation set (<see cref="CocoEvaluator"/>) every eval interval and at the end; RUN/result.json,
/// RUN/results.json (COCO results of the last evaluation), RUN/stats-bbox.json and RUN/stats-segm.json.
/// </summary>
public sealed class DetectionRun
{
    private readonly DetectionConfig config;
    private readonly string runDir;
    private readonly TextWriter log;

    public DetectionRun(DetectionConfig config, string runDir, TextWriter log)
    {
        this.config = config.Validate();
        this.runDir = runDir;
        this.log = log;
    }

    /// <summary>SHA-256 (first 16 hex) of the config: identifies what a run folder holds.</summary>
    public static string ConfigHash(DetectionConfig c) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(DetectionConfigYaml.ToYaml(c))))[..16].ToLowerInvariant();

    /// <summary>The model of a config for <paramref name="numClasses"/> classes, with its starting backbone weights.</summary>
    public static (MaskRcnn Model, string Loaded) Build(DetectionConfig config, int numClasses, Generator? generator)
    {
        var (backbone, report) = DenseBackbone.FromPretrained(config.BackboneOptions(), config.IsScratch ? null : config.Pretrained,
            config.PretrainedWindowSizes, generator);
        return (new MaskRcnn(backbone, config.HeadOptions(numClasses), generator), report?.ToString() ?? "from random initialisation (scratch)");
    }

    /// <summary>The configured normalisation (Fashion-MNIST's statistics unless mean and std are given).</summary>
    public static DetectionTransform Transform(DetectionConfig c) =>
        new(c.Size, TrainingSources.NormalizationFor("fashion-mnist", c.Mean, c.Std), c.JitterMin, c.JitterMax, c.FlipProbability);

    public DetectionResult Execute(CancellationToken ct = default)
    {
        Directory.CreateDirectory(runDir);
        string hash = ConfigHash(config);
        if (config.Threads > 0) torch.set_num_threads(config.Threads);
        var (trainAnn, trainImg, valAnn, valImg) = config.DataPaths();
        var train = DetectionDataset.Load(trainAnn, trainImg);
        var val = DetectionDataset.Load(valAnn, valImg);
        if (!train.CategoryIds.SequenceEqual(val.CategoryIds))
            throw new InvalidDataException($"{trainAnn} and {valAnn} must list the same categories in the same order");
        // mmdet filter_cfg filter_empty_gt: training uses images with at least one (non-crowd) instance.
        var trainImages = train.Images.Where(i => i.Labels.Length > 0).ToList();
        var transform = Transform(config);
        var loaderProbe = new DetectionLoader(trainImages, transform, config.BatchSize, config.Seed, LoaderPosition.Start);
        long perEpoch = loaderProbe.BatchesPerEpoch, total = config.Epochs * perEpoch;
        var schedule = new MultiStepSchedule(config.BaseLr, config.WarmupIterations, perEpoch, config.MilestoneEpochs, config.WarmupStartFactor).Validate();
        long evalEvery = config.EvalInterval > 0 ? config.EvalInterval : total;
        long checkpointEvery = config.CheckpointInterval > 0 ? config.CheckpointInterval : perEpoch;

        var generator = new Generator(config.Seed);        // init, drop path, RPN and R-CNN sampling; checkpointed
        var (model, loaded) = Build(config, train.ClassNames.Count, generator);
        using var _ = model;
        model.train();
        var derived = new Dictionary<string, object?>
        {
            ["config_hash"] = hash, ["backbone"] = model.Backbone.Options, ["heads"] = model.Options, ["level_strides"] = model.LevelStrides,
            ["train_images"] = trainImages.Count, ["iterations_per_epoch"] = perEpoch, ["total_iterations"] = total,
            ["schedule"] = schedule.Describe(), ["eval_every"] = evalEvery, ["checkpoint_every"] = checkpointEvery, ["classes"] = train.ClassNames,
        };
        RunSession.GuardConfig(runDir, hash, () => DetectionConfigYaml.Resolved(config, derived));

        var named = model.named_parameters().Select(p => (p.name, p.parameter)).ToList();
        var optimizer = new AdamW(DetectionParameterGroups.Build(named, config.WeightDecay));   // betas (0.9, 0.999), eps 1e-8 [S]
        var step = new TrainStep(optimizer, config.ClipGrad);
        var session = new RunSession("detect", runDir, hash, log, optimizer, generator, config.KeepCheckpoints, config.MaxNonFiniteSteps,
            config.BatchSize, tensorboard: false);
        if (session.Resume(model) is null) log.WriteLine($"detect: backbone {loaded}");
        var loader = new DetectionLoader(trainImages, transform, config.BatchSize, config.Seed,
            new LoaderPosition(session.State.LoaderEpoch, session.State.LoaderBatch));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"detect: Mask R-CNN on {config.Model} {config.Size}px w{model.Backbone.Options.WindowSize} (levels {string.Join("/", model.LevelStrides)}), " +
            $"{trainImages.Count} training images, {val.Images.Count} validation, {config.Epochs} epochs x {perEpoch} = {total} iterations, batch {config.BatchSize}, lr {config.BaseLr:G3}"));

        double? lastTrain = null, trainIps = null, inferIps = null;
        CocoStats? box = null, mask = null;
        var metrics = session.Metrics;
        for (long k = session.State.Step; k < total; k++)
        {
            ct.ThrowIfCancellationRequested();
            (string Name, double Value)[] parts = Array.Empty<(string, double)>();
            using (var batch = loader.Next())
            {
                var outcome = step.Run(new Func<Tensor>[]
                {
                    () =>
                    {
                        var losses = model.Loss(batch.Images, batch.Truths, batch.ImageHws, generator);
                        parts = losses.Values();
                        return losses.Total();
                    },
                }, schedule, k);
                session.Record(k, outcome);
            }
            long done = k + 1;
            if ((done % config.LogInterval == 0 || done == total) && session.CloseInterval(done, total) is { } s)
            {
                (lastTrain, trainIps) = (s.MeanLoss, s.ImagesPerSecond);
                metrics.Append(done, new[] { ("train_loss", s.MeanLoss), ("lr", schedule.Rate(k)), ("images_per_s", s.ImagesPerSecond), ("rss_mb", s.RssMb) }
                    .Concat(parts).ToArray(), "train");
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"step {done}/{total} | loss {s.MeanLoss:F4} | {string.Join(" ", parts.Select(p => $"{p.Name[5..]} {p.Value:F4}"))} | lr {schedule.Rate(k):G3} | {s.ImagesPerSecond:F2} img/s | rss {s.RssMb:F0} MB"));
            }
            if (done % evalEvery == 0 || done == total)
            {
                (box, mask, inferIps) = Evaluate(model, val, transform, done);
                metrics.Append(done, new[] { ("box_ap", box.AP), ("box_ap50", box.AP50), ("mask_ap", mask.AP), ("mask_ap50", mask.AP50),
                    ("inference_images_per_s", inferIps.Value) }, "val");
            }
            if (done % checkpointEvery == 0 || done == total) session.Checkpoint(done, model, loader.Position);
        }
        if (box is null && File.Exists(Path.Combine(runDir, "stats-bbox.json")))
        {
            box = CocoStats.ReadJson(Path.Combine(runDir, "stats-bbox.json"));
            mask = CocoStats.ReadJson(Path.Combine(runDir, "stats-segm.json"));
        }
        var result = new DetectionResult(runDir, total, total, box, mask, lastTrain, session.ElapsedSeconds, session.State.NonFiniteTotal,
            config.IsScratch ? "scratch" : config.Pretrained!, trainIps, inferIps);
        AtomicFile.WriteAllText(Path.Combine(runDir, "result.json"), JsonSerializer.Serialize(result, new JsonSerializerOptions
        {
            WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        }));
        return result;
    }

    (CocoStats Box, CocoStats Mask, double Ips) Evaluate(MaskRcnn model, DetectionDataset val, DetectionTransform transform, long done)
    {
        var output = DetectionInference.Run(model, val, transform);
        CocoResults.Write(output.Detections, Path.Combine(runDir, "results.json"));
        var box = CocoEvaluator.Evaluate(val.Coco, output.Detections, CocoIouType.Bbox).Stats;
        var mask = CocoEvaluator.Evaluate(val.Coco, output.Detections, CocoIouType.Segm).Stats;
        box.WriteJson(Path.Combine(runDir, "stats-bbox.json"));
        mask.WriteJson(Path.Combine(runDir, "stats-segm.json"));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"eval {done} | box AP {100 * box.AP:F2} AP50 {100 * box.AP50:F2} | mask AP {100 * mask.AP:F2} AP50 {100 * mask.AP50:F2} | {output.Detections.Count} detections on {output.Images} images, {output.ImagesPerSecond:F2} img/s"));
        return (box, mask, output.ImagesPerSecond);
    }
}
