using System.Globalization;
using MimScale.Data.Loading;
using MimScale.Dense.Backbone;
using MimScale.Dense.Coco;
using MimScale.Dense.Detection.Data;
using MimScale.Dense.Detection.Model;
using MimScale.Training.Optim;
using MimScale.Training.Runs;
using MimScale.Training.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Dense.Detection.Training;

/// <summary>How a detection run ended: the last evaluation's COCO box and mask numbers and the measured speeds.</summary>
public sealed record DetectionResult(string RunDir, long Step, long TotalIterations, CocoStats? Box, CocoStats? Mask, double? LastTrainLoss,
    double WallSeconds, long NonFiniteSkipped, string StartedFrom, double? TrainImagesPerSecond, double? InferenceImagesPerSecond) : IRunResult
{
    public string Outcome() => string.Create(CultureInfo.InvariantCulture,
        $"box AP {100 * (Box?.AP ?? double.NaN):F2} (AP50 {100 * (Box?.AP50 ?? double.NaN):F2}), mask AP {100 * (Mask?.AP ?? double.NaN):F2} (AP50 {100 * (Mask?.AP50 ?? double.NaN):F2})");
}

/// <summary>
/// One Mask R-CNN run on the run loop fine-tuning and segmentation share (<see cref="SupervisedRun{TResult}"/>: config
/// guard, exact resume, checkpoints with the sampler/drop-path generator and the data position, metrics JSONL,
/// non-finite policy, result.json): the backbone from the zoo at the detection size with pre-trained weights through
/// <see cref="DenseBackbone.FromPretrained"/> (window transfer) or from scratch; the heads of <see cref="MaskRcnn"/>;
/// AdamW with mmdet's Swin groups (<see cref="DetectionParameterGroups"/>) and the linear warm-up + multi-step schedule
/// (<see cref="MultiStepSchedule"/>); <see cref="MimScale.Training.Steps.TrainStep"/> (clipping, non-finite guard); box and mask AP on the
/// validation set (<see cref="CocoEvaluator"/>) every eval interval and at the end; RUN/result.json, RUN/results.json
/// (COCO results of the last evaluation), RUN/stats-bbox.json and RUN/stats-segm.json.
/// </summary>
public sealed class DetectionRun : SupervisedRun<DetectionResult>
{
    private readonly DetectionConfig config;
    // Built by Build and Start (a run executes once).
    private DetectionDataset val = null!;
    private List<DetectionImage> trainImages = null!;
    private DetectionTransform transform = null!;
    private MaskRcnn model = null!;
    private string loaded = "";
    private DetectionLoader loader = null!;
    private Generator generator = null!;
    private long perEpoch, total;
    private (string Name, double Value)[] parts = Array.Empty<(string, double)>();   // the last step's loss terms
    private double? trainIps, inferIps;
    private CocoStats? box, mask;

    public DetectionRun(DetectionConfig config, string runDir, TextWriter log) : base(runDir, log)
    {
        this.config = config.Validate();
    }

    /// <summary>SHA-256 (first 16 hex) of the config: identifies what a run folder holds.</summary>
    public static string ConfigHash(DetectionConfig c) => RunSession.HashOf(DetectionConfigYaml.ToYaml(c));

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

    protected override LoopSettings Settings => new("detect", config.Seed, config.Threads, config.ClipGrad, config.KeepCheckpoints,
        config.MaxNonFiniteSteps, config.BatchSize, config.LogInterval);

    protected override string RunHash => ConfigHash(config);

    protected override RunPlan Build(Generator generator)
    {
        this.generator = generator;   // init, drop path, RPN and R-CNN sampling; checkpointed
        var (trainAnn, trainImg, valAnn, valImg) = config.DataPaths();
        var train = DetectionDataset.Load(trainAnn, trainImg);
        val = DetectionDataset.Load(valAnn, valImg);
        if (!train.CategoryIds.SequenceEqual(val.CategoryIds))
            throw new InvalidDataException($"{trainAnn} and {valAnn} must list the same categories in the same order");
        // mmdet filter_cfg filter_empty_gt: training uses images with at least one (non-crowd) instance.
        trainImages = train.Images.Where(i => i.Labels.Length > 0).ToList();
        transform = Transform(config);
        perEpoch = new DetectionLoader(trainImages, transform, config.BatchSize, config.Seed, LoaderPosition.Start).BatchesPerEpoch;
        total = config.Epochs * perEpoch;
        var schedule = new MultiStepSchedule(config.BaseLr, config.WarmupIterations, perEpoch, config.MilestoneEpochs, config.WarmupStartFactor).Validate();
        long evalEvery = config.EvalInterval > 0 ? config.EvalInterval : total;
        long checkpointEvery = config.CheckpointInterval > 0 ? config.CheckpointInterval : perEpoch;
        (model, loaded) = Build(config, train.ClassNames.Count, generator);
        var derived = new Dictionary<string, object?>
        {
            ["config_hash"] = RunHash, ["backbone"] = model.Backbone.Options, ["heads"] = model.Options, ["level_strides"] = model.LevelStrides,
            ["train_images"] = trainImages.Count, ["iterations_per_epoch"] = perEpoch, ["total_iterations"] = total,
            ["schedule"] = schedule.Describe(), ["eval_every"] = evalEvery, ["checkpoint_every"] = checkpointEvery, ["classes"] = train.ClassNames,
        };
        return new RunPlan(model, schedule, total, evalEvery, checkpointEvery, () => DetectionConfigYaml.Resolved(config, derived));
    }

