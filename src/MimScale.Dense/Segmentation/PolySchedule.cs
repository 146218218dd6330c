using MimScale.Training.Schedules;

namespace MimScale.Dense.Segmentation;

/// <summary>
/// mmseg's segmentation schedule as a pure function of the iteration: mmcv's PolyLrUpdaterHook with linear warm-up
/// (lr_config = dict(policy='poly', power=1.0, min_lr=0, by_epoch=False, warmup='linear', warmup_iters=1500,
/// warmup_ratio=1e-6), the Swin UPerNet configs). The poly rate of iteration k is (base - min) (1 - k / max)^power + min;
/// during warm-up it is scaled by 1 - (1 - k / warmup)(1 - ratio). Iteration k (0-based) trains with At(k): the hook
/// sets the rate before each iteration from runner.iter. A group's own base (base x layer scale) goes through the same
/// formula, so with min_lr 0 its rate is the head's rate x its scale.
/// </summary>
public sealed record PolySchedule(double BaseLr, long TotalIterations, long WarmupIterations, double WarmupRatio = 1e-6, double Power = 1.0, double MinLr = 0)
    : ILearningRateSchedule
{
    /// <inheritdoc/>
    /// <remarks>Layer-wise decay scales the base rate of the group (mmseg's per-group initial lr).</remarks>
    public double Rate(long iteration, double groupScale = 1.0) => At(iteration, BaseLr * groupScale);

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, object?> Describe() => new Dictionary<string, object?>
    {
        ["kind"] = "warmup_poly", ["base_lr"] = BaseLr, ["total_iterations"] = TotalIterations, ["warmup_iterations"] = WarmupIterations,
        ["warmup_ratio"] = WarmupRatio, ["power"] = Power, ["min_lr"] = MinLr, ["group_scale"] = "multiplies base_lr (layer decay)",
    };

    /// <summary>Rate of a group with scale 1 at iteration <paramref name="k"/>.</summary>
    public double At(long k) => At(k, BaseLr);

    /// <summary>Rate of a group whose base is <paramref name="groupBase"/> at iteration <paramref name="k"/>.</summary>
    public double At(long k, double groupBase)
    {
        double progress = Math.Min((double)k / TotalIterations, 1.0);
        double regular = (groupBase - MinLr) * Math.Pow(1 - progress, Power) + MinLr;
        if (k >= WarmupIterations) return regular;
        double drop = (1 - (double)k / WarmupIterations) * (1 - WarmupRatio);
        return regular * (1 - drop);
    }
}
