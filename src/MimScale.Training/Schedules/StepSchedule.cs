namespace MimScale.Training.Schedules;

/// <summary>
/// The paper's pre-training schedule as a pure function of the iteration (SPEC §4): linear warm-up from
/// <see cref="WarmupLr"/> to <see cref="BaseLr"/> over a FIXED number of iterations, constant, then x<see cref="Gamma"/>
/// from the milestone (7/8 of the run) on. Because warm-up does not depend on the length, runs of different lengths
/// share every learning rate before their milestone: that is what makes shared trunks exact.
/// </summary>
/// <param name="BaseLr">The rate after warm-up (already batch-scaled).</param>
/// <param name="WarmupLr">The rate warm-up starts from.</param>
/// <param name="WarmupIterations">Updates of linear warm-up (fixed, whatever the length).</param>
/// <param name="Milestone">First update count at the decayed rate; null = never decay (a trunk).</param>
/// <param name="Gamma">Factor applied from the milestone on.</param>
public sealed record StepSchedule(double BaseLr, double WarmupLr, long WarmupIterations, long? Milestone, double Gamma = 0.1) : ILearningRateSchedule
{
    /// <summary>A constant rate (benchmarks and probes of step time).</summary>
    public static StepSchedule Constant(double lr) => new(lr, lr, 0, null);

    /// <inheritdoc/>
    /// <remarks>The group scale multiplies the whole curve (pre-training groups all have scale 1).</remarks>
    public double Rate(long iteration, double groupScale = 1.0) => ForIteration(iteration) * groupScale;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, object?> Describe() => new Dictionary<string, object?>
    {
        ["kind"] = "step", ["base_lr"] = BaseLr, ["warmup_lr"] = WarmupLr, ["warmup_iterations"] = WarmupIterations,
        ["milestone"] = Milestone, ["gamma"] = Gamma,
    };

    /// <summary>Schedule of a run of <paramref name="iterations"/> with decay at <paramref name="decayFraction"/> of it.</summary>
    public static StepSchedule ForLength(double baseLr, double warmupLr, long warmupIterations, long iterations, double decayFraction = 0.875, double gamma = 0.1) =>
        new(baseLr, warmupLr, warmupIterations, MilestoneOf(iterations, decayFraction), gamma);

    /// <summary>7/8 x T, the update count at which a run of length T decays.</summary>
    public static long MilestoneOf(long iterations, double decayFraction = 0.875) => (long)Math.Round(iterations * decayFraction);

    /// <summary>timm MultiStepLRScheduler value at update count t.</summary>
    public double At(long t)
    {
        if (t < WarmupIterations) return WarmupLr + t * (BaseLr - WarmupLr) / WarmupIterations;
        return Milestone is long m && t >= m ? BaseLr * Gamma : BaseLr;
    }

    /// <summary>
    /// The rate iteration <paramref name="k"/> (0-based) trains with, in the official call order: the scheduler's
    /// step_update(k) runs after optimizer.step() of iteration k, so iteration k uses At(k-1) and iteration 0 uses
    /// At(0) = warmup_lr. The first decayed iteration of a run of length T is therefore 7/8 T + 1.
    /// </summary>
    public double ForIteration(long k) => At(Math.Max(k - 1, 0));

    /// <summary>First iteration that differs between this schedule and one without decay.</summary>
    public long? FirstDecayedIteration => Milestone + 1;
}
