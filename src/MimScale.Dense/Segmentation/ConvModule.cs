using MimScale.Models.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MimScale.Dense.Segmentation;

/// <summary>
/// mmcv's <c>ConvModule</c> with a BatchNorm and ReLU, as mmseg's decode heads build it: conv without bias (mmcv
/// <c>bias='auto'</c> drops it when a norm follows), BatchNorm2d, ReLU. Keys <c>conv.weight</c>, <c>bn.weight</c>,
/// <c>bn.bias</c>, <c>bn.running_mean</c>, <c>bn.running_var</c>, <c>bn.num_batches_tracked</c>, as mmcv names them.
/// Initialisation as mmcv's <c>ConvModule.init_weights</c>: kaiming normal (fan_out, relu) for the conv, BN (1, 0).
/// </summary>
public sealed class ConvModule : Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly BatchNorm2d bn;

    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernel">1 or 3; padding is kernel / 2 (mmseg's heads).</param>
    /// <param name="generator">Initialises the weights.</param>
    public ConvModule(long inChannels, long outChannels, int kernel, Generator? generator) : base(nameof(ConvModule))
    {
        conv = Conv2d(inChannels, outChannels, kernel, padding: kernel / 2, bias: false);
        // mmcv's BN defaults: eps 1e-5, momentum 0.1 (mmseg's SyncBN in the ADE configs has the same numbers).
        bn = BatchNorm2d(outChannels, eps: 1e-5, momentum: 0.1);
        RegisterComponents();
        KaimingNormalFanOut(conv.weight!, generator);
    }

    /// <param name="x">(B, in, H, W).</param>
    /// <returns>(B, out, H, W).</returns>
    public override Tensor forward(Tensor x) => functional.relu(bn.forward(conv.forward(x)));

    /// <summary>
    /// mmcv <c>kaiming_init(mode='fan_out', nonlinearity='relu', distribution='normal')</c>: N(0, 2 / fan_out) with
    /// fan_out = out_channels x kh x kw. Drawn through torch.randn with the generator (TorchSharp 0.107's nn.init
    /// ignores a generator, see SwinV2Init).
    /// </summary>
    internal static void KaimingNormalFanOut(Tensor weight, Generator? generator)
    {
        long fanOut = weight.shape[0] * weight.shape.Skip(2).Aggregate(1L, (a, b) => a * b);
        NormalInit(weight, Math.Sqrt(2.0 / fanOut), generator);
    }

    /// <summary>N(0, std) from the generator.</summary>
    internal static void NormalInit(Tensor weight, double std, Generator? generator)
    {
        using var _ = torch.no_grad();
        using var draw = torch.randn(weight.shape, dtype: weight.dtype, generator: generator);
        weight.copy_(draw.TimesInPlace(std));
    }
}
