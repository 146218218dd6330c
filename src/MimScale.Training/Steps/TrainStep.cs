using MimScale.Models.Runtime;
using MimScale.Training.Optim;
using TorchSharp;
using AdamW = MimScale.Training.Optim.AdamW;
using static TorchSharp.torch;
using MimScale.Training.Schedules;

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
/// </summary>
public sealed class TrainStep
{
    private readonly AdamW optimizer;
    private readonly double clipGrad;

    public TrainStep(AdamW optimizer, double clipGrad)
    {
        this.optimizer = optimizer;
        this.clipGrad = clipGrad;
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
}
