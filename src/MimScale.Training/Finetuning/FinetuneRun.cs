using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MimScale.Data.Loading;
using MimScale.Models.TensorFiles;
using MimScale.Models.SwinV2;
using MimScale.Training.Distributed;
using MimScale.Training.Evaluation;
using MimScale.Training.Optim;
using MimScale.Training.Pretraining;
using MimScale.Training.Runs;
using MimScale.Training.Schedules;
using MimScale.Training.Steps;
using TorchSharp;
using static TorchSharp.torch;
using AdamW = MimScale.Training.Optim.AdamW;
using MimScale.Files;

namespace MimScale.Training.Finetuning;

/// <summary>How a fine-tuning run ended. The paper reports the best top-1 over evaluations (official 'Max accuracy').</summary>
public sealed record FinetuneResult(string RunDir, long Step, long TotalIterations, double BestTop1, long BestStep, ClassificationResult? Last,
    double? LastTrainLoss, double WallSeconds, long NonFiniteSkipped, string StartedFrom);

/// <summary>
/// One fine-tuning run (SPEC §5), built like <see cref="PretrainRun"/> and on the same parts: the classifier at the
/// fine-tuning resolution/window with pretrained_window_sizes from the pre-trained encoder and a fresh head; AdamW
/// with layer-wise lr decay (<see cref="ParameterGroups.Finetuning"/>, applied by <see cref="CosineSchedule.Rate"/>); warm-up + cosine per
/// iteration (<see cref="CosineSchedule"/>); <see cref="TrainStep"/> (accumulation, clipping 5.0, non-finite guard);
/// label-smoothing or soft-target cross-entropy; evaluation every epoch (top-1, top-5, mean per class; best and last
/// kept, the best weights exported to RUN/best/model.safetensors); atomic checkpoints with full state, exact resume,
/// metrics JSONL; RUN/result.json at the end.
/// Data-parallel like <see cref="PretrainRun"/> (shards of each global batch, averaged gradients, rank 0 writes and
/// evaluates while the others wait at the next step). With Mixup/CutMix on, each rank mixes pairs within its own
/// shard (as the official DDP recipe does), so only runs without them equal one process exactly.
/// </summary>
public sealed class FinetuneRun
{
    private readonly FinetuneConfig config;
    private readonly string runDir;
    private readonly TextWriter log;
    private readonly ICollectives collectives;
    private readonly Device device;

    /// <param name="collectives">The ranks of a data-parallel job (default: this process alone).</param>
    /// <param name="device">Where the model trains (default CPU; see <see cref="DevicePlacement"/>).</param>
    public FinetuneRun(FinetuneConfig config, string runDir, TextWriter log, ICollectives? collectives = null, Device? device = null)
    {
        this.device = device ?? torch.CPU;
        this.config = config.Validate();
        this.runDir = runDir;
        this.log = log;
        this.collectives = collectives ?? SingleProcess.Instance;
    }

