using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MimScale.Data.Loading;
using MimScale.Models.Checkpoints;
using MimScale.Models.SimMim;
using MimScale.Models.Zoo;
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
/// </summary>
public sealed class PretrainRun
{
    private readonly PretrainConfig config;
    private readonly string runDir;
    private readonly TextWriter log;

    public PretrainRun(PretrainConfig config, string runDir, TextWriter log)
    {
        this.config = config.Validate();
        this.runDir = runDir;
        this.log = log;
    }

    /// <summary>SHA-256 (first 16 hex) of the resolved config: identifies what a run folder holds.</summary>
    public static string ConfigHash(PretrainConfig c) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(PretrainConfigYaml.Resolved(c))))[..16].ToLowerInvariant();

    /// <param name="schedule">Learning rate per iteration (already batch-scaled).</param>
    /// <param name="end">Iterations completed when this call returns.</param>
    /// <param name="pinned">Steps whose checkpoints are kept forever (branch points).</param>
    /// <param name="initFrom">Start from this checkpoint (a trunk snapshot) when the run folder has none of its own.</param>
    public SegmentResult Execute(StepSchedule schedule, long end, IReadOnlyCollection<long>? pinned = null, CheckpointEntry? initFrom = null,
        CancellationToken ct = default)
    {
        pinned ??= Array.Empty<long>();
        Directory.CreateDirectory(runDir);
        string hash = ConfigHash(config);
        GuardConfig(hash);
        if (config.Threads > 0) torch.set_num_threads(config.Threads);

        var options = config.ModelOptions();
        var data = PretrainData.Build(config, options);
        data.TrainManifest?.Save(Path.Combine(runDir, "manifest.txt"));
        var generator = new Generator(config.Seed);        // init + stochastic depth stream
        var model = new SimMimModel(options, generator);
        model.train();
        var named = model.named_parameters().Select(p => (p.name, p.parameter)).ToList();
        var optimizer = new AdamW(ParameterGroups.Pretraining(named, config.WeightDecay, config.OfficialWeightDecayQuirk));
        var step = new TrainStep(optimizer, config.ClipGrad);
        var store = new CheckpointStore(runDir, config.KeepCheckpoints);
        var metrics = new MetricsLog(runDir, tensorboard: true);

        var state = new TrainingState { ConfigHash = hash };
        var resumeFrom = store.Latest() ?? initFrom;
        if (resumeFrom is not null)
        {
            state = Restore(resumeFrom, model, optimizer, generator);
            if (resumeFrom == initFrom) state = state with { ConfigHash = hash };
            log.WriteLine($"pretrain: {(resumeFrom == initFrom ? "branching from" : "resuming from")} {resumeFrom.Directory} at step {state.Step}");
            metrics.TruncateAfter(state.Step);
        }
        else if (File.Exists(metrics.Path)) File.Delete(metrics.Path);
        store.Prune();

        var validation = data.Val is null ? null : new ValidationLoss(data.Val, data.ValTransform!, Math.Max(config.BatchSize, 64), config.Workers);
        var loaderOptions = new LoaderOptions { BatchSize = config.BatchSize, Workers = config.Workers, Seed = config.Seed, Shuffle = true, DropLast = true };
        using var loader = new SimMimLoader(data.Train, data.Transform, loaderOptions, new LoaderPosition(state.LoaderEpoch, state.LoaderBatch));
        var panels = new ReconstructionPanels(model, data, config.ReconImages);
        double trainFlops = ModelCost.SimMimTrainingFlops(options.Encoder, options.EncoderStride) * config.TotalBatch;
        log.WriteLine($"pretrain: {config.Model} on {data.Train.Description} ({data.Train.Count} images), steps {state.Step}->{end}, batch {config.TotalBatch}, lr {config.ScaledLr:G4}");

        var clock = Stopwatch.StartNew();
        double elapsedBefore = state.ElapsedSeconds;
        long firstStep = state.Step;
        double lossSum = state.IntervalLossSum; int lossCount = state.IntervalCount;
        double? lastTrain = null, lastVal = null;
        for (long k = state.Step; k < end; k++)
        {
            ct.ThrowIfCancellationRequested();
            var micro = new List<Func<Tensor>>();
            var batches = new List<SimMimBatch>();
            for (int a = 0; a < config.Accumulation; a++)
            {
                var batch = loader.Next() ?? throw new InvalidOperationException("the training stream ended");
                batches.Add(batch);
                micro.Add(() => model.forward(batch.Images, batch.Masks));
            }
            double lr = schedule.ForIteration(k);
            var outcome = step.Run(micro, lr);
            foreach (var b in batches) b.Dispose();

            if (outcome.Applied)
            {
                state = state with { NonFiniteInARow = 0 };
                lossSum += outcome.Loss; lossCount++;
            }
            else
            {
                state = state with { NonFiniteInARow = state.NonFiniteInARow + 1, NonFiniteTotal = state.NonFiniteTotal + 1 };
                log.WriteLine($"pretrain: step {k}: non-finite loss {outcome.Loss} or gradient norm {outcome.GradNorm}; update skipped ({state.NonFiniteInARow} in a row)");
                metrics.Append(k + 1, new[] { ("loss", outcome.Loss), ("grad_norm", outcome.GradNorm) }, "skipped");
                if (state.NonFiniteInARow >= config.MaxNonFiniteSteps)
                    throw new NonFiniteTrainingException(
                        $"{runDir}: {state.NonFiniteInARow} non-finite steps in a row at step {k + 1}; stopped. The last good checkpoint is kept: {store.Latest()?.Directory ?? "(none)"}");
            }
            long done = k + 1;
            if (done % config.LogInterval == 0 || done == end)
            {
                if (lossCount > 0)
                {
                    lastTrain = lossSum / lossCount;
                    double secs = clock.Elapsed.TotalSeconds;
                    double ips = (done - firstStep) * config.TotalBatch / Math.Max(secs, 1e-9);
                    var eta = TimeSpan.FromSeconds((end - done) * config.TotalBatch / Math.Max(ips, 1e-9));
                    // Batches come through large managed arrays (LOH) that only a full collection returns; collect at
                    // each log line so resident memory stays flat instead of growing until the GC decides to.
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    double rssMb = Environment.WorkingSet / 1e6;   // resident memory: must stay flat over a run
                    metrics.Append(done, new[] { ("train_loss", lastTrain.Value), ("lr", lr), ("grad_norm", outcome.GradNorm), ("images_per_s", ips), ("rss_mb", rssMb) }, "train");
                    log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"step {done}/{end} | loss {lastTrain:F4} | lr {lr:G3} | {ips:F1} img/s | {ips * trainFlops / config.TotalBatch / 1e9:F1} GFLOP/s | rss {rssMb:F0} MB | ETA {eta:hh\\:mm\\:ss}"));
                }
                lossSum = 0; lossCount = 0;
            }
            if (validation is not null && (done % config.EvalInterval == 0 || done == end))
            {
                lastVal = validation.Evaluate(model);
                metrics.Append(done, new[] { ("val_loss", lastVal.Value) }, "val");
                log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {done}/{end} | val_loss {lastVal:F4} ({validation.Count} images)"));
            }
            if ((config.ReconInterval > 0 && done % config.ReconInterval == 0) || done == end)
                panels.Write(Path.Combine(runDir, "reconstructions", $"step-{done:D8}"));
            bool pin = pinned.Contains(done);
            if (done % config.CheckpointInterval == 0 || done == end || pin)
            {
                using var stateScope = NewDisposeScope();
                state = state with
                {
                    Step = done, OptimizerSteps = optimizer.StepCount, LoaderEpoch = loader.Position.Epoch, LoaderBatch = loader.Position.BatchIndex,
                    DropPathGenerator = Convert.ToBase64String(generator.get_state().data<byte>().ToArray()),
                    ElapsedSeconds = elapsedBefore + clock.Elapsed.TotalSeconds, IntervalLossSum = lossSum, IntervalCount = lossCount,
                };
                using var saveScope = NewDisposeScope();
                var (moments, _) = optimizer.Export();
                store.Save(done, model.state_dict(), moments, state, pin);
            }
        }
        if (loader.BadImages.Count > 0) log.WriteLine($"pretrain: {loader.BadImages}");
        return new SegmentResult(runDir, end, lastTrain, lastVal, elapsedBefore + clock.Elapsed.TotalSeconds, state.NonFiniteTotal);
    }

    // A run folder belongs to one resolved config: refuse to continue or overwrite one that differs.
    void GuardConfig(string hash)
    {
        string path = Path.Combine(runDir, "config.resolved.json");
        string resolved = PretrainConfigYaml.Resolved(config, new Dictionary<string, object?> { ["config_hash"] = hash });
        if (File.Exists(path))
        {
            string existing = File.ReadAllText(path);
            if (!existing.Contains($"\"config_hash\": \"{hash}\"", StringComparison.Ordinal))
                throw new InvalidOperationException($"{runDir} holds a run with a different config; use a new output folder (or delete it)");
            return;
        }
        File.WriteAllText(path + ".tmp", resolved);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    static TrainingState Restore(CheckpointEntry entry, SimMimModel model, AdamW optimizer, Generator generator)
    {
        ModelWeights.Load(model, entry.ModelFile);
        var state = TrainingState.FromJson(File.ReadAllText(entry.StateFile), entry.StateFile);
        var moments = TensorFiles.Read(entry.OptimizerFile);
        optimizer.Import(moments, state.OptimizerSteps);
        foreach (var t in moments.Values) t.Dispose();
        if (state.DropPathGenerator.Length > 0)
            generator.set_state(torch.tensor(Convert.FromBase64String(state.DropPathGenerator), ScalarType.Byte));
        return state;
    }
}

/// <summary>Training stopped because too many consecutive steps were not finite.</summary>
public sealed class NonFiniteTrainingException(string message) : Exception(message);
