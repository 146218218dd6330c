namespace MimScale.Training.Schedules;

/// <summary>
/// mmdet's detection schedule as a pure function of the iteration: mmengine <c>LinearLR</c> warm-up (per iteration,
/// <c>start_factor</c> 0.001, <c>begin=0, end=WarmupIterations</c>) chained with an epoch-based <c>MultiStepLR</c>
/// (x<see cref="Gamma"/> at each milestone epoch). The Swin 3x config (configs/swin/mask-rcnn_swin-t-p4-w7_fpn_ms-crop-3x_coco.py)
/// uses end=1000, milestones [27, 33] of 36 epochs, gamma 0.1; the 1x config milestones [8, 11] of 12.
/// </summary>
/// <remarks>
/// mmengine/optim/scheduler/param_scheduler.py: LinearParamScheduler has total_iters = end - begin - 1 and the closed form
/// factor start + (1 - start)·min(t, total_iters)/total_iters at step t, so the rate reaches the base rate at iteration
/// end - 1 and stays there. Iteration k (0-based) trains with last_step = k, because the iteration-based scheduler steps
/// after each update. MultiStepLR with by_epoch=True steps after each epoch, so every iteration of epoch e (0-based,
/// e = floor(k / iterations per epoch)) trains at gamma^(number of milestones m with m &lt;= e). Both are chainable
/// (multiplicative), so the rate is base · group scale · warm-up factor · decay factor.
/// </remarks>
/// <param name="BaseLr">Optimiser lr (mmdet: 1e-4 for Swin Mask R-CNN at batch 16).</param>
/// <param name="WarmupIterations">LinearLR end (iterations); 0 = no warm-up.</param>
/// <param name="IterationsPerEpoch">Updates per epoch (the epoch-based milestones become iterations through it).</param>
/// <param name="MilestoneEpochs">Epochs at whose start the rate is multiplied by <see cref="Gamma"/>.</param>
/// <param name="WarmupStartFactor">LinearLR start_factor (mmdet 0.001).</param>
/// <param name="Gamma">MultiStepLR gamma (0.1).</param>
public sealed record MultiStepSchedule(double BaseLr, long WarmupIterations, long IterationsPerEpoch, int[] MilestoneEpochs,
    double WarmupStartFactor = 0.001, double Gamma = 0.1) : ILearningRateSchedule
{
    /// <inheritdoc/>
    /// <remarks>The group scale multiplies the whole curve (mmdet's lr_mult).</remarks>
    public double Rate(long iteration, double groupScale = 1.0) => BaseLr * groupScale * WarmupFactor(iteration) * DecayFactor(iteration);

    /// <summary>LinearLR's factor at iteration <paramref name="k"/>: start + (1 - start)·k/(end - 1) up to end - 1, then 1.</summary>
    public double WarmupFactor(long k)
    {
        if (k >= WarmupIterations) return 1.0;
        long totalIters = WarmupIterations - 1;
        if (totalIters <= 0) return WarmupStartFactor;   // end = 1: only iteration 0 is warmed (last_step 0 -> start_factor)
        return WarmupStartFactor + (1.0 - WarmupStartFactor) * k / totalIters;
    }

    /// <summary>MultiStepLR's factor in the epoch of iteration <paramref name="k"/>.</summary>
    public double DecayFactor(long k)
    {
        long epoch = k / IterationsPerEpoch;
        int passed = MilestoneEpochs.Count(m => m <= epoch);
        return Math.Pow(Gamma, passed);
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, object?> Describe() => new Dictionary<string, object?>
    {
        ["kind"] = "linear_warmup_multistep", ["base_lr"] = BaseLr, ["warmup_iterations"] = WarmupIterations,
        ["warmup_start_factor"] = WarmupStartFactor, ["iterations_per_epoch"] = IterationsPerEpoch,
        ["milestone_epochs"] = MilestoneEpochs, ["gamma"] = Gamma, ["group_scale"] = "multiplies the whole curve",
    };

    /// <summary>Throws <see cref="ArgumentException"/> on an impossible setting.</summary>
    public MultiStepSchedule Validate()
    {
        if (!(BaseLr > 0)) throw new ArgumentException($"base lr must be positive, got {BaseLr}");
        if (WarmupIterations < 0) throw new ArgumentException($"warm-up iterations must be >= 0, got {WarmupIterations}");
        if (IterationsPerEpoch <= 0) throw new ArgumentException($"iterations per epoch must be positive, got {IterationsPerEpoch}");
        if (MilestoneEpochs is null || MilestoneEpochs.Any(m => m <= 0))
            throw new ArgumentException("milestone epochs must be positive");
        if (WarmupStartFactor is < 0 or > 1) throw new ArgumentException($"warm-up start factor must be in [0, 1], got {WarmupStartFactor}");
        if (!(Gamma > 0)) throw new ArgumentException($"gamma must be positive, got {Gamma}");
        return this;
    }
}
