using System.Globalization;
using MimScale.Data.Loading;
using MimScale.Models.SimMim;
using MimScale.Models.Zoo;
using MimScale.Training.Distributed;
using MimScale.Training.Inference;
using MimScale.Training.Optim;
using MimScale.Training.Runs;
using MimScale.Training.Schedules;
using MimScale.Training.Steps;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Training.Pretraining;

/// <summary>How a segment of training ended.</summary>
public sealed record SegmentResult(string RunDir, long Step, double? LastTrainLoss, double? LastValLoss, double WallSeconds, long NonFiniteSkipped);

/// <summary>
/// One SimMIM pre-training run, or one segment of it (a shared trunk, or a branch continuing from a trunk snapshot):
/// build everything from the config, resume from the run folder's newest checkpoint if there is one, train
/// iterations [start, end) with the given schedule, and record losses, reconstructions and checkpoints.
/// A resumed run continues exactly: model, optimiser moments, drop-path generator, data-stream position and the
/// open logging interval are all in the checkpoint.
/// Data-parallel: each rank of <c>collectives</c> trains on its interleaved shard of every global batch
/// (<c>batch_size</c> / ranks samples), <see cref="TrainStep"/> averages the gradients, validation is sharded and
/// summed, and rank 0 alone writes the folder; the result equals one process with the same global batch.
/// </summary>
public sealed class PretrainRun
{
    private readonly PretrainConfig config;
    private readonly string runDir;
    private readonly TextWriter log;

    private readonly StepSchedule schedule;
    private readonly ICollectives collectives;
    private readonly Device device;

    /// <param name="config">The resolved pre-training config.</param>
    /// <param name="runDir">The run folder (checkpoints, metrics, run.yaml).</param>
    /// <param name="log">Progress lines.</param>
    /// <param name="trunk">A shared trunk: trains at the base rate without decay (its branches decay).</param>
    /// <param name="collectives">The ranks of a data-parallel job (default: this process alone).</param>
    /// <param name="device">Where the model trains (default CPU; see <see cref="DevicePlacement"/>).</param>
    public PretrainRun(PretrainConfig config, string runDir, TextWriter log, bool trunk = false, ICollectives? collectives = null, Device? device = null)
    {
        this.device = device ?? torch.CPU;
        this.config = config.Validate();
        this.runDir = runDir;
        this.log = log;
        schedule = this.config.Schedule(trunk);
        this.collectives = collectives ?? SingleProcess.Instance;
    }

    /// <summary>SHA-256 (first 16 hex) of the resolved config: identifies what a run folder holds.</summary>
    public static string ConfigHash(PretrainConfig c) =>
        RunSession.HashOf(PretrainConfigYaml.Resolved(c));

