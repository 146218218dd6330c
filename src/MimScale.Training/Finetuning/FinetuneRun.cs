using System.Globalization;
using MimScale.Data.Loading;
using MimScale.Models.SwinV2;
using MimScale.Models.TensorFiles;
using MimScale.Training.Distributed;
using MimScale.Training.Evaluation;
using MimScale.Training.Optim;
using MimScale.Training.Pretraining;
using MimScale.Training.Runs;
using MimScale.Training.Schedules;
using MimScale.Training.Steps;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Training.Finetuning;

/// <summary>How a fine-tuning run ended. The paper reports the best top-1 over evaluations (official 'Max accuracy').</summary>
public sealed record FinetuneResult(string RunDir, long Step, long TotalIterations, double BestTop1, long BestStep, ClassificationResult? Last,
    double? LastTrainLoss, double WallSeconds, long NonFiniteSkipped, string StartedFrom) : IRunResult
{
    public string Outcome() => string.Create(CultureInfo.InvariantCulture,
        $"best top-1 {100 * BestTop1:F2} (step {BestStep}), last top-1 {100 * (Last?.Top1 ?? double.NaN):F2} top-5 {100 * (Last?.Top5 ?? double.NaN):F2} " +
        $"mean/class {100 * (Last?.MeanPerClass ?? double.NaN):F2}");
}

/// <summary>
/// One fine-tuning run (SPEC §5) on the shared run loop (<see cref="SupervisedRun{TResult}"/>: folder, resume,
/// cadence, non-finite policy, result.json) and the same parts as <see cref="PretrainRun"/>: the classifier at the
/// fine-tuning resolution/window with pretrained_window_sizes from the pre-trained encoder and a fresh head; AdamW
/// with layer-wise lr decay (<see cref="ParameterGroups.Finetuning"/>, applied by <see cref="CosineSchedule.Rate"/>); warm-up + cosine per
/// iteration (<see cref="CosineSchedule"/>); <see cref="TrainStep"/> (accumulation, clipping 5.0, non-finite guard);
/// label-smoothing or soft-target cross-entropy; evaluation (and a checkpoint) every epoch (top-1, top-5, mean per
/// class; best and last kept, the best weights exported to RUN/best/model.safetensors); RUN/result.json at the end.
/// Data-parallel like <see cref="PretrainRun"/> (shards of each global batch, averaged gradients, rank 0 writes and
/// evaluates while the others wait at the next step). With Mixup/CutMix on, each rank mixes pairs within its own
/// shard (as the official DDP recipe does), so only runs without them equal one process exactly.
/// </summary>
public sealed class FinetuneRun : SupervisedRun<FinetuneResult>
{
    private readonly FinetuneConfig config;
    // Built by Build and Start (a run executes once).
    private PretrainedWeights weights = null!;
    private FinetuneData data = null!;
    private SwinV2Options options = null!;
    private SwinTransformerV2 model = null!;
    private WeightLoadReport? report;
    private FineTuneLoader loader = null!;
    private long perEpoch, total, warmup;
    private double bestTop1 = double.NegativeInfinity;
    private long bestStep;
    private ClassificationResult? last;

    /// <param name="config">The validated fine-tuning config.</param>
    /// <param name="runDir">The run folder (claimed by the caller).</param>
    /// <param name="log">Progress lines.</param>
    /// <param name="collectives">The ranks of a data-parallel job (default: this process alone).</param>
    /// <param name="device">Where the model trains (default CPU; see <see cref="DevicePlacement"/>).</param>
    public FinetuneRun(FinetuneConfig config, string runDir, TextWriter log, ICollectives? collectives = null, Device? device = null)
        : base(runDir, log, collectives, device)
    {
        this.config = config.Validate();
    }

    /// <summary>SHA-256 (first 16 hex) of the resolved config: identifies what a run folder holds.</summary>
    public static string ConfigHash(FinetuneConfig c) => RunSession.HashOf(FinetuneConfigYaml.Resolved(c));

