using MimScale.Models.Runtime;
using MimScale.Training.Distributed;
using MimScale.Training.Optim;
using MimScale.Training.Schedules;
using TorchSharp;
using static TorchSharp.torch;
using AdamW = MimScale.Training.Optim.AdamW;

namespace MimScale.Training.Steps;

/// <summary>What one optimiser update did.</summary>
/// <param name="Loss">Mean loss over the micro-batches (NaN/inf if any was not finite).</param>
/// <param name="GradNorm">Global gradient L2 norm before clipping.</param>
/// <param name="Applied">False when the update was skipped because the loss or gradient was not finite.</param>
public readonly record struct StepOutcome(double Loss, double GradNorm, bool Applied);

/// <summary>
/// The one training step of MimScale (pre-training and fine-tuning alike): gradient accumulation over micro-batches,
/// global-norm clipping, the non-finite guard and the AdamW update are options of this single code path, not copies.
/// Every micro-batch runs in its own dispose scope, so native memory stays flat.
/// Data-parallel (several MPI ranks, each with its shard of the global batch): after the backward passes the ranks
/// agree on the loss and its finiteness (one small all-reduce, so they all skip or all update), then the gradients are
/// summed in the optimiser's flat buffers and divided by the world size (Horovod / DDP semantics), BEFORE clipping
/// and the update: every rank then clips the same global gradient and takes the same step.
/// </summary>
public sealed class TrainStep
{
    private readonly AdamW optimizer;
    private readonly double clipGrad;
    private readonly ICollectives collectives;

    /// <param name="optimizer">The optimizer that applies each update.</param>
    /// <param name="clipGrad">Maximum global gradient norm the gradients are clipped to.</param>
    /// <param name="collectives">Ranks sharing each global batch (default: this process alone).</param>
    public TrainStep(AdamW optimizer, double clipGrad, ICollectives? collectives = null)
    {
        this.optimizer = optimizer;
        this.clipGrad = clipGrad;
        this.collectives = collectives ?? SingleProcess.Instance;
    }

    /// <param name="microBatches">Each call computes one micro-batch's loss (a scalar); the step averages them.</param>
    /// <param name="schedule">The run's learning-rate schedule (every group's rate at every iteration).</param>
    /// <param name="iteration">The 0-based iteration this update is.</param>
    public StepOutcome Run(IReadOnlyList<Func<Tensor>> microBatches, ILearningRateSchedule schedule, long iteration)
    {
        using var stepScope = NewDisposeScope();
        optimizer.ZeroGrad();
        double total = 0;
        bool finite = true;
        foreach (var forward in microBatches)
        {
            using var scope = NewDisposeScope();
            var loss = forward();
            double value = loss.item<float>();
            total += value;
            if (!double.IsFinite(value)) { finite = false; break; }
            // Mean over micro-batches: each contributes loss / k, as one large batch would.
            (microBatches.Count == 1 ? loss : loss.Over(microBatches.Count)).backward();
        }
        if (collectives.WorldSize > 1) finite = Exchange(ref total, finite);
        double mean = finite ? total / microBatches.Count : double.NaN;
        double norm = finite ? GradientClipping.Clip(optimizer.Gradients(), clipGrad) : double.NaN;
        if (!finite || !double.IsFinite(norm))
        {
            optimizer.ZeroGrad();
            return new StepOutcome(mean, norm, Applied: false);
        }
        optimizer.Step(schedule, iteration);
        return new StepOutcome(mean, norm, Applied: true);
    }

    /// <summary>
    /// All ranks: <paramref name="total"/> becomes the mean over ranks of the summed micro-batch losses, and the
    /// gradients the mean over ranks (each rank's loss is the mean over its equal share of the batch, so this is the
    /// gradient of the global batch). Returns false, with no gradient exchange, when any rank's loss was not finite.
    /// </summary>
    bool Exchange(ref double total, bool finite)
    {
        var sums = new[] { finite ? total : 0.0, finite ? 0.0 : 1.0 };
        collectives.SumInPlace(sums);
        if (sums[1] > 0) return false;
        total = sums[0] / collectives.WorldSize;
        using var scope = NewDisposeScope();
        using var _ = torch.no_grad();
        var grads = optimizer.Gradients();
        collectives.SumInPlace(grads);
        foreach (var g in grads) g.OverInPlace(collectives.WorldSize);   // ScalarSafe: no temporary Scalar
        return true;
    }
}