    // betas (0.9, 0.999), eps 1e-8 [S]
    protected override IReadOnlyList<ParameterGroup> OptimizerGroups(nn.Module placed) =>
        DetectionParameterGroups.Build(placed.named_parameters().Select(p => (p.name, p.parameter)).ToList(), config.WeightDecay);

    protected override IDisposable? Start(RunSession session, CheckpointEntry? resumedFrom)
    {
        if (resumedFrom is null) Log.WriteLine($"detect: backbone {loaded}");
        loader = new DetectionLoader(trainImages, transform, config.BatchSize, config.Seed, new LoaderPosition(session.State.LoaderEpoch, session.State.LoaderBatch));
        Log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"detect: Mask R-CNN on {config.Model} {config.Size}px w{model.Backbone.Options.WindowSize} (levels {string.Join("/", model.LevelStrides)}), " +
            $"{trainImages.Count} training images, {val.Images.Count} validation, {config.Epochs} epochs x {perEpoch} = {total} iterations, batch {config.BatchSize}, lr {config.BaseLr:G3}"));
        return null;   // the loader makes each batch on demand: nothing to release
    }

    protected override MicroBatches Batches(long k)
    {
        var batch = loader.Next();
        Func<Tensor> loss = () =>
        {
            var losses = model.Loss(batch.Images, batch.Truths, batch.ImageHws, generator);
            parts = losses.Values();
            return losses.Total();
        };
        return new MicroBatches(new[] { loss }, new[] { batch });
    }

    // Detection's line names its loss terms and leaves out the gradient norm and the ETA.
    protected override void LogTraining(MetricsLog metrics, long done, long total, IntervalSummary s, double gradNorm, double lr)
    {
        trainIps = s.ImagesPerSecond;
        metrics.Append(done, new[] { ("train_loss", s.MeanLoss), ("lr", lr), ("images_per_s", s.ImagesPerSecond), ("rss_mb", s.RssMb) }
            .Concat(parts).ToArray(), "train");
        Log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"step {done}/{total} | loss {s.MeanLoss:F4} | {string.Join(" ", parts.Select(p => $"{p.Name[5..]} {p.Value:F4}"))} | lr {lr:G3} | {s.ImagesPerSecond:F2} img/s | rss {s.RssMb:F0} MB"));
    }

    protected override void Evaluate(MetricsLog metrics, long done)
    {
        var output = DetectionInference.Run(model, val, transform);
        CocoResults.Write(output.Detections, Path.Combine(RunDir, "results.json"));
        box = CocoEvaluator.Evaluate(val.Coco, output.Detections, CocoIouType.Bbox).Stats;
        mask = CocoEvaluator.Evaluate(val.Coco, output.Detections, CocoIouType.Segm).Stats;
        box.WriteJson(Path.Combine(RunDir, "stats-bbox.json"));
        mask.WriteJson(Path.Combine(RunDir, "stats-segm.json"));
        inferIps = output.ImagesPerSecond;
        Log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"eval {done} | box AP {100 * box.AP:F2} AP50 {100 * box.AP50:F2} | mask AP {100 * mask.AP:F2} AP50 {100 * mask.AP50:F2} | {output.Detections.Count} detections on {output.Images} images, {output.ImagesPerSecond:F2} img/s"));
        metrics.Append(done, new[] { ("box_ap", box.AP), ("box_ap50", box.AP50), ("mask_ap", mask.AP), ("mask_ap50", mask.AP50),
            ("inference_images_per_s", output.ImagesPerSecond) }, "val");
    }

    protected override LoaderPosition Position(long done) => loader.Position;

    protected override DetectionResult Finish(RunSession session, double? lastTrainLoss)
    {
        // A run resumed after its last step has no new evaluation: report the one on record.
        if (box is null && File.Exists(Path.Combine(RunDir, "stats-bbox.json")))
        {
            box = CocoStats.ReadJson(Path.Combine(RunDir, "stats-bbox.json"));
            mask = CocoStats.ReadJson(Path.Combine(RunDir, "stats-segm.json"));
        }
        return new DetectionResult(RunDir, total, total, box, mask, lastTrainLoss, session.ElapsedSeconds, session.State.NonFiniteTotal,
            config.IsScratch ? "scratch" : config.Pretrained!, trainIps, inferIps);
    }
}
