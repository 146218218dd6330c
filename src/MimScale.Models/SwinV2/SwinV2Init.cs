using MimScale.Models.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MimScale.Models.SwinV2;

/// <summary>
/// The official initialisation (SPEC §2.5), drawn from one generator so a seed fixes the model:
/// Linear weights N(0, 0.02) truncated at ±2 (100 sigma, so effectively untruncated), biases 0; LayerNorm (1, 0);
/// patch-embed conv as PyTorch's default (U(±1/sqrt(fan_in)) for weight and bias); then every block's norm1/norm2
/// weight and bias 0 (res-post-norm init); mask token and absolute position embedding N(0, 0.02).
/// </summary>
public static class SwinV2Init
{
    public static void Apply(nn.Module root, Generator? generator)
    {
        using var _ = torch.no_grad();
        foreach (var (_, module) in root.named_modules())
        {
            switch (module)
            {
                case Linear linear:
                    TruncNormal(linear.weight!, generator);
                    linear.bias?.zero_();
                    break;
                case LayerNorm ln:
                    ln.weight!.FillInPlace(1.0);
                    ln.bias!.zero_();
                    break;
                case Conv2d conv:
                    // kaiming_uniform(a=sqrt 5) on the weight equals U(±1/sqrt(fan_in)), as does PyTorch's bias init.
                    double bound = 1.0 / Math.Sqrt(conv.weight!.shape.Skip(1).Aggregate(1L, (a, b) => a * b));
                    Uniform(conv.weight!, bound, generator);
                    if (conv.bias is not null) Uniform(conv.bias, bound, generator);
                    break;
            }
        }
        foreach (var (_, module) in root.named_modules())
            if (module is SwinTransformerBlock block) block.InitResPostNorm();
        if (root is SwinTransformerV2 swin)
        {
            if (swin.MaskToken is not null) TruncNormal(swin.MaskToken, generator);
            if (swin.AbsolutePosEmbed is not null) TruncNormal(swin.AbsolutePosEmbed, generator);
        }
    }

    /// <summary>
    /// timm trunc_normal_(std=0.02) truncates at the absolute bounds ±2, i.e. 100 sigma: a plain normal draw clamped
    /// to ±2 has the same distribution. Draws go through torch.randn/rand with the generator because TorchSharp
    /// 0.107's nn.init functions ignore their generator argument and its trunc_normal_ fills the std as a constant.
    /// </summary>
    public static void TruncNormal(Tensor t, Generator? generator, double std = 0.02)
    {
        using var _ = torch.no_grad();
        using var draw = torch.randn(t.shape, dtype: t.dtype, device: t.device, generator: generator);
        t.copy_(draw.TimesInPlace(std).ClampInPlace(-2.0, 2.0));
    }

    /// <summary>U(-bound, bound) from the generator.</summary>
    public static void Uniform(Tensor t, double bound, Generator? generator)
    {
        using var _ = torch.no_grad();
        using var draw = torch.rand(t.shape, dtype: t.dtype, device: t.device, generator: generator);
        t.copy_(draw.TimesInPlace(2 * bound).MinusInPlace(bound));
    }
}
