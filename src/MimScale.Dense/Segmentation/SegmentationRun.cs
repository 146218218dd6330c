using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MimScale.Data.Loading;
using MimScale.Files;
using MimScale.Training.Optim;
using MimScale.Training.Runs;
using MimScale.Training.Steps;
using TorchSharp;
using static TorchSharp.torch;
using AdamW = MimScale.Training.Optim.AdamW;

namespace MimScale.Dense.Segmentation;

/// <summary>How a segmentation run ended: the last evaluation (mmseg IoUMetric on the validation split).</summary>
public sealed record SegmentationResult(string RunDir, long Step, SegmentationMetrics? Metrics, double? LastTrainLoss, double WallSeconds,
    long NonFiniteSkipped, string StartedFrom);

/// <summary>
/// One UPerNet training run on a data set in the ADE20K layout, on the run machinery every MimScale run shares
/// (<see cref="RunSession"/>: config guard, exact resume, non-finite policy, atomic checkpoints, metrics.jsonl) and
/// the one training step (<see cref="TrainStep"/>). AdamW with layer-wise lr decay and no decay on norms, biases and
/// position tables (<see cref="ParameterGroups.Finetuning"/> over the backbone's official names; the heads and the
/// new output norms are the top layer), warm-up then poly decay per iteration (<see cref="PolySchedule"/>), the
/// paper's transforms (<see cref="SegmentationAugment"/>), mIoU on the validation split every eval_interval and at
/// the end (<see cref="SegmentationPredictor.Evaluate"/>), RUN/val_metrics.json and RUN/result.json at the end.
/// </summary>
public sealed class SegmentationRun
{
    private readonly SegmentationConfig config;
    private readonly string runDir;
    private readonly TextWriter log;

    public SegmentationRun(SegmentationConfig config, string runDir, TextWriter log)
    {
        this.config = config.Validate();
        this.runDir = runDir;
        this.log = log;
    }

    /// <summary>SHA-256 (first 16 hex) of the resolved config.</summary>
    public static string ConfigHash(SegmentationConfig c) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(SegmentationConfigYaml.Resolved(c))))[..16].ToLowerInvariant();

    public SegmentationResult Execute(CancellationToken ct = default)
    {
        Directory.CreateDirectory(runDir);
        string hash = ConfigHash(config);
        if (config.Threads > 0) torch.set_num_threads(config.Threads);
        var train = Ade20kLayout.Open(config.DataRoot, SegmentationSplit.Training, config.NumClasses, config.ReduceZeroLabel);
        var val = Ade20kLayout.Open(config.DataRoot, SegmentationSplit.Validation, config.NumClasses, config.ReduceZeroLabel);
        var stream = new SegmentationStream(train, config.Augment(), config.Norm(), config.Seed, config.BatchSize, config.Accumulation, config.Workers);
        var schedule = config.Schedule();
        long total = config.Iterations;

        var generator = new Generator(config.Seed);      // head init, fresh backbone weights, drop path and dropout masks
        var (model, report, spec) = SegmentationModel.Build(config, generator);
        var derived = new Dictionary<string, object?>
        {
            ["backbone"] = spec.Backbone, ["iterations_per_epoch"] = stream.IterationsPerEpoch, ["train_images"] = train.Samples.Count,
            ["val_images"] = val.Samples.Count, ["config_hash"] = hash,
        };
        RunSession.GuardConfig(runDir, hash, () => SegmentationConfigYaml.Resolved(config, derived));
        spec.Save(runDir);
        model.train();

        var groups = SegmentationModel.ParameterGroupsOf(model, config.WeightDecay, config.LayerDecay);
        var optimizer = new AdamW(groups);
        var step = new TrainStep(optimizer, config.ClipGrad);
        var session = new RunSession("segment", runDir, hash, log, optimizer, generator, config.KeepCheckpoints, config.MaxNonFiniteSteps,
            config.TotalBatch, tensorboard: false);
        var started = session.Resume(model);
        if (started is null)
            log.WriteLine(report is null ? "segment: backbone from random initialisation (scratch)" : $"segment: {report}");
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"segment: UPerNet ({config.Channels} ch, aux {config.AuxChannels}) on {config.Model} {spec.Backbone.ImgSize[0]}px w{spec.Backbone.WindowSize} " +
            $"pretrained windows [{string.Join(",", spec.Backbone.PretrainedWindowSizes)}]; {train.Samples.Count} training images, {config.NumClasses} classes; " +
            $"{total} iterations (warm-up {config.WarmupIterations}), batch {config.TotalBatch}, lr {config.Lr:G4}, layer decay {config.LayerDecay}"));

        double? lastTrain = null;
        SegmentationMetrics? last = null;
        var settings = config.Inference();
        for (long k = session.State.Step; k < total; k++)
        {
            ct.ThrowIfCancellationRequested();
            var batches = Enumerable.Range(0, config.Accumulation).Select(a => stream.Batch(k, a)).ToList();
            var micro = batches.Select(b => (Func<Tensor>)(() => model.Loss(b.Images, b.Labels))).ToList();
            var outcome = step.Run(micro, schedule, k);   // group i trains at schedule.Rate(k, LrScale_i) = At(k, lr x LrScale_i)
            foreach (var (images, labels) in batches) { images.Dispose(); labels.Dispose(); }
            session.Record(k, outcome);

            long done = k + 1;
            if ((done % config.LogInterval == 0 || done == total) && session.CloseInterval(done, total) is { } s)
            {
                lastTrain = s.MeanLoss;
                session.Metrics.Append(done, new[] { ("train_loss", s.MeanLoss), ("lr", schedule.At(k)), ("grad_norm", outcome.GradNorm),
                    ("images_per_s", s.ImagesPerSecond), ("rss_mb", s.RssMb) }, "train");
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"step {done}/{total} | loss {s.MeanLoss:F4} | lr {schedule.At(k):G3} | {s.ImagesPerSecond:F1} img/s | rss {s.RssMb:F0} MB | ETA {s.Eta:hh\\:mm\\:ss}"));
            }
            if ((config.EvalInterval > 0 && done % config.EvalInterval == 0) || done == total)
            {
                last = SegmentationPredictor.Evaluate(model, val, settings, spec.Norm, config.ValImages);
                session.Metrics.Append(done, new[] { ("mIoU", last.MIoU ?? double.NaN), ("aAcc", last.AAcc ?? double.NaN), ("mAcc", last.MAcc ?? double.NaN) }, "val");
                log.WriteLine($"step {done}/{total} | {last.Summary()}");
            }
            if (done % config.CheckpointInterval == 0 || done == total)
            {
                var (epoch, batch) = stream.Position(done);
                session.Checkpoint(done, model, new LoaderPosition(epoch, batch));
            }
        }
        // A run resumed after its last step has no new evaluation: evaluate the final weights (deterministic) again.
        last ??= SegmentationPredictor.Evaluate(model, val, settings, spec.Norm, config.ValImages);
        last.WriteJson(Path.Combine(runDir, "val_metrics.json"), config.ReduceZeroLabel);
        var result = new SegmentationResult(runDir, total, last, lastTrain, session.ElapsedSeconds, session.State.NonFiniteTotal,
            config.IsScratch ? "scratch" : config.Pretrained!);
        AtomicFile.WriteAllText(Path.Combine(runDir, "result.json"), JsonSerializer.Serialize(result, new JsonSerializerOptions
        {
            WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        }));
        return result;
    }
}
