
using MimScale.Analysis.Results;
using MimScale.Study.Execution;
using MimScale.Study.Planning;
using MimScale.Study.Spec;

namespace MimScale.Tests.Study;

/// <summary>
/// Thrown by <see cref="FakeStudyExecutor"/> to stand for a killed process. A cancellation, because the runner stores
/// every other exception as a failed cell and goes on, while a killed process stops everything where it stands.
/// </summary>
internal sealed class SimulatedKill(string message) : OperationCanceledException(message);

/// <summary>
/// A deterministic stand-in for the engine. Synthetic results are pure functions of the cell (val loss
/// 0.5 + 0.01 x size rank + 0.1 x (1 - fraction) + 1e-5 x T + 0.001 x seed; curve at T/4..T; trunk 0.01 s and
/// decay 0.02 s per iteration; metric = 100 x (1 - val loss) + offset per evaluation). With <c>killAfter</c> it
/// performs that many actions (branch reports + evaluations) and then throws <see cref="SimulatedKill"/>.
/// </summary>
internal sealed class FakeStudyExecutor(int? killAfter = null) : IStudyExecutor
{
    private int actions;
    private readonly Lock gate = new();   // the runner may call from several job threads
    private int running, maxRunning;

    /// <summary>The most calls that were in progress at the same time.</summary>
    public int MaxConcurrent => this.maxRunning;

    /// <summary>
    /// The first this-many trunk pre-trainings wait (at most 30 s) until all of them have started, so a test of
    /// concurrent jobs sees them overlap by construction, not by timing: run one after another, the first waits out the
    /// 30 s and <see cref="MaxConcurrent"/> stays 1.
    /// </summary>
    public int MeetAt
    {
        get => this.meet?.InitialCount ?? 0;
        init => this.meet = value > 1 ? new CountdownEvent(value) : null;
    }
    private readonly CountdownEvent? meet;

    /// <summary>Throws this from the pre-training of the trunk of this model (a failing job).</summary>
    public string? FailModel { get; init; }

    /// <summary>Evaluations that throw (a failing evaluation of one cell).</summary>
    public Func<CellPlan, string, bool>? FailEvaluation { get; init; }
    public List<string> Pretrained { get; } = [];
    public List<(string Cell, string Evaluation)> Evaluations { get; } = [];
    public List<TrunkJob> Jobs { get; } = [];

    /// <summary>Replaces a result before it is reported (contract-violation tests).</summary>
    public Func<CellPretrainResult, CellPretrainResult>? Tamper { get; init; }
    public Func<string, IReadOnlyDictionary<string, double>, IReadOnlyDictionary<string, double>>? TamperMetrics { get; init; }

    public static double ValLoss(CellPlan c) => 0.5 + 0.01 * c.SizeRank + 0.1 * (1 - (c.Data.Fraction ?? 1)) + 1e-5 * c.Iterations + 0.001 * c.Seed;

    public static double Metric(CellPlan c, string evaluation) =>
        100 * (1 - ValLoss(c)) + evaluation switch { "knn" => 0, "linear_probe" => 1, _ => 2 };

    public void PretrainTrunk(TrunkJob job, Action<CellPretrainResult> onCellFinished, IProgress<string> progress, CancellationToken ct)
    {
        using var _ = Enter();
        if (this.meet is { } meet && !meet.IsSet)
        {
            try { meet.Signal(); } catch (InvalidOperationException) { } // a later trunk than the first MeetAt
            meet.Wait(TimeSpan.FromSeconds(30), ct);
        }
        if (job.Trunk.Model == FailModel) throw new InvalidOperationException($"trunk {job.Trunk.Key} failed");
        lock (this.gate) Jobs.Add(job);
        Directory.CreateDirectory(job.TrunkDir);
        progress.Report($"trunk {job.Trunk.Key} to {job.RequiredTrunkIterations}");
        foreach (var cell in job.PendingCells)
        {
            Act();
            double val = ValLoss(cell);
            var curve = Enumerable.Range(1, 4).Select(k => new CurvePoint(cell.Iterations * k / 4, val + 0.1 * (4 - k) - 0.02, val + 0.1 * (4 - k))).ToList();
            var result = new CellPretrainResult(cell.Key, job.CellDir(cell))
            {
                Curve = curve,
                FinalTrainLoss = val - 0.02,
                FinalValLoss = val,
                TrunkSeconds = 0.01 * cell.DecayStart,
                DecaySeconds = 0.02 * cell.DecayIterations,
                Device = "fake",
                ReconstructionImages = [Path.Combine(job.CellDir(cell), "recon.png")],
            };
            ct.ThrowIfCancellationRequested();
            lock (this.gate) Pretrained.Add(cell.Key);
            onCellFinished(Tamper?.Invoke(result) ?? result);
        }
    }

    public IReadOnlyDictionary<string, double> Evaluate(CellPlan cell, string evaluation, string cellDir, IProgress<string> progress, CancellationToken ct)
    {
        using var _ = Enter();
        Act();
        if (FailEvaluation?.Invoke(cell, evaluation) == true) throw new InvalidDataException($"{evaluation} of {cell.Key} failed");
        lock (this.gate) Evaluations.Add((cell.Key, evaluation));
        var metrics = new Dictionary<string, double> { [StudySpec.TopMetric(evaluation)] = Metric(cell, evaluation) };
        return TamperMetrics?.Invoke(evaluation, metrics) ?? metrics;
    }

    private void Act()
    {
        lock (this.gate)
        {
            if (killAfter is int k && this.actions >= k) throw new SimulatedKill($"simulated kill after {k} actions");
            this.actions++;
        }
    }

    private sealed class Exit(Action a) : IDisposable { public void Dispose() => a(); }

    private IDisposable Enter()
    {
        lock (this.gate) this.maxRunning = Math.Max(this.maxRunning, ++this.running);
        return new Exit(() => { lock (this.gate) this.running--; });
    }
}
