using System.Diagnostics;

namespace MimScale.Training.Runs;

/// <summary>Seconds of one logging interval spent waiting for the next batch and inside training steps.</summary>
/// <param name="DataSeconds">Blocked in the loader's <c>Next</c> (zero when the batches were ready in time).</param>
/// <param name="StepSeconds">Inside the training step (forward, backward, clipping, optimiser update).</param>
public readonly record struct IntervalPhases(double DataSeconds, double StepSeconds)
{
    /// <summary>The rest of an interval of <paramref name="seconds"/>: logging, evaluation, panels, checkpoints, bookkeeping.</summary>
    public double OtherSeconds(double seconds) => Math.Max(0, seconds - DataSeconds - StepSeconds);
}

/// <summary>
/// Where a training loop's wall time goes (issue 17, "end to end, not only the step"): one stopwatch around fetching
/// the batch, one around the step; <see cref="Take"/> returns their seconds since the previous call, so each log line
/// can say how much of its interval the step had and how much was lost waiting for data or to bookkeeping. Two
/// stopwatch start/stop pairs per iteration: cheap enough to stay on.
/// </summary>
public sealed class PhaseClock
{
    readonly Stopwatch data = new(), step = new();
    double dataMark, stepMark;

    /// <summary>Total time in the data phase.</summary>
    public TimeSpan DataTotal => data.Elapsed;
    /// <summary>Total time in training steps.</summary>
    public TimeSpan StepTotal => step.Elapsed;

    /// <summary>Runs <paramref name="fetch"/> (the loader call) on the data clock.</summary>
    public T Data<T>(Func<T> fetch)
    {
        data.Start();
        try { return fetch(); }
        finally { data.Stop(); }
    }

    /// <summary>Runs <paramref name="train"/> (the step) on the step clock.</summary>
    public T Step<T>(Func<T> train)
    {
        step.Start();
        try { return train(); }
        finally { step.Stop(); }
    }

    /// <summary>The phases since the previous call (or since construction).</summary>
    public IntervalPhases Take()
    {
        double d = data.Elapsed.TotalSeconds, s = step.Elapsed.TotalSeconds;
        var phases = new IntervalPhases(d - dataMark, s - stepMark);
        dataMark = d;
        stepMark = s;
        return phases;
    }
}