    /// <summary>Updates per epoch: full batches of the (drop-last) training stream per optimiser update.</summary>
    public static long IterationsPerEpoch(FinetuneConfig c, int trainImages) => trainImages / c.BatchSize / c.Accumulation;

    protected override LoopSettings Settings => new("finetune", config.Seed, config.Threads, config.ClipGrad, config.KeepCheckpoints,
        config.MaxNonFiniteSteps, config.TotalBatch, config.LogInterval);

    protected override string RunHash => ConfigHash(config);

    protected override RunPlan Build(Generator generator)
    {
        weights = PretrainedWeights.Resolve(config.IsScratch ? null : config.Pretrained);
        data = FinetuneData.Build(config, config.ModelOptions(config.NumClasses ?? 10).ImgSize[0]);
        options = weights.Adapt(config.ModelOptions(data.NumClasses), config.PretrainedWindowSizes);
        perEpoch = IterationsPerEpoch(config, data.Train.Count);
        if (perEpoch <= 0) throw new ArgumentException($"{data.Train.Description}: {data.Train.Count} images give no full update of {config.TotalBatch}");
        total = config.Epochs * perEpoch;
        warmup = (long)Math.Floor(config.WarmupEpochs * perEpoch);
        var schedule = new CosineSchedule(config.ScaledLr, config.ScaledWarmupLr, config.ScaledMinLr, warmup, total, config.WarmupPrefix).Validate();
        long evalEvery = config.EvalInterval > 0 ? config.EvalInterval : perEpoch;
        var derived = new Dictionary<string, object?>
        {
            ["pretrained_file"] = weights.CheckpointFile, ["model"] = options, ["iterations_per_epoch"] = perEpoch,
            ["total_iterations"] = total, ["warmup_iterations"] = warmup, ["eval_every"] = evalEvery, ["num_classes"] = data.NumClasses,
            ["config_hash"] = RunHash,
        };
        (model, report) = weights.Build(options, generator);   // the generator: init of the head (and any fresh weight) + stochastic depth
        // Every evaluation is followed by a checkpoint (the best weights and the resume point move together).
        return new RunPlan(model, schedule, total, evalEvery, evalEvery, () => FinetuneConfigYaml.Resolved(config, derived));
    }

    protected override void RecordInputs()
    {
        data.TrainManifest?.Save(Path.Combine(RunDir, "manifest.txt"));
        TrainingSources.RecordValidation(RunDir, data.ValManifest);
    }

    // Layer-wise decay: each group's LrScale scales the schedule's peak rate (CosineSchedule.Rate).
    protected override IReadOnlyList<ParameterGroup> OptimizerGroups(nn.Module placed) =>
        ParameterGroups.Finetuning(placed.named_parameters().Select(p => (p.name, p.parameter)).ToList(), options.Depths, config.WeightDecay, config.LayerDecay);

