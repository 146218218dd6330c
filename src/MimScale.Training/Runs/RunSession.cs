using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using MimScale.Data.Loading;
using MimScale.Files;
using MimScale.Models.TensorFiles;
using MimScale.Training.Optim;
using MimScale.Training.Steps;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Training.Runs;

/// <summary>
/// What one logging interval measured: the mean training loss of its finite steps, images/s over the interval's wall
/// time (everything in it: waiting for data, steps, logging, evaluation, checkpoints), the ETA at that rate, resident
/// memory and the interval's wall seconds.
/// </summary>
public readonly record struct IntervalSummary(double MeanLoss, double ImagesPerSecond, TimeSpan Eta, double RssMb, double Seconds);

/// <summary>
/// The bookkeeping every training run shares, pre-training and fine-tuning alike: the run folder's config guard,
/// resuming model + optimiser moments + drop-path generator + data position + open logging interval from a checkpoint,
/// the non-finite policy (skip, count, stop after N in a row keeping the last good checkpoint), the training-loss
/// interval with throughput, ETA and resident memory, and atomic checkpoints of the full state.
/// The runs keep only what differs: how a batch becomes a loss, and what they evaluate.
/// </summary>
public sealed class RunSession
{
    readonly string name, runDir, configHash;
    readonly TextWriter log;
    readonly AdamW optimizer;
    readonly Generator generator;
    readonly int maxNonFinite;
    readonly long imagesPerStep;
    readonly bool writer;
    readonly Stopwatch clock = new();
    const double TrimEverySeconds = 60;
    double elapsedBefore, lossSum, intervalStart, lastTrim = double.NegativeInfinity;
    int lossCount;
    long intervalStep;

    public CheckpointStore Store { get; }
    public MetricsLog Metrics { get; }
    public TrainingState State { get; private set; }

    /// <param name="name">Prefix of log lines ("pretrain", "finetune").</param>
    /// <param name="runDir">The run folder: checkpoints, metrics.jsonl, tensorboard.</param>
    /// <param name="configHash">Hash of the resolved config, checked against a resumed checkpoint's.</param>
    /// <param name="log">Progress lines.</param>
    /// <param name="optimizer">The optimiser whose state is checkpointed and restored.</param>
    /// <param name="generator">The run's generator (init, drop path, sampling), checkpointed with the weights.</param>
    /// <param name="keepCheckpoints">Periodic checkpoints kept (older ones deleted).</param>
    /// <param name="maxNonFinite">Consecutive non-finite losses after which the run stops.</param>
    /// <param name="tensorboard">Also write TensorBoard event files.</param>
    /// <param name="imagesPerStep">Images per optimiser update (batch x accumulation), for images/s and the ETA.</param>
    /// <param name="writer">False on MPI ranks other than 0: they resume from the same checkpoints but write nothing
    /// (no metrics, pruning or checkpoints; rank 0 does that for the job).</param>
    public RunSession(string name, string runDir, string configHash, TextWriter log, AdamW optimizer, Generator generator,
        int keepCheckpoints, int maxNonFinite, long imagesPerStep, bool tensorboard, bool writer = true)
    {
        this.name = name; this.runDir = runDir; this.configHash = configHash; this.log = log;
        this.optimizer = optimizer; this.generator = generator; this.maxNonFinite = maxNonFinite; this.imagesPerStep = imagesPerStep;
        this.writer = writer;
        Store = new CheckpointStore(runDir, keepCheckpoints);
        Metrics = new MetricsLog(runDir, tensorboard && writer);
        State = new TrainingState { ConfigHash = configHash };
    }

