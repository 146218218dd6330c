using System.Globalization;
using System.Text;
using MimScale.Analysis.Results;
using MimScale.Study.Planning;
using MimScale.Training.Pretraining;
using MimScale.Training.Runs;

namespace MimScale.Study.Execution;

/// <summary>
/// The real <see cref="IStudyExecutor"/>: each trunk group is trained by the pre-training engine (<see cref="TrunkRunner"/>,
/// shared trunk + one branch per length, every part resumable), and each cell's result is read back from its run folder
/// (metrics.jsonl, checkpoint state), so a branch that finished before a kill is reported from disk, not retrained.
/// Evaluations (fine-tuning, linear probe, k-NN, and the dense tasks segmentation and detection) are <see cref="StudyEvaluations"/>.
/// Thread-safe: the runner may call it from several job threads at once; each call sets up its own thread (torch
/// intra-op threads, flush-to-zero: both are per-thread settings) and every run owns its model and data.
/// Data-parallel (<see cref="TrunkJob.Ranks"/> of several MPI ranks): every rank calls <see cref="PretrainTrunk"/> with
/// the same job, the engine does the collectives and lets rank 0 alone write, and every rank gets each branch's
/// result (read from rank 0's files after the branch's closing barrier).
/// </summary>
/// <param name="threadsPerJob">Torch intra-op threads of each call (0 = leave the process default).</param>
public sealed class EngineStudyExecutor(int threadsPerJob = 0) : IStudyExecutor
{
    void PrepareThread()
    {
        if (threadsPerJob > 0) TorchSharp.torch.set_num_threads(threadsPerJob);
        MimScale.Models.Runtime.DenormalFlush.Enable();
    }

    public void PretrainTrunk(TrunkJob job, Action<CellPretrainResult> onCellFinished, IProgress<string> progress, CancellationToken ct)
    {
        PrepareThread();
        var plan = job.Trunk.Schedule;
        var pending = job.PendingCells.ToDictionary(c => c.Iterations);
        using var log = new ProgressWriter(progress);
        TrunkRunner.Run(job.Trunk.Config, plan, pending.Keys.ToList(), job.TrunkDir, t => job.CellDir(pending[t]), log,
            branch => onCellFinished(ResultOf(pending[branch.Length], branch.RunDir, job.TrunkDir, plan.BranchPoint(branch.Length), job.Ranks.WorldSize)), ct,
            job.Ranks);
    }

    public IReadOnlyDictionary<string, double> Evaluate(CellPlan cell, string evaluation, string cellDir, IProgress<string> progress, CancellationToken ct)
    {
        PrepareThread();
        return StudyEvaluations.Run(cell, evaluation, cellDir, progress, ct);
    }

    static CellPretrainResult ResultOf(CellPlan cell, string runDir, string trunkDir, long branchPoint, int ranks)
    {
        var records = MetricsLog.Read(Path.Combine(runDir, "metrics.jsonl"));
        var train = records.Where(r => r.Values.ContainsKey("train_loss")).ToDictionary(r => r.Step, r => r.Values["train_loss"]);
        var val = records.Where(r => r.Values.ContainsKey("val_loss")).ToDictionary(r => r.Step, r => r.Values["val_loss"]);
        var curve = train.Keys.Union(val.Keys).Order()
            .Select(s => new CurvePoint(s, train.TryGetValue(s, out var t) ? t : null, val.TryGetValue(s, out var v) ? v : null)).ToList();
        double trunkSeconds = ElapsedAt(new CheckpointStore(trunkDir, 1).At(branchPoint));
        double totalSeconds = ElapsedAt(new CheckpointStore(runDir, 1).Latest());
        var recon = Path.Combine(runDir, "reconstructions", $"step-{cell.Iterations:D8}");
        return new CellPretrainResult(cell.Key, runDir)
        {
            Curve = curve,
            FinalTrainLoss = train.Count > 0 ? train[train.Keys.Max()] : null,
            FinalValLoss = val.TryGetValue(cell.Iterations, out var fv) ? fv : null,
            TrunkSeconds = trunkSeconds,
            DecaySeconds = Math.Max(0, totalSeconds - trunkSeconds),
            Device = $"cpu x{TorchSharp.torch.get_num_threads()}" + (ranks > 1 ? $", {ranks} MPI ranks" : ""),
            ReconstructionImages = Directory.Exists(recon) ? Directory.GetFiles(recon, "*.png").Order().ToList() : [],
        };
    }

    static double ElapsedAt(CheckpointEntry? entry) =>
        entry is null ? 0 : TrainingState.FromJson(File.ReadAllText(entry.StateFile), entry.StateFile).ElapsedSeconds;

}

/// <summary>Engine log lines as study progress lines.</summary>
internal sealed class ProgressWriter(IProgress<string> progress) : TextWriter
{
    public override Encoding Encoding => Encoding.UTF8;
    public override void WriteLine(string? value) => progress.Report(value ?? "");
    public override void Write(char value) { }
}
