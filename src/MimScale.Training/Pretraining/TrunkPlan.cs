using MimScale.Training.Schedules;

namespace MimScale.Training.Pretraining;

/// <summary>
/// Runs of one model and data that differ only in length share everything before their decay point (SPEC §4.2):
/// the trunk trains once at the base rate; for each length T the branch starts from the trunk's state after
/// 7/8 T iterations and trains the rest with T's own schedule (iteration 7/8 T itself still runs at the base rate in
/// the official call order, then 0.1x), so a branch equals an independent run of length T.
/// </summary>
public sealed record TrunkPlan(IReadOnlyList<long> Lengths, double DecayFraction = 0.875)
{
    /// <summary>Iterations completed when length <paramref name="t"/> branches off.</summary>
    public long BranchPoint(long t) => StepSchedule.MilestoneOf(t, DecayFraction);

    public long TrunkIterations => Lengths.Max(BranchPoint);

    /// <summary>Iterations actually trained: the trunk plus every branch's own part.</summary>
    public long TotalIterations => TrunkIterations + Lengths.Sum(t => t - BranchPoint(t));

    /// <summary>Iterations independent runs would take.</summary>
    public long IndependentIterations => Lengths.Sum();

    public TrunkPlan Validate()
    {
        if (Lengths.Count == 0 || Lengths.Any(t => t <= 1)) throw new ArgumentException("trunk lengths must be > 1");
        if (Lengths.Distinct().Count() != Lengths.Count) throw new ArgumentException("trunk lengths must be distinct");
        return this;
    }
}
