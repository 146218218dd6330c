using System.Globalization;
using MimScale.Data.Loading;
using MimScale.Models.TensorFiles;
using MimScale.Training.Optim;
using MimScale.Training.Runs;
using MimScale.Training.Steps;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Dense.Segmentation;

/// <summary>How a segmentation run ended: the last evaluation (mmseg IoUMetric on the validation split).</summary>
public sealed record SegmentationResult(string RunDir, long Step, SegmentationMetrics? Metrics, double? LastTrainLoss, double WallSeconds,
    long NonFiniteSkipped, string StartedFrom) : IRunResult
{
    public string Outcome() => Metrics?.Summary() ?? "no evaluation";
}

/// <summary>
/// One UPerNet training run on a data set in the ADE20K layout, on the run loop every supervised MimScale run shares
/// (<see cref="SupervisedRun{TResult}"/> over <see cref="RunSession"/>: config guard, exact resume, non-finite policy,
/// atomic checkpoints, metrics.jsonl, result.json) and the one training step (<see cref="TrainStep"/>). AdamW with
/// layer-wise lr decay and no decay on norms, biases and position tables (<see cref="ParameterGroups.Finetuning"/> over
/// the backbone's official names; the heads and the new output norms are the top layer), warm-up then poly decay per
/// iteration (<see cref="PolySchedule"/>), the paper's transforms (<see cref="SegmentationAugment"/>), mIoU on the
/// validation split every eval_interval and at the end (<see cref="SegmentationPredictor.Evaluate"/>),
/// RUN/val_metrics.json and RUN/result.json at the end.
/// </summary>
public sealed class SegmentationRun : SupervisedRun<SegmentationResult>
{
    private readonly SegmentationConfig config;
    // Built by Build (a run executes once).
    private Ade20kLayout val = null!;
    private SegmentationStream stream = null!;
    private UPerNet model = null!;
    private WeightLoadReport? report;
    private SegmentationModelSpec spec = null!;
    private int trainImages;
    private SegmentationMetrics? last;

    public SegmentationRun(SegmentationConfig config, string runDir, TextWriter log) : base(runDir, log)
    {
        this.config = config.Validate();
    }

    /// <summary>SHA-256 (first 16 hex) of the resolved config.</summary>
    public static string ConfigHash(SegmentationConfig c) => RunSession.HashOf(SegmentationConfigYaml.Resolved(c));

    protected override LoopSettings Settings => new("segment", config.Seed, config.Threads, config.ClipGrad, config.KeepCheckpoints,
        config.MaxNonFiniteSteps, config.TotalBatch, config.LogInterval);

    protected override string RunHash => ConfigHash(config);

    protected override RunPlan Build(Generator generator)
    {
        var train = Ade20kLayout.Open(config.DataRoot, SegmentationSplit.Training, config.NumClasses, config.ReduceZeroLabel);
        val = Ade20kLayout.Open(config.DataRoot, SegmentationSplit.Validation, config.NumClasses, config.ReduceZeroLabel);
        trainImages = train.Samples.Count;
        stream = new SegmentationStream(train, config.Augment(), config.Norm(), config.Seed, config.BatchSize, config.Accumulation, config.Workers);
        (model, report, spec) = SegmentationModel.Build(config, generator);   // head init, fresh backbone weights, drop path and dropout masks
        var derived = new Dictionary<string, object?>
        {
            ["backbone"] = spec.Backbone, ["iterations_per_epoch"] = stream.IterationsPerEpoch, ["train_images"] = trainImages,
            ["val_images"] = val.Samples.Count, ["config_hash"] = RunHash,
        };
        // group i trains at schedule.Rate(k, LrScale_i) = At(k, lr x LrScale_i)
        return new RunPlan(model, config.Schedule(), config.Iterations, config.EvalInterval, config.CheckpointInterval,
            () => SegmentationConfigYaml.Resolved(config, derived));
    }

    protected override void RecordInputs() => spec.Save(RunDir);

    protected override IReadOnlyList<ParameterGroup> OptimizerGroups(nn.Module placed) =>
        SegmentationModel.ParameterGroupsOf(model, config.WeightDecay, config.LayerDecay);

    protected override IDisposable? Start(RunSession session, CheckpointEntry? resumedFrom)
    {
        if (resumedFrom is null)
            Log.WriteLine(report is null ? "segment: backbone from random initialisation (scratch)" : $"segment: {report}");
        Log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"segment: UPerNet ({config.Channels} ch, aux {config.AuxChannels}) on {config.Model} {spec.Backbone.ImgSize[0]}px w{spec.Backbone.WindowSize} " +
            $"pretrained windows [{string.Join(",", spec.Backbone.PretrainedWindowSizes)}]; {trainImages} training images, {config.NumClasses} classes; " +
            $"{config.Iterations} iterations (warm-up {config.WarmupIterations}), batch {config.TotalBatch}, lr {config.Lr:G4}, layer decay {config.LayerDecay}"));
        return null;   // the stream is a pure function of the iteration: nothing to release
    }

    protected override MicroBatches Batches(long k)
    {
        var batches = Enumerable.Range(0, config.Accumulation).Select(a => stream.Batch(k, a)).ToList();
        return new MicroBatches(batches.Select(b => (Func<Tensor>)(() => model.Loss(b.Images, b.Labels))).ToList(),
            batches.SelectMany(b => new IDisposable[] { b.Images, b.Labels }).ToList());
    }

    protected override void Evaluate(MetricsLog metrics, long done)
    {
        last = SegmentationPredictor.Evaluate(model, val, config.Inference(), spec.Norm, config.ValImages);
        metrics.Append(done, new[] { ("mIoU", last.MIoU ?? double.NaN), ("aAcc", last.AAcc ?? double.NaN), ("mAcc", last.MAcc ?? double.NaN) }, "val");
        Log.WriteLine($"step {done}/{config.Iterations} | {last.Summary()}");
    }

    protected override LoaderPosition Position(long done)
    {
        var (epoch, batch) = stream.Position(done);
        return new LoaderPosition(epoch, batch);
    }

    protected override SegmentationResult Finish(RunSession session, double? lastTrainLoss)
    {
        // A run resumed after its last step has no new evaluation: evaluate the final weights (deterministic) again.
        last ??= SegmentationPredictor.Evaluate(model, val, config.Inference(), spec.Norm, config.ValImages);
        last.WriteJson(Path.Combine(RunDir, "val_metrics.json"), config.ReduceZeroLabel);
        return new SegmentationResult(RunDir, config.Iterations, last, lastTrainLoss, session.ElapsedSeconds, session.State.NonFiniteTotal,
            config.IsScratch ? "scratch" : config.Pretrained!);
    }
}
