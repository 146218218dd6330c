using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MimScale.Dense.Detection.Model;

/// <summary>
/// mmcv's <c>ConvModule</c> without normalisation: a conv (with bias) held as <c>conv</c>, optionally followed by ReLU,
/// so state-dict keys read as mmdet's (<c>neck.lateral_convs.0.conv.weight</c>, <c>mask_head.convs.3.conv.bias</c>).
/// </summary>
public sealed class ConvModule : Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly bool relu;

    /// <summary>A k x k conv with padding k/2 (same size), stride 1.</summary>
    public ConvModule(long inChannels, long outChannels, long kernel, bool relu) : base(nameof(ConvModule))
    {
        conv = Conv2d(inChannels, outChannels, kernel, padding: kernel / 2);
        this.relu = relu;
        RegisterComponents();
    }

    /// <summary>The convolution (for initialisation).</summary>
    public Conv2d Conv => conv;

    /// <inheritdoc/>
    public override Tensor forward(Tensor x) => relu ? functional.relu(conv.forward(x)) : conv.forward(x);
}
