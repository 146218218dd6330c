using MimScale.Models.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MimScale.Dense.Segmentation;

/// <summary>
/// mmseg's <c>UPerHead</c> (mmseg/models/decode_heads/uper_head.py, with <c>PSPModule</c> from psp_head.py), the
/// decode head of UPerNet (Xiao et al. 2018) as configs/_base_/models/upernet_swin.py builds it:
/// <list type="number">
/// <item>PPM on the last map: per pool scale s, AdaptiveAvgPool(s) then a 1x1 ConvModule (in -> ch), resized
/// bilinearly back; [x, pooled...] -> 3x3 ConvModule <c>bottleneck</c>: the top lateral.</item>
/// <item>1x1 <c>lateral_convs</c> on the other maps; top-down: lateral[i-1] += resize(lateral[i]).</item>
/// <item>3x3 <c>fpn_convs</c> on all but the top; everything resized to the finest map, concatenated -> 3x3
/// <c>fpn_bottleneck</c> -> Dropout2d -> 1x1 <c>conv_seg</c> (with bias, N(0, 0.01) init as BaseDecodeHead's).</item>
/// </list>
/// All resizes are bilinear with align_corners=False. Keys: <c>psp_modules.{i}.1.conv.weight</c>,
/// <c>bottleneck.*</c>, <c>lateral_convs.{i}.*</c>, <c>fpn_convs.{i}.*</c>, <c>fpn_bottleneck.*</c>, <c>conv_seg.*</c>.
/// </summary>
public sealed class UPerHead : Module<Tensor[], Tensor>
{
    private readonly ModuleList<Sequential> psp_modules;
    private readonly ConvModule bottleneck;
    private readonly ModuleList<ConvModule> lateral_convs;
    private readonly ModuleList<ConvModule> fpn_convs;
    private readonly ConvModule fpn_bottleneck;
    private readonly Conv2d conv_seg;
    private readonly ChannelDropout dropout;

    /// <param name="inChannels">Channels of the backbone maps, finest first (C, 2C, 4C, 8C).</param>
    /// <param name="channels">Width of the head (512 in the paper).</param>
    /// <param name="numClasses">Output channels of conv_seg.</param>
    /// <param name="poolScales">PPM bin sizes (1, 2, 3, 6).</param>
    /// <param name="dropoutRatio">Dropout2d before conv_seg (0.1).</param>
    /// <param name="generator">Initialises the weights and draws the dropout masks.</param>
    public UPerHead(int[] inChannels, int channels, int numClasses, int[] poolScales, double dropoutRatio, Generator? generator)
        : base(nameof(UPerHead))
    {
        if (inChannels.Length < 2) throw new ArgumentException($"UPerHead needs at least two input maps, got {inChannels.Length}");
        if (channels <= 0 || numClasses <= 0) throw new ArgumentException($"channels ({channels}) and classes ({numClasses}) must be positive");
        if (poolScales.Length == 0 || poolScales.Any(s => s <= 0)) throw new ArgumentException("pool scales must be positive");
        int top = inChannels[^1];
        psp_modules = new ModuleList<Sequential>();
        foreach (int s in poolScales)
            psp_modules.Add(Sequential(("0", AdaptiveAvgPool2d(s)), ("1", new ConvModule(top, channels, 1, generator))));
        bottleneck = new ConvModule(top + poolScales.Length * channels, channels, 3, generator);
        lateral_convs = new ModuleList<ConvModule>();
        fpn_convs = new ModuleList<ConvModule>();
        foreach (int c in inChannels[..^1])
        {
            lateral_convs.Add(new ConvModule(c, channels, 1, generator));
            fpn_convs.Add(new ConvModule(channels, channels, 3, generator));
        }
        fpn_bottleneck = new ConvModule(inChannels.Length * channels, channels, 3, generator);
        conv_seg = Conv2d(channels, numClasses, 1);
        dropout = new ChannelDropout(dropoutRatio, generator);
        RegisterComponents();
        ConvModule.NormalInit(conv_seg.weight!, 0.01, generator);
        using (torch.no_grad()) conv_seg.bias!.zero_();
    }

    /// <param name="inputs">The backbone maps, finest first: (B, C_i, H_i, W_i).</param>
    /// <returns>Logits (B, classes, H_0, W_0) at the finest map's size.</returns>
    public override Tensor forward(Tensor[] inputs)
    {
        int levels = lateral_convs.Count + 1;
        if (inputs.Length != levels) throw new ArgumentException($"UPerHead expects {levels} maps, got {inputs.Length}");
        using var scope = NewDisposeScope();
        var laterals = new Tensor[levels];
        for (int i = 0; i < levels - 1; i++) laterals[i] = lateral_convs[i].forward(inputs[i]);   // (B, ch, H_i, W_i)
        laterals[^1] = PspForward(inputs[^1]);                                                     // (B, ch, H_3, W_3)

        // Top-down: out of place (mmseg's += is in place on a fresh tensor; autograd sees the same sum).
        for (int i = levels - 1; i > 0; i--)
            laterals[i - 1] = laterals[i - 1].Plus(Resize(laterals[i], laterals[i - 1]));

        var outs = new Tensor[levels];
        for (int i = 0; i < levels - 1; i++) outs[i] = fpn_convs[i].forward(laterals[i]);
        outs[^1] = laterals[^1];
        for (int i = levels - 1; i > 0; i--) outs[i] = Resize(outs[i], outs[0]);
        var fused = fpn_bottleneck.forward(torch.cat(outs, 1));                                   // (B, ch, H_0, W_0)
        return conv_seg.forward(dropout.Apply(fused, training)).MoveToOuterDisposeScope();          // (B, K, H_0, W_0)
    }

    // PSPModule + bottleneck: [x, up(pool_1(x)), up(pool_2(x)), ...] -> 3x3 ConvModule.
    Tensor PspForward(Tensor x)
    {
        var parts = new List<Tensor> { x };
        foreach (var branch in psp_modules) parts.Add(Resize(branch.forward(x), x));
        return bottleneck.forward(torch.cat(parts, 1));
    }

    /// <summary>mmseg <c>resize(x, size=like.shape[2:], mode='bilinear', align_corners=False)</c>.</summary>
    internal static Tensor Resize(Tensor x, Tensor like) => ResizeTo(x, like.shape[2], like.shape[3]);

    /// <summary>Bilinear resize to (h, w), align_corners=False; the identity when the size already matches.</summary>
    internal static Tensor ResizeTo(Tensor x, long h, long w) =>
        x.shape[2] == h && x.shape[3] == w ? x
            : functional.interpolate(x, new[] { h, w }, mode: InterpolationMode.Bilinear, align_corners: false);
}
