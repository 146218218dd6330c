using System.Globalization;
using System.Text.Json;
using MimScale.Data.Loading;
using MimScale.Files;
using MimScale.Training.Distributed;
using MimScale.Training.Optim;
using MimScale.Training.Steps;
using TorchSharp;
using static TorchSharp.torch;
using AdamW = MimScale.Training.Optim.AdamW;

namespace MimScale.Training.Runs;

/// <summary>
/// The one run loop of every supervised task (fine-tuning, segmentation, detection): it owns the run folder (config
/// hash and guard, resume through <see cref="RunSession"/>), the model's placement and the optimiser, the iteration loop
/// with a dispose scope per step around <see cref="TrainStep"/>, the logging / evaluation / checkpoint cadence, the
/// non-finite policy (<see cref="RunSession.Record"/>) and the final atomic RUN/result.json. A task supplies only what
/// differs: its data and model (<see cref="Build"/>), optimiser groups, micro-batches, evaluation and final result.
/// Data-parallel when given several ranks: each trains on its shard, rank 0 alone writes and evaluates while the
/// others wait at the next step (as <c>PretrainRun</c>).
/// A run object executes once: the task keeps what it builds (data, loader, best evaluation) in its own fields.
/// </summary>
/// <typeparam name="TResult">How the task's run ended (written to RUN/result.json).</typeparam>
public abstract class SupervisedRun<TResult> where TResult : IRunResult
{
    static readonly JsonSerializerOptions ResultJson = new()
    {
        WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <param name="runDir">The run folder (claimed by the caller).</param>
    /// <param name="log">Progress lines.</param>
    /// <param name="collectives">The ranks of a data-parallel job (default: this process alone).</param>
    /// <param name="device">Where the model trains (default CPU; see <see cref="DevicePlacement"/>).</param>
    protected SupervisedRun(string runDir, TextWriter log, ICollectives? collectives = null, Device? device = null)
    {
        RunDir = runDir;
        Log = log;
        Collectives = collectives ?? SingleProcess.Instance;
        Device = device ?? torch.CPU;
    }

    protected string RunDir { get; }
    protected TextWriter Log { get; }
    protected ICollectives Collectives { get; }
    protected Device Device { get; }
    /// <summary>Rank 0 (the only rank of a one-process run): it writes the folder and evaluates.</summary>
    protected bool IsRoot => Collectives.IsRoot;

    /// <summary>The loop's settings, read from the task's (validated) config.</summary>
    protected abstract LoopSettings Settings { get; }

    /// <summary>The hash of the task's config (<see cref="RunSession.HashOf"/> of its resolved or given text).</summary>
    protected abstract string RunHash { get; }

    /// <summary>Opens the data and builds the model with <paramref name="generator"/> (the run's init, drop-path and
    /// sampling stream, checkpointed); nothing is written yet.</summary>
    protected abstract RunPlan Build(Generator generator);

    /// <summary>Records the task's inputs in the run folder (manifests, model spec) once the config guard has passed (rank 0).</summary>
    protected virtual void RecordInputs() { }

    /// <summary>The optimiser groups of the placed model (weight decay, layer-wise lr scales).</summary>
    protected abstract IReadOnlyList<ParameterGroup> OptimizerGroups(nn.Module placed);

    /// <summary>
    /// Called once the model holds its starting weights (<paramref name="resumedFrom"/>: the checkpoint, null for a fresh
    /// start): opens the training stream at the session's data position and writes the task's opening lines. Returns
    /// what must be released when the run ends (the loader's workers), if anything.
    /// </summary>
    protected abstract IDisposable? Start(RunSession session, CheckpointEntry? resumedFrom);

    /// <summary>The micro-batches of iteration <paramref name="k"/> as loss closures, with their inputs.</summary>
    protected abstract MicroBatches Batches(long k);

    /// <summary>Evaluates after <paramref name="done"/> iterations (rank 0) and records it.</summary>
    protected abstract void Evaluate(MetricsLog metrics, long done);

    /// <summary>Where the training stream stands after <paramref name="done"/> iterations (for the checkpoint).</summary>
    protected abstract LoaderPosition Position(long done);

    /// <summary>The run's result after its last iteration; <paramref name="lastTrainLoss"/> is this process's last logged
    /// training loss (null when it ran no step). On ranks other than 0 it holds what that rank knows.</summary>
    protected abstract TResult Finish(RunSession session, double? lastTrainLoss);

    /// <summary>Records one logging interval (<paramref name="gradNorm"/> and <paramref name="lr"/>: of its last step): metrics.jsonl and the progress line.</summary>
    protected virtual void LogTraining(MetricsLog metrics, long done, long total, IntervalSummary s, double gradNorm, double lr)
    {
        metrics.Append(done, new[] { ("train_loss", s.MeanLoss), ("lr", lr), ("grad_norm", gradNorm), ("images_per_s", s.ImagesPerSecond), ("rss_mb", s.RssMb) }, "train");
        Log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"step {done}/{total} | loss {s.MeanLoss:F4} | lr {lr:G3} | {s.ImagesPerSecond:F1} img/s | rss {s.RssMb:F0} MB | ETA {s.Eta:hh\\:mm\\:ss}"));
    }

    /// <summary>Trains to the plan's end (resuming the folder's newest checkpoint of this config) and writes RUN/result.json.</summary>
    public TResult Execute(CancellationToken ct = default)
    {
        var settings = Settings;
        if (IsRoot) Directory.CreateDirectory(RunDir);
        string hash = RunHash;
        if (settings.Threads > 0) torch.set_num_threads(settings.Threads);

        var generator = new Generator(settings.Seed);
        var plan = Build(generator);
        using var model = plan.Model;
        if (IsRoot)
        {
            RunSession.GuardConfig(RunDir, hash, plan.ResolvedConfig);
            RecordInputs();
        }
        DataParallel.ShardStochasticDepth(model, Collectives);
        if (Device.type != DeviceType.CPU) model.to(Device);   // before the optimiser groups take the parameters
        model.train();
        var optimizer = new AdamW(OptimizerGroups(model));
        var step = new TrainStep(optimizer, settings.ClipGrad, Collectives);
        var session = new RunSession(settings.Name, RunDir, hash, Log, optimizer, generator, settings.KeepCheckpoints, settings.MaxNonFiniteSteps,
            settings.ImagesPerStep, tensorboard: false, writer: IsRoot);
        var resumedFrom = session.Resume(model);
        DataParallel.BroadcastWeights(model, Collectives);
        using var stream = Start(session, resumedFrom);

        long total = plan.Total;
        double? lastTrain = null;
        for (long k = session.State.Step; k < total; k++)
        {
            Collectives.ThrowIfCancelledOnAnyRank(ct);   // as PretrainRun: a rank cancelled alone must not leave the others in a collective
            StepOutcome outcome;
            using (NewDisposeScope())   // the batches and whatever making them leaves behind
            using (var batches = Batches(k))
                outcome = step.Run(batches.Losses, plan.Schedule, k);
            session.Record(k, outcome);

            long done = k + 1;
            if ((done % settings.LogInterval == 0 || done == total) && session.CloseInterval(done, total) is { } s && IsRoot)
            {
                lastTrain = s.MeanLoss;
                LogTraining(session.Metrics, done, total, s, outcome.GradNorm, plan.Schedule.Rate(k));
            }
            if (IsRoot && Due(done, plan.EvalEvery, total)) Evaluate(session.Metrics, done);
            if (Due(done, plan.CheckpointEvery, total)) session.Checkpoint(done, model, Position(done));
        }
        var result = Finish(session, lastTrain);
        if (IsRoot) AtomicFile.WriteAllText(Path.Combine(RunDir, "result.json"), JsonSerializer.Serialize(result, ResultJson));
        Collectives.Barrier();   // rank 0's last evaluation and result are written before any rank returns
        return result;
    }

    /// <summary>Every <paramref name="every"/> iterations (0: never) and after the last one.</summary>
    static bool Due(long done, long every, long total) => (every > 0 && done % every == 0) || done == total;
}
