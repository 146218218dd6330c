using MimScale.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Models.SwinV2;

/// <summary>
/// Stochastic depth per sample (timm DropPath): in training, keep each sample's branch with probability 1-p and
/// scale kept ones by 1/(1-p). Draws come from the given generator, so a run's drop pattern is reproducible
/// and resumable (the generator's state is part of a training checkpoint).
/// <para>
/// Data-parallel runs set <see cref="Shard"/>: rank r of W holds samples r, r+W, r+2W, ... of each global batch
/// (the loader's interleaved sharding), so it draws the values of the WHOLE global batch, as one process would, and
/// keeps its own. Every rank's generator then stays in step with a one-process run, and a sample's drop pattern does
/// not depend on how many ranks share the batch (a resume with another rank count continues the same stream).
/// </para>
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

    /// <summary>This replica's place in a data-parallel job: (rank, world size); (0, 1) for one process.</summary>
    public (int Rank, int WorldSize) Shard { get; set; } = (0, 1);

    public override Tensor forward(Tensor x)
    {
        if (!training || p <= 0) return x;
        var shape = new long[x.dim()];
        shape[0] = x.shape[0];
        for (int i = 1; i < shape.Length; i++) shape[i] = 1;
        var (rank, world) = Shard;
        var local = (long[])shape.Clone();
        shape[0] *= world;
        // Drawn on the host, where the generator lives (a CPU generator cannot draw on another device), then moved.
        var draw = torch.rand(shape, dtype: x.dtype, generator: generator);                         // (W*B, 1, ...) global batch
        if (x.device_type != DeviceType.CPU) draw = draw.to(x.device);
        if (world > 1) draw = draw.view(x.shape[0], world, -1).select(1, rank).reshape(local);    // (B, 1, ...) samples rank::W
        var keep = draw.PlusInPlace(1 - p).floor_(); // (B, 1, ...)
        return x.Over(1 - p).mul(keep);
    }
}
