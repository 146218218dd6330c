using MimScale.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Dense.Segmentation;

/// <summary>
/// <c>nn.Dropout2d</c> (the decode heads' dropout before <c>conv_seg</c>) drawing its channel mask from a given
/// generator: whole channels are zeroed with probability p and the rest scaled by 1/(1-p), in training only. The
/// generator is the run's stochastic stream (the one drop path uses and checkpoints save), so a resumed run draws
/// the same masks; torch's Dropout2d would use the global generator, which no checkpoint records.
/// </summary>
public sealed class ChannelDropout
{
    private readonly double p;
    private readonly Generator? generator;

    public ChannelDropout(double p, Generator? generator)
    {
        if (p < 0 || p >= 1) throw new ArgumentException($"dropout ratio must be in [0, 1), got {p}");
        this.p = p;
        this.generator = generator;
    }

    /// <param name="x">(B, C, H, W).</param>
    /// <param name="training">The owning module's mode: identity when false.</param>
    public Tensor Apply(Tensor x, bool training)
    {
        if (!training || p == 0) return x;
        using var scope = NewDisposeScope();
        using var keep = (1 - p).ToScalar();
        var mask = torch.rand(new[] { x.shape[0], x.shape[1], 1L, 1L }, dtype: x.dtype, generator: generator).lt(keep).to_type(x.dtype);   // (B, C, 1, 1)
        return x.mul(mask).Over(1 - p).MoveToOuterDisposeScope();
    }
}
