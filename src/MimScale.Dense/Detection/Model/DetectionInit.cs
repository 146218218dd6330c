using MimScale.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Dense.Detection.Model;

/// <summary>
/// The initialisations mmdet gives the Mask R-CNN heads, drawn from one generator so a seed fixes the model
/// (TorchSharp 0.107's nn.init ignores its generator argument, see SwinV2Init): Xavier-uniform for the FPN convs
/// (FPN init_cfg) and the box head's shared FCs (ConvFCBBoxHead init_cfg), N(0, std) for the RPN convs (0.01) and the
/// box classifier / regressor (0.01 / 0.001, BBoxHead init_cfg), Kaiming-normal fan_out/ReLU for the mask head's
/// deconvolution and logits (FCNMaskHead.init_weights); biases 0. The mask head's 3x3 convs keep ConvModule's default,
/// Kaiming-normal fan_out as well (mmcv ConvModule.init_weights with relu).
/// </summary>
internal static class DetectionInit
{
    /// <summary>N(0, std²).</summary>
    public static void Normal(Tensor t, double std, Generator? generator)
    {
        using var _ = no_grad();
        using var draw = randn(t.shape, dtype: t.dtype, device: t.device, generator: generator);
        using var scaled = draw.Times(std);
        t.copy_(scaled);
    }

    /// <summary>U(-b, b) with b = gain·sqrt(6 / (fan_in + fan_out)) (torch.nn.init.xavier_uniform_, gain 1).</summary>
    public static void XavierUniform(Tensor t, Generator? generator)
    {
        var (fanIn, fanOut) = Fans(t);
        double bound = Math.Sqrt(6.0 / (fanIn + fanOut));
        using var _ = no_grad();
        using var draw = rand(t.shape, dtype: t.dtype, device: t.device, generator: generator);   // U(0, 1)
        using var scaled = draw.Times(2 * bound).Minus(bound);
        t.copy_(scaled);
    }

    /// <summary>N(0, 2 / fan_out) (kaiming_normal_, mode fan_out, ReLU gain sqrt 2).</summary>
    public static void KaimingNormalFanOut(Tensor t, Generator? generator) => Normal(t, Math.Sqrt(2.0 / Fans(t).FanOut), generator);

    /// <summary>Zeros.</summary>
    public static void Zero(Tensor? t)
    {
        if (t is null) return;
        using var _ = no_grad();
        t.zero_();
    }

    // torch.nn.init._calculate_fan_in_and_fan_out: dim 1 / dim 0 times the receptive field (ConvTranspose weights are
    // (in, out, kh, kw), so their "fan_out" is in·kh·kw, as PyTorch computes it).
    static (double FanIn, double FanOut) Fans(Tensor t)
    {
        long receptive = 1;
        for (int d = 2; d < t.dim(); d++) receptive *= t.shape[d];
        return (t.shape[1] * receptive, t.shape[0] * receptive);
    }
}