    /// <summary>SHA-256 (first 16 hex) of the resolved config: identifies what a run folder holds.</summary>
    public static string ConfigHash(FinetuneConfig c) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(FinetuneConfigYaml.Resolved(c))))[..16].ToLowerInvariant();

    /// <summary>Updates per epoch: full batches of the (drop-last) training stream per optimiser update.</summary>
    public static long IterationsPerEpoch(FinetuneConfig c, int trainImages) => trainImages / c.BatchSize / c.Accumulation;

    public FinetuneResult Execute(CancellationToken ct = default)
    {
        bool root = collectives.IsRoot;
        int rankBatch = DataParallel.PerRankBatch(config.BatchSize, collectives.WorldSize);
        if (root) Directory.CreateDirectory(runDir);
        string hash = ConfigHash(config);
        if (config.Threads > 0) torch.set_num_threads(config.Threads);

        var weights = PretrainedWeights.Resolve(config.IsScratch ? null : config.Pretrained);
        var data = FinetuneData.Build(config, config.ModelOptions(config.NumClasses ?? 10).ImgSize[0]);
        var options = weights.Adapt(config.ModelOptions(data.NumClasses), config.PretrainedWindowSizes);
        long perEpoch = IterationsPerEpoch(config, data.Train.Count);
        if (perEpoch <= 0) throw new ArgumentException($"{data.Train.Description}: {data.Train.Count} images give no full update of {config.TotalBatch}");
        long total = config.Epochs * perEpoch, warmup = (long)Math.Floor(config.WarmupEpochs * perEpoch);
        var schedule = new CosineSchedule(config.ScaledLr, config.ScaledWarmupLr, config.ScaledMinLr, warmup, total, config.WarmupPrefix).Validate();
        long evalEvery = config.EvalInterval > 0 ? config.EvalInterval : perEpoch;
        var derived = new Dictionary<string, object?>
        {
            ["pretrained_file"] = weights.CheckpointFile, ["model"] = options, ["iterations_per_epoch"] = perEpoch,
            ["total_iterations"] = total, ["warmup_iterations"] = warmup, ["eval_every"] = evalEvery, ["num_classes"] = data.NumClasses,
            ["config_hash"] = hash,
        };
        if (root)
        {
            RunSession.GuardConfig(runDir, hash, () => FinetuneConfigYaml.Resolved(config, derived));
            data.TrainManifest?.Save(Path.Combine(runDir, "manifest.txt"));
            TrainingSources.RecordValidation(runDir, data.ValManifest);
        }

        var generator = new Generator(config.Seed);        // init of the head (and any fresh weight) + stochastic depth
        var (model, report) = weights.Build(options, generator);
        DataParallel.ShardStochasticDepth(model, collectives);
        if (device.type != DeviceType.CPU) model.to(device);   // before the optimiser groups take the parameters
        model.train();
        var named = model.named_parameters().Select(p => (p.name, p.parameter)).ToList();
        // Layer-wise decay: each group's LrScale scales the schedule's peak rate (CosineSchedule.Rate).
        var optimizer = new AdamW(ParameterGroups.Finetuning(named, options.Depths, config.WeightDecay, config.LayerDecay));
        var step = new TrainStep(optimizer, config.ClipGrad, collectives);
        var session = new RunSession("finetune", runDir, hash, log, optimizer, generator, config.KeepCheckpoints, config.MaxNonFiniteSteps,
            config.TotalBatch, tensorboard: false, writer: root);
        var metrics = session.Metrics;
        double bestTop1 = double.NegativeInfinity; long bestStep = 0;
        var resumedFrom = session.Resume(model);
        DataParallel.BroadcastWeights(model, collectives);
        if (resumedFrom is not null)
        {
            foreach (var r in MetricsLog.Read(metrics.Path).Where(r => r.Kind == "val" && r.Values.ContainsKey("top1")))
                if (r.Values["top1"] > bestTop1) (bestTop1, bestStep) = (r.Values["top1"], r.Step);
        }
        else
        {
            log.WriteLine(report is null ? "finetune: from random initialisation (scratch)" : $"finetune: {report}");
            if (report is not null) log.WriteLine($"finetune: pretrained_window_sizes [{string.Join(",", options.PretrainedWindowSizes)}] from {weights.CheckpointFile}");
        }

        var loaderOptions = new LoaderOptions
        {
            BatchSize = rankBatch, Workers = config.Workers, Seed = config.Seed, Shuffle = true, DropLast = true,
            Rank = collectives.Rank, WorldSize = collectives.WorldSize
        };
        using var loader = new FineTuneLoader(data.Train, data.Transform, loaderOptions, config.MixupOptions(), new LoaderPosition(session.State.LoaderEpoch, session.State.LoaderBatch));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"finetune: {config.Model} {options.ImgSize[0]}px w{options.WindowSize} on {data.Train.Description} ({data.Train.Count} images, {data.NumClasses} classes), " +
            $"{config.Epochs} epochs x {perEpoch} = {total} iterations (warm-up {warmup}), batch {config.TotalBatch}, lr {config.ScaledLr:G4}, layer decay {config.LayerDecay}, " +
            $"{(config.UsesMixup ? "mixup/cutmix soft targets" : $"label smoothing {config.LabelSmoothing}")}"));

        double? lastTrain = null;
        ClassificationResult? last = null;
        for (long k = session.State.Step; k < total; k++)
        {
            ct.ThrowIfCancellationRequested();
            var micro = new List<Func<Tensor>>();
            var batches = new List<FineTuneBatch>();
            for (int a = 0; a < config.Accumulation; a++)
            {
                var batch = loader.Next() ?? throw new InvalidOperationException("the training stream ended");
                batches.Add(batch);
                micro.Add(() => ClassificationLoss.For(model.forward(batch.Images.On(device)), batch.Labels.On(device), batch.Targets?.On(device), config.LabelSmoothing));
            }
            var outcome = step.Run(micro, schedule, k);
            foreach (var b in batches) b.Dispose();
            session.Record(k, outcome);

            long done = k + 1;
            if ((done % config.LogInterval == 0 || done == total) && session.CloseInterval(done, total) is { } s && root)
            {
                lastTrain = s.MeanLoss;
                metrics.Append(done, new[] { ("train_loss", s.MeanLoss), ("lr", schedule.Rate(k)), ("grad_norm", outcome.GradNorm), ("images_per_s", s.ImagesPerSecond), ("rss_mb", s.RssMb) }, "train");
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"step {done}/{total} | loss {s.MeanLoss:F4} | lr {schedule.Rate(k):G3} | {s.ImagesPerSecond:F1} img/s | rss {s.RssMb:F0} MB | ETA {s.Eta:hh\\:mm\\:ss}"));
            }
            if (root && (done % evalEvery == 0 || done == total))
            {
                last = ClassifierEvaluator.Evaluate(model, data.Val, data.EvalTransform, data.NumClasses, config.EvalBatchSize, config.Workers);
                if (last.Top1 > bestTop1)
                {
                    (bestTop1, bestStep) = (last.Top1, done);
                    ModelWeights.Export(model, Path.Combine(runDir, "best", "model.safetensors"),
                        new Dictionary<string, string> { ["step"] = done.ToString(CultureInfo.InvariantCulture), ["top1"] = last.Top1.ToString("R", CultureInfo.InvariantCulture) });
                }
                metrics.Append(done, new[] { ("top1", last.Top1), ("top5", last.Top5), ("mean_per_class", last.MeanPerClass), ("val_loss", last.Loss),
                    ("epoch", (double)done / perEpoch), ("best_top1", bestTop1) }, "val");
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"step {done}/{total} | epoch {(double)done / perEpoch:F2} | top1 {100 * last.Top1:F2} | top5 {100 * last.Top5:F2} | mean/class {100 * last.MeanPerClass:F2} | best {100 * bestTop1:F2} ({last.Count} images)"));
                session.Checkpoint(done, model, loader.Position);
            }
        }
        if (!root)
        {
            collectives.Barrier();   // rank 0's last evaluation and result are written before any rank returns
            return new FinetuneResult(runDir, total, total, double.NaN, 0, null, null, session.ElapsedSeconds, session.State.NonFiniteTotal,
                weights.CheckpointFile ?? "scratch");
        }
        BadImageList.Keep(runDir, loader.BadImages, "finetune", log);
        // A run resumed after its last step has no new evaluation: report the one on record.
        last ??= LastRecorded(metrics.Path);
        var result = new FinetuneResult(runDir, total, total, bestTop1, bestStep, last, lastTrain, session.ElapsedSeconds,
            session.State.NonFiniteTotal, weights.CheckpointFile ?? "scratch");
        WriteResult(result);
        collectives.Barrier();
        return result;
    }

    static ClassificationResult? LastRecorded(string path)
    {
        var r = MetricsLog.Read(path).LastOrDefault(r => r.Kind == "val");
        if (r.Values is null) return null;
        double V(string k) => r.Values.TryGetValue(k, out var v) ? v : double.NaN;
        return new ClassificationResult(V("top1"), V("top5"), V("mean_per_class"), V("val_loss"), 0);
    }

    void WriteResult(FinetuneResult r)
    {
        string path = Path.Combine(runDir, "result.json");
        var json = JsonSerializer.Serialize(r, new JsonSerializerOptions
        {
            WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals
        });
        AtomicFile.WriteAllText(path, json);
    }
}