    /// <param name="end">Iterations completed when this call returns.</param>
    /// <param name="pinned">Steps whose checkpoints are kept forever (branch points).</param>
    /// <param name="initFrom">Start from this checkpoint (a trunk snapshot) when the run folder has none of its own.</param>
    /// <param name="ct">Cancels the run between steps.</param>
    public SegmentResult Execute(long end, IReadOnlyCollection<long>? pinned = null, CheckpointEntry? initFrom = null,
        CancellationToken ct = default)
    {
        pinned ??= Array.Empty<long>();
        bool root = collectives.IsRoot;
        int rankBatch = DataParallel.PerRankBatch(config.BatchSize, collectives.WorldSize);
        string hash = ConfigHash(config);
        if (root)
        {
            Directory.CreateDirectory(runDir);
            RunSession.GuardConfig(runDir, hash, () => PretrainConfigYaml.Resolved(config,
                new Dictionary<string, object?> { ["config_hash"] = hash, ["schedule"] = schedule.Describe() }));
        }
        if (config.Threads > 0) torch.set_num_threads(config.Threads);

        var options = config.ModelOptions();
        var data = PretrainData.Build(config, options);
        if (root)
        {
            data.TrainManifest?.Save(Path.Combine(runDir, "manifest.txt"));
            TrainingSources.RecordValidation(runDir, data.ValManifest);
        }
        var generator = new Generator(config.Seed);        // init + stochastic depth stream
        var model = new SimMimModel(options, generator);
        DataParallel.ShardStochasticDepth(model, collectives);
        if (device.type != DeviceType.CPU) model.to(device);   // before the optimiser groups take the parameters
        model.train();
        var named = model.named_parameters().Select(p => (p.name, p.parameter)).ToList();
        var optimizer = new AdamW(ParameterGroups.Pretraining(named, config.WeightDecay, config.OfficialWeightDecayQuirk));
        var step = new TrainStep(optimizer, config.ClipGrad, collectives);
        var session = new RunSession("pretrain", runDir, hash, log, optimizer, generator, config.KeepCheckpoints, config.MaxNonFiniteSteps,
            config.TotalBatch, tensorboard: true, writer: root);
        session.Resume(model, initFrom);
        DataParallel.BroadcastWeights(model, collectives);
        var metrics = session.Metrics;

        var validation = data.Val is null ? null : new ValidationLoss(data.Val, data.ValTransform!, Math.Max(config.BatchSize, 64), config.Workers, collectives);
        // Decode threads sized against torch's (issue 17: 8 workers on 2 cores logged half the bench step's images/s).
        var loaderOptions = new LoaderOptions
        {
            BatchSize = rankBatch, Seed = config.Seed, Shuffle = true, DropLast = true,
            Rank = collectives.Rank, WorldSize = collectives.WorldSize, Workers = config.Workers,
        }.Feeding(device);
        using var loader = new SimMimLoader(data.Train, data.Transform, loaderOptions, new LoaderPosition(session.State.LoaderEpoch, session.State.LoaderBatch));
        var panels = new ReconstructionPanels(model, data, config.ReconImages);
        double trainFlops = ModelCost.SimMimTrainingFlops(options.Encoder, options.EncoderStride);
        log.WriteLine($"pretrain: {config.Model} on {data.Train.Description} ({data.Train.Count} images), steps {session.State.Step}->{end}, batch {config.TotalBatch}, lr {config.ScaledLr:G4}");
        log.WriteLine($"pretrain: torch threads {torch.get_num_threads()}, loader threads {loaderOptions.Workers} (workers {config.Workers}){(loaderOptions.IdlePriority ? " at idle priority" : "")}, {Environment.ProcessorCount} cores");

        double? lastTrain = null, lastVal = null;
        var phases = new PhaseClock();   // waiting for data / inside steps / the rest, per logging interval
        for (long k = session.State.Step; k < end; k++)
        {
            collectives.ThrowIfCancelledOnAnyRank(ct);   // all ranks stop at the same step (a study worker's rank 0 may lose its trunk)
            var micro = new List<Func<Tensor>>();
            var batches = new List<SimMimBatch>();
            for (int a = 0; a < config.Accumulation; a++)
            {
                var batch = phases.Data(loader.Next) ?? throw new InvalidOperationException("the training stream ended");
                batches.Add(batch);
                micro.Add(() => model.forward(batch.Images.On(device), batch.Masks.On(device)));
            }
            double lr = schedule.Rate(k);
            var outcome = phases.Step(() => step.Run(micro, schedule, k));
            foreach (var b in batches) b.Dispose();
            session.Record(k, outcome);

            long done = k + 1;
            if ((done % config.LogInterval == 0 || done == end) && session.CloseInterval(done, end) is { } s && root)
            {
                lastTrain = s.MeanLoss;
                var p = phases.Take();
                metrics.Append(done, new[] { ("train_loss", s.MeanLoss), ("lr", lr), ("grad_norm", outcome.GradNorm), ("images_per_s", s.ImagesPerSecond), ("rss_mb", s.RssMb),
                    ("data_wait_s", p.DataSeconds), ("step_s", p.StepSeconds), ("other_s", p.OtherSeconds(s.Seconds)) }, "train");
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"step {done}/{end} | loss {s.MeanLoss:F4} | lr {lr:G3} | {s.ImagesPerSecond:F2} img/s | {s.ImagesPerSecond * trainFlops / 1e9:F1} GFLOP/s | data {p.DataSeconds:F2} s step {p.StepSeconds:F1} s other {p.OtherSeconds(s.Seconds):F2} s | rss {s.RssMb:F0} MB | ETA {s.Eta:hh\\:mm\\:ss}"));
            }
            if (validation is not null && (done % config.EvalInterval == 0 || done == end))
            {
                lastVal = validation.Evaluate(model);
                if (root) metrics.Append(done, new[] { ("val_loss", lastVal.Value) }, "val");
                log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {done}/{end} | val_loss {lastVal:F4} ({validation.Count} images)"));
            }
            if (root && ((config.ReconInterval > 0 && done % config.ReconInterval == 0) || done == end))
                panels.Write(Path.Combine(runDir, "reconstructions", $"step-{done:D8}"));
            bool pin = pinned.Contains(done);
            if (done % config.CheckpointInterval == 0 || done == end || pin)
                session.Checkpoint(done, model, loader.Position, pin);
        }
        if (root) BadImageList.Keep(runDir, loader.BadImages, "pretrain", log);   // rank 0's shard only (the others write nothing)
        if (collectives.WorldSize > 1 && session.State.Step > 0)
        {
            var (sumTime, sumBytes) = collectives.TensorSumTotals;
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"data-parallel: {collectives.WorldSize} ranks; gradient all-reduce {sumTime.TotalSeconds:F2} s ({sumBytes / 1e6:F0} MB) of {phases.StepTotal.TotalSeconds:F2} s in steps ({100 * sumTime / phases.StepTotal:F1}%, rank 0)"));
        }
        collectives.Barrier();   // the last checkpoint is on disk before any rank goes on (a branch reads its trunk's)
        // A run that was already finished ran no step now: its numbers are the ones it logged.
        if (root)
        {
            lastTrain ??= MetricsLog.Last(metrics.Path, "train_loss");
            lastVal ??= MetricsLog.Last(metrics.Path, "val_loss");
        }
        return new SegmentResult(runDir, end, lastTrain, lastVal, session.ElapsedSeconds, session.State.NonFiniteTotal);
    }
}
