namespace MimScale.Training.Schedules;

/// <summary>
/// The fine-tuning schedule as a pure function of the update count (SPEC §5.1): timm's CosineLRScheduler (0.4.12,
/// per iteration, one cycle) as microsoft/Swin-Transformer lr_scheduler.py builds it. Linear warm-up from
/// <see cref="WarmupLr"/> to a group's base rate over <see cref="WarmupIterations"/>, then a half cosine down to
/// <see cref="MinLr"/>. With <see cref="WarmupPrefix"/> (Swin HEAD) the cosine starts where warm-up ends and spans
/// total - warmup updates; without it (the original SimMIM code) it runs over absolute t and spans the whole run, so
/// the rate drops a little at the end of warm-up.
/// Layer-wise decay (SPEC §5.2): each group's base is base_lr x its layer scale, but warmup_lr and min_lr are the same
/// absolute values for every group, so a group's rate is NOT base-schedule x scale: use <see cref="At(long, double)"/>.
/// </summary>
/// <param name="BaseLr">Peak rate of a group with scale 1 (already batch-scaled).</param>
/// <param name="WarmupLr">timm warmup_lr_init (not scaled per group).</param>
/// <param name="MinLr">timm lr_min (not scaled per group).</param>
/// <param name="WarmupIterations">timm warmup_t, in updates.</param>
/// <param name="TotalIterations">Updates in the run (epochs x iterations per epoch).</param>
/// <param name="WarmupPrefix">timm warmup_prefix: the cosine starts where warm-up ends (Swin HEAD); false for the original SimMIM code.</param>
public sealed record CosineSchedule(double BaseLr, double WarmupLr, double MinLr, long WarmupIterations, long TotalIterations, bool WarmupPrefix = true)
    : ILearningRateSchedule
{
    /// <inheritdoc/>
    /// <remarks>Layer-wise decay scales the peak only: warmup_lr and min_lr are the same absolute values for every group
    /// (timm's scheduler works on each group's own base value).</remarks>
    public double Rate(long iteration, double groupScale = 1.0) => ForIteration(iteration, BaseLr * groupScale);

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, object?> Describe() => new Dictionary<string, object?>
    {
        ["kind"] = "warmup_cosine", ["base_lr"] = BaseLr, ["warmup_lr"] = WarmupLr, ["min_lr"] = MinLr,
        ["warmup_iterations"] = WarmupIterations, ["total_iterations"] = TotalIterations, ["warmup_prefix"] = WarmupPrefix,
        ["group_scale"] = "multiplies base_lr (layer decay)",
    };

    /// <summary>timm t_initial: the cosine's length.</summary>
    public long CosineLength => WarmupPrefix ? TotalIterations - WarmupIterations : TotalIterations;

    /// <summary>Rate of a group with scale 1 after <paramref name="t"/> updates (timm _get_lr(t)).</summary>
    public double At(long t) => At(t, BaseLr);

    /// <summary>Rate of a group whose own base rate is <paramref name="groupBase"/> (= BaseLr x layer scale).</summary>
    public double At(long t, double groupBase)
    {
        if (t < WarmupIterations) return WarmupLr + t * (groupBase - WarmupLr) / WarmupIterations;
        long tc = WarmupPrefix ? t - WarmupIterations : t;
        long length = Math.Max(CosineLength, 1);
        // timm: past the first cycle (cycle_limit 1) the rate stays at lr_min.
        if (tc >= length) return MinLr;
        return MinLr + 0.5 * (groupBase - MinLr) * (1 + Math.Cos(Math.PI * tc / length));
    }

    /// <summary>
    /// The rate iteration <paramref name="k"/> (0-based) trains with, in the official call order (as
    /// <see cref="StepSchedule.ForIteration"/>): step_update(k) runs after optimizer.step() of iteration k and the
    /// scheduler's constructor sets warmup_lr, so iteration k uses At(k-1) and iteration 0 uses At(0).
    /// </summary>
    public double ForIteration(long k, double groupBase) => At(Math.Max(k - 1, 0), groupBase);

    /// <inheritdoc cref="ForIteration(long, double)"/>
    public double ForIteration(long k) => ForIteration(k, BaseLr);

    /// <summary>Throws <see cref="ArgumentException"/> on an impossible setting.</summary>
    public CosineSchedule Validate()
    {
        if (TotalIterations <= 0) throw new ArgumentException($"total iterations must be positive, got {TotalIterations}");
        if (WarmupIterations < 0 || WarmupIterations >= TotalIterations)
            throw new ArgumentException($"warm-up ({WarmupIterations} iterations) must be in [0, total {TotalIterations})");
        if (BaseLr <= 0 || WarmupLr < 0 || MinLr < 0) throw new ArgumentException("base lr must be positive, warm-up and minimum lr non-negative");
        return this;
    }
}