    /// <summary>SHA-256 (first 16 hex, lower case) of a config's text: what identifies the run a folder holds.</summary>
    public static string HashOf(string configText) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(configText)))[..16].ToLowerInvariant();

    /// <summary>
    /// A run folder belongs to one resolved config: writes <c>config.resolved.json</c> (atomically) on first use and
    /// refuses a folder that holds a different one, once that run has a checkpoint (before, there is nothing to lose:
    /// a run that failed before its first step is simply replaced by the corrected one).
    /// </summary>
    public static void GuardConfig(string runDir, string hash, Func<string> resolvedJson)
    {
        string path = Path.Combine(runDir, "config.resolved.json");
        if (File.Exists(path))
        {
            if (File.ReadAllText(path).Contains($"\"config_hash\": \"{hash}\"", StringComparison.Ordinal)) return;
            if (RunFolder.HasCheckpoint(runDir))
                throw new InvalidOperationException($"{runDir} holds a run with a different config; use a new output folder (or delete it)");
        }
        AtomicFile.WriteAllText(path, resolvedJson());
    }

    /// <summary>
    /// Continues from the run folder's newest checkpoint, or else starts from <paramref name="initFrom"/> (a trunk
    /// snapshot another run wrote), or else from scratch; then starts the clock. Returns the checkpoint used, if any.
    /// </summary>
    public CheckpointEntry? Resume(nn.Module model, CheckpointEntry? initFrom = null)
    {
        var own = Store.Latest();
        var from = own ?? initFrom;
        if (from is not null)
        {
            var state = TrainingState.FromJson(File.ReadAllText(from.StateFile), from.StateFile);
            if (from == own && state.ConfigHash.Length > 0 && state.ConfigHash != configHash)
                throw new InvalidOperationException($"{from.Directory} was written by a different config (hash {state.ConfigHash}, this run {configHash})");
            ModelWeights.Load(model, from.ModelFile);
            var moments = TensorFile.Read(from.OptimizerFile);
            optimizer.Import(moments, state.OptimizerSteps);
            foreach (var t in moments.Values) t.Dispose();
            if (state.DropPathGenerator.Length > 0)
                generator.set_state(torch.tensor(Convert.FromBase64String(state.DropPathGenerator), ScalarType.Byte));
            State = state with { ConfigHash = configHash };
            if (writer) Metrics.TruncateAfter(State.Step);
            log.WriteLine($"{name}: {(from == own ? "resuming from" : "branching from")} {from.Directory} at step {State.Step}");
        }
        else if (writer && File.Exists(Metrics.Path)) File.Delete(Metrics.Path);
        if (writer) Store.Prune();
        elapsedBefore = State.ElapsedSeconds;
        intervalStep = State.Step;
        intervalStart = 0;
        lossSum = State.IntervalLossSum; lossCount = State.IntervalCount;
        clock.Restart();
        return from;
    }

    /// <summary>Wall-clock seconds of the whole run so far, over all its resumptions.</summary>
    public double ElapsedSeconds => elapsedBefore + clock.Elapsed.TotalSeconds;

    /// <summary>
    /// Books the outcome of iteration <paramref name="k"/>: a finite loss joins the open interval; a skipped update is
    /// counted and logged, and after the configured number in a row the run stops with
    /// <see cref="NonFiniteTrainingException"/> (the last good checkpoint stays).
    /// </summary>
    public void Record(long k, StepOutcome outcome)
    {
        if (outcome.Applied)
        {
            State = State with { NonFiniteInARow = 0 };
            lossSum += outcome.Loss; lossCount++;
            return;
        }
        State = State with { NonFiniteInARow = State.NonFiniteInARow + 1, NonFiniteTotal = State.NonFiniteTotal + 1 };
        log.WriteLine($"{name}: step {k}: non-finite loss {outcome.Loss} or gradient norm {outcome.GradNorm}; update skipped ({State.NonFiniteInARow} in a row)");
        if (writer) Metrics.Append(k + 1, new[] { ("loss", outcome.Loss), ("grad_norm", outcome.GradNorm) }, "skipped");
        if (State.NonFiniteInARow >= maxNonFinite)
            throw new NonFiniteTrainingException(
                $"{runDir}: {State.NonFiniteInARow} non-finite steps in a row at step {k + 1}; stopped. The last good checkpoint is kept: {Store.Latest()?.Directory ?? "(none)"}");
    }

    /// <summary>
    /// Closes the logging interval after <paramref name="done"/> of <paramref name="end"/> iterations: its mean loss,
    /// images/s over the interval's wall time in this process (not a running mean since the start, which the first step's
    /// warm-up drags down for a long time), the ETA at that rate and resident memory; null when no step of it was finite.
    /// </summary>
    public IntervalSummary? CloseInterval(long done, long end)
    {
        double now = clock.Elapsed.TotalSeconds, seconds = now - intervalStart;
        long steps = done - intervalStep;
        intervalStart = now;
        intervalStep = done;
        if (lossCount == 0) { lossSum = 0; return null; }
        double mean = lossSum / lossCount;
        lossSum = 0; lossCount = 0;
        double ips = steps * imagesPerStep / Math.Max(seconds, 1e-9);
        var eta = TimeSpan.FromSeconds((end - done) * imagesPerStep / Math.Max(ips, 1e-9));
        // glibc keeps what libtorch frees: trim so resident memory shows what is live and stays flat. At most once a
        // minute, not at each log line: after a trim the next step faults its activations back in (SwinV2-T batch 8:
        // 2.2-2.4 GB during steps against 0.75 GB after a trim, some 350k pages of 4 KiB), a cost paid every
        // log_interval steps that the bench step never pays (issue 17); once a minute it is a small fraction of a percent.
        // No forced GC.Collect: a collection forced here lands inside another job's native call and lets a finalizer
        // free a TorchSharp Scalar that call still reads (the study crash, Models/Runtime/ScalarSafe.cs). Batches come
        // from pooled arrays (HostBatch), so the managed heap stays flat without it (measured in the issue-11 note).
        if (now - lastTrim >= TrimEverySeconds)
        {
            NativeHeap.Trim();
            lastTrim = clock.Elapsed.TotalSeconds;
        }
        return new IntervalSummary(mean, ips, eta, Environment.WorkingSet / 1e6, seconds);
    }

    /// <summary>Writes an atomic checkpoint after <paramref name="done"/> iterations: weights, moments and the full state
    /// (null on a rank that does not write: its state is updated the same way, nothing goes to disk).</summary>
    public CheckpointEntry? Checkpoint(long done, nn.Module model, LoaderPosition position, bool pin = false)
    {
        using var scope = NewDisposeScope();
        State = State with
        {
            Step = done,
            OptimizerSteps = optimizer.StepCount,
            LoaderEpoch = position.Epoch,
            LoaderBatch = position.BatchIndex,
            DropPathGenerator = Convert.ToBase64String(generator.get_state().data<byte>().ToArray()),
            ElapsedSeconds = ElapsedSeconds,
            IntervalLossSum = lossSum,
            IntervalCount = lossCount,
        };
        if (!writer) return null;
        var (moments, _) = optimizer.Export();
        return Store.Save(done, model.state_dict(), moments, State, pin);
    }
}

/// <summary>Training stopped because too many consecutive steps were not finite.</summary>
public sealed class NonFiniteTrainingException(string message) : Exception(message);
