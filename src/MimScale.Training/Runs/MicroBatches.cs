using static TorchSharp.torch;

namespace MimScale.Training.Runs;

/// <summary>
/// The micro-batches of one iteration: a loss closure each (what <see cref="Steps.TrainStep"/> runs) and the inputs
/// they read, released when the step is done.
/// </summary>
public sealed class MicroBatches : IDisposable
{
    private readonly IReadOnlyList<IDisposable> inputs;

    public MicroBatches(IReadOnlyList<Func<Tensor>> losses, IReadOnlyList<IDisposable> inputs)
    {
        Losses = losses;
        this.inputs = inputs;
    }

    /// <summary>Each call computes one micro-batch's loss (a scalar).</summary>
    public IReadOnlyList<Func<Tensor>> Losses { get; }

    public void Dispose()
    {
        foreach (var input in inputs) input.Dispose();
    }
}
