using MimScale.Training.Distributed;
using MimScale.Training.Runs;
using MimScale.Training.Schedules;

namespace MimScale.Training.Pretraining;

/// <summary>The result of one length of a shared-trunk group.</summary>
public sealed record BranchResult(long Length, string RunDir, SegmentResult Result);

/// <summary>
/// Trains a shared trunk and its branches (<see cref="TrunkPlan"/>): the trunk in its own folder, each length in
/// another. Each part is a <see cref="PretrainRun"/> segment, so every part resumes after a kill and a finished
/// branch is not retrained (its final checkpoint exists). The trunk's branch-point checkpoints are pinned.
/// </summary>
public static class TrunkRunner
{
    /// <summary>Default layout: OUT/trunk and OUT/len-T.</summary>
    public static IReadOnlyList<BranchResult> Run(PretrainConfig config, TrunkPlan plan, string outDir, TextWriter log,
        Action<BranchResult>? onBranchFinished = null, CancellationToken ct = default, ICollectives? collectives = null, TorchSharp.torch.Device? device = null) =>
        Run(config, plan, plan.Lengths, Path.Combine(outDir, "trunk"), t => Path.Combine(outDir, $"len-{t}"), log, onBranchFinished, ct, collectives, device);

    /// <param name="config">The pre-training config shared by the trunk and its branches.</param>
    /// <param name="plan">The trunk's lengths and branch points.</param>
    /// <param name="lengths">The lengths to run now (a subset of the plan's: the others are done).</param>
    /// <param name="trunkDir">The trunk's run folder.</param>
    /// <param name="branchDir">The run folder of the branch of a length.</param>
    /// <param name="log">Progress lines.</param>
    /// <param name="onBranchFinished">Called as each branch finishes.</param>
    /// <param name="ct">Cancels the runs between steps.</param>
    /// <param name="collectives">Data-parallel ranks (each segment ends with a barrier, so every rank sees the trunk
    /// snapshots rank 0 wrote before branching from them).</param>
    /// <param name="device">Where the model trains (default CPU).</param>
    public static IReadOnlyList<BranchResult> Run(PretrainConfig config, TrunkPlan plan, IReadOnlyCollection<long> lengths, string trunkDir,
        Func<long, string> branchDir, TextWriter log, Action<BranchResult>? onBranchFinished = null, CancellationToken ct = default,
        ICollectives? collectives = null, TorchSharp.torch.Device? device = null)
    {
        collectives ??= SingleProcess.Instance;
        plan.Validate();
        var results = new List<BranchResult>();
        if (lengths.Count == 0) return results;
        // The trunk's identity (config hash, pinned points) depends on every length of the plan, not on what is left.
        var trunkConfig = config with { Iterations = plan.TrunkIterations + 1 };
        var pins = plan.Lengths.Select(plan.BranchPoint).ToHashSet();
        long required = lengths.Max(plan.BranchPoint);
        var trunkStore = new CheckpointStore(trunkDir, config.KeepCheckpoints);
        if ((trunkStore.Latest()?.Step ?? 0) < required)
        {
            log.WriteLine($"trunk: to {required} of {plan.TrunkIterations} iterations at the base rate; branch points {string.Join(", ", pins.Order())}; " +
                          $"{plan.TotalIterations} iterations instead of {plan.IndependentIterations}");
            new PretrainRun(trunkConfig, trunkDir, log, trunk: true, collectives: collectives, device: device).Execute(required, pins, ct: ct);
        }
        foreach (long t in lengths.Order())
        {
            string dir = branchDir(t);
            var branchConfig = config with { Iterations = t };
            var store = new CheckpointStore(dir, config.KeepCheckpoints);
            var snapshot = trunkStore.At(plan.BranchPoint(t)) ?? throw new InvalidOperationException($"{trunkDir}: branch point {plan.BranchPoint(t)} checkpoint is missing");
            if (store.Latest() is null && collectives.IsRoot) SeedBranchLog(trunkDir, dir, snapshot.Step);
            var result = new PretrainRun(branchConfig, dir, log, collectives: collectives, device: device).Execute(t, initFrom: snapshot, ct: ct);
            var branch = new BranchResult(t, dir, result);
            results.Add(branch);
            onBranchFinished?.Invoke(branch);
        }
        return results;
    }

    // A branch's metrics start with the trunk's records up to its branch point, so its curve is the whole run's; the
    // record of the images that curve was validated on comes with it (the branch then checks it validates on the same).
    static void SeedBranchLog(string trunkDir, string branchDir, long step)
    {
        Directory.CreateDirectory(branchDir);
        var trunk = new MetricsLog(trunkDir);
        if (!File.Exists(trunk.Path)) return;
        var valRecord = Path.Combine(trunkDir, TrainingSources.ValManifestFile);
        if (File.Exists(valRecord)) File.Copy(valRecord, Path.Combine(branchDir, TrainingSources.ValManifestFile), overwrite: true);
        var branch = new MetricsLog(branchDir);
        File.Copy(trunk.Path, branch.Path, overwrite: true);
        branch.TruncateAfter(step);
    }
}