    protected override IDisposable? Start(RunSession session, CheckpointEntry? resumedFrom)
    {
        if (resumedFrom is not null)
        {
            foreach (var r in MetricsLog.Read(session.Metrics.Path).Where(r => r.Kind == "val" && r.Values.ContainsKey("top1")))
                if (r.Values["top1"] > bestTop1) (bestTop1, bestStep) = (r.Values["top1"], r.Step);
        }
        else
        {
            Log.WriteLine(report is null ? "finetune: from random initialisation (scratch)" : $"finetune: {report}");
            if (report is not null) Log.WriteLine($"finetune: pretrained_window_sizes [{string.Join(",", options.PretrainedWindowSizes)}] from {weights.CheckpointFile}");
        }
        var loaderOptions = new LoaderOptions
        {
            BatchSize = DataParallel.PerRankBatch(config.BatchSize, Collectives.WorldSize), Workers = config.Workers, Seed = config.Seed,
            Shuffle = true, DropLast = true, Rank = Collectives.Rank, WorldSize = Collectives.WorldSize
        }.Feeding(Device);
        loader = new FineTuneLoader(data.Train, data.Transform, loaderOptions, config.MixupOptions(), new LoaderPosition(session.State.LoaderEpoch, session.State.LoaderBatch));
        Log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"finetune: {config.Model} {options.ImgSize[0]}px w{options.WindowSize} on {data.Train.Description} ({data.Train.Count} images, {data.NumClasses} classes), " +
            $"{config.Epochs} epochs x {perEpoch} = {total} iterations (warm-up {warmup}), batch {config.TotalBatch}, " +
            $"lr {config.ScaledLr:G4}, layer decay {config.LayerDecay}, {(config.UsesMixup ? "mixup/cutmix soft targets" : $"label smoothing {config.LabelSmoothing}")}"));
        return loader;
    }

    protected override MicroBatches Batches(long k)
    {
        var losses = new List<Func<Tensor>>();
        var batches = new List<FineTuneBatch>();
        for (int a = 0; a < config.Accumulation; a++)
        {
            var batch = loader.Next() ?? throw new InvalidOperationException("the training stream ended");
            batches.Add(batch);
            losses.Add(() => ClassificationLoss.For(model.forward(batch.Images.On(Device)), batch.Labels.On(Device), batch.Targets?.On(Device), config.LabelSmoothing));
        }
        return new MicroBatches(losses, batches);
    }

    protected override void Evaluate(MetricsLog metrics, long done)
    {
        last = ClassifierEvaluator.Evaluate(model, data.Val, data.EvalTransform, data.NumClasses, config.EvalBatchSize, config.Workers);
        if (last.Top1 > bestTop1)
        {
            (bestTop1, bestStep) = (last.Top1, done);
            ModelWeights.Export(model, Path.Combine(RunDir, "best", "model.safetensors"),
                new Dictionary<string, string> { ["step"] = done.ToString(CultureInfo.InvariantCulture), ["top1"] = last.Top1.ToString("R", CultureInfo.InvariantCulture) });
        }
        metrics.Append(done, new[] { ("top1", last.Top1), ("top5", last.Top5), ("mean_per_class", last.MeanPerClass), ("val_loss", last.Loss),
            ("epoch", (double)done / perEpoch), ("best_top1", bestTop1) }, "val");
        Log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"step {done}/{total} | epoch {(double)done / perEpoch:F2} | top1 {100 * last.Top1:F2} | top5 {100 * last.Top5:F2} | mean/class {100 * last.MeanPerClass:F2} | best {100 * bestTop1:F2} ({last.Count} images)"));
    }

    protected override LoaderPosition Position(long done) => loader.Position;

    protected override FinetuneResult Finish(RunSession session, double? lastTrainLoss)
    {
        string startedFrom = weights.CheckpointFile ?? "scratch";
        if (!IsRoot) return new FinetuneResult(RunDir, total, total, double.NaN, 0, null, null, session.ElapsedSeconds, session.State.NonFiniteTotal, startedFrom);
        BadImageList.Keep(RunDir, loader.BadImages, "finetune", Log);
        // A run resumed after its last step has no new evaluation: report the one on record.
        last ??= LastRecorded(session.Metrics.Path);
        return new FinetuneResult(RunDir, total, total, bestTop1, bestStep, last, lastTrainLoss, session.ElapsedSeconds, session.State.NonFiniteTotal, startedFrom);
    }

    static ClassificationResult? LastRecorded(string path)
    {
        var r = MetricsLog.Read(path).LastOrDefault(r => r.Kind == "val");
        if (r.Values is null) return null;
        double V(string k) => r.Values.TryGetValue(k, out var v) ? v : double.NaN;
        return new ClassificationResult(V("top1"), V("top5"), V("mean_per_class"), V("val_loss"), 0);
    }
}
