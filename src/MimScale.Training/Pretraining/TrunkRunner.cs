using MimScale.Training.Runs;
using MimScale.Training.Schedules;

namespace MimScale.Training.Pretraining;

/// <summary>The result of one length of a shared-trunk group.</summary>
public sealed record BranchResult(long Length, SegmentResult Result);

/// <summary>
/// Trains a shared trunk and its branches (<see cref="TrunkPlan"/>) under one folder: OUT/trunk and OUT/len-T.
/// Each part is a <see cref="PretrainRun"/> segment, so every part resumes after a kill; a finished branch is not
/// redone (its final checkpoint exists). The trunk's branch-point checkpoints are pinned (never pruned).
/// </summary>
public static class TrunkRunner
{
    public static IReadOnlyList<BranchResult> Run(PretrainConfig config, TrunkPlan plan, string outDir, TextWriter log,
        Action<BranchResult>? onBranchFinished = null, CancellationToken ct = default)
    {
        plan.Validate();
        var results = new List<BranchResult>();
        string trunkDir = Path.Combine(outDir, "trunk");
        var trunkConfig = config with { Iterations = plan.TrunkIterations + 1 };   // validates warm-up < length
        var pins = plan.Lengths.Select(plan.BranchPoint).ToHashSet();
        var trunkSchedule = new StepSchedule(config.ScaledLr, config.ScaledWarmupLr, config.WarmupIterations, Milestone: null, config.DecayGamma);
        var trunkStore = new CheckpointStore(trunkDir, config.KeepCheckpoints);
        if (trunkStore.Latest()?.Step < plan.TrunkIterations || trunkStore.Latest() is null)
        {
            log.WriteLine($"trunk: {plan.TrunkIterations} iterations at the base rate; branch points {string.Join(", ", pins.Order())}; " +
                          $"{plan.TotalIterations} iterations instead of {plan.IndependentIterations}");
            new PretrainRun(trunkConfig, trunkDir, log).Execute(trunkSchedule, plan.TrunkIterations, pins, ct: ct);
        }
        foreach (long t in plan.Lengths.Order())
        {
            var branchConfig = config with { Iterations = t };
            string dir = Path.Combine(outDir, $"len-{t}");
            var store = new CheckpointStore(dir, config.KeepCheckpoints);
            var schedule = StepSchedule.ForLength(config.ScaledLr, config.ScaledWarmupLr, config.WarmupIterations, t, config.DecayFraction, config.DecayGamma);
            var snapshot = trunkStore.At(plan.BranchPoint(t)) ?? throw new InvalidOperationException($"{trunkDir}: branch point {plan.BranchPoint(t)} checkpoint is missing");
            if (store.Latest() is null) SeedBranchLog(trunkDir, dir, snapshot.Step);
            var result = new PretrainRun(branchConfig, dir, log).Execute(schedule, t, initFrom: snapshot, ct: ct);
            var branch = new BranchResult(t, result);
            results.Add(branch);
            onBranchFinished?.Invoke(branch);
        }
        return results;
    }

    // A branch's metrics start with the trunk's records up to its branch point, so its curve is the whole run's.
    static void SeedBranchLog(string trunkDir, string branchDir, long step)
    {
        Directory.CreateDirectory(branchDir);
        var trunk = new MetricsLog(trunkDir);
        if (!File.Exists(trunk.Path)) return;
        var branch = new MetricsLog(branchDir);
        File.Copy(trunk.Path, branch.Path, overwrite: true);
        branch.TruncateAfter(step);
    }
}
