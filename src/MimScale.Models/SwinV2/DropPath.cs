using MimScale.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Models.SwinV2;

/// <summary>
/// Stochastic depth per sample (timm DropPath): in training, keep each sample's branch with probability 1-p and
/// scale kept ones by 1/(1-p). Draws come from the given generator, so a run's drop pattern is reproducible
/// and resumable (the generator's state is part of a training checkpoint).
/// </summary>
public sealed class DropPath : nn.Module<Tensor, Tensor>
{
    private readonly double p;
    private readonly Generator? generator;

    public DropPath(double p, Generator? generator) : base(nameof(DropPath))
    {
        this.p = p;
        this.generator = generator;
    }

    public double Probability => p;

    public override Tensor forward(Tensor x)
    {
        if (!training || p <= 0) return x;
        var shape = new long[x.dim()];
        shape[0] = x.shape[0];
        for (int i = 1; i < shape.Length; i++) shape[i] = 1;
        var keep = torch.rand(shape, dtype: x.dtype, device: x.device, generator: generator).PlusInPlace(1 - p).floor_(); // (B, 1, ...)
        return x.Over(1 - p).mul(keep);
    }
}
