using MimScale.Models.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MimScale.Models.SwinV2;

/// <summary>
/// Swin Transformer V2 (Liu et al., CVPR 2022) as coded in microsoft/Swin-Transformer models/swin_transformer_v2.py:
/// patch_embed -> 4 stages -> norm -> token mean -> head. With <c>withMaskToken</c> it is also the SimMIM encoder
/// (official SwinTransformerV2ForSimMIM): masked tokens are replaced by <c>mask_token</c> after the patch-embed norm.
/// Field names are the official state-dict keys.
/// </summary>
public sealed class SwinTransformerV2 : Module<Tensor, Tensor>
{
    private readonly PatchEmbed patch_embed;
    private readonly Parameter? absolute_pos_embed;   // (1, L, C), only with ape
    private readonly Parameter? mask_token;           // (1, 1, C), only for the SimMIM encoder
    private readonly Dropout? pos_drop;
    private readonly ModuleList<BasicLayer> layers;
    private readonly LayerNorm norm;
    private readonly Linear? head;

    public SwinTransformerV2(SwinV2Options options, bool withMaskToken = false, Generator? generator = null)
        : base(nameof(SwinTransformerV2))
    {
        Options = options.Validate();
        var o = options;
        patch_embed = new PatchEmbed(o.ImgSize, o.PatchSize, o.InChans, o.EmbedDim, o.PatchNorm);
        var (ph, pw) = o.PatchesResolution;
        if (o.Ape) absolute_pos_embed = new Parameter(torch.zeros(1, (long)ph * pw, o.EmbedDim));
        if (withMaskToken) mask_token = new Parameter(torch.zeros(1, 1, o.EmbedDim));
        if (o.DropRate > 0) pos_drop = Dropout(o.DropRate);

        // Stochastic depth rises linearly over all blocks in global order: linspace(0, rate, sum(depths)).
        var rates = o.DropPathRates();
        layers = new ModuleList<BasicLayer>();
        for (int i = 0; i < o.NumLayers; i++) layers.Add(new BasicLayer(o, i, rates, generator));
        norm = LayerNorm(o.NumFeatures, eps: 1e-5);
        if (o.NumClasses > 0) head = Linear(o.NumFeatures, o.NumClasses);
        RegisterComponents();
        SwinV2Init.Apply(this, generator);
    }

    public SwinV2Options Options { get; }
    public bool HasMaskToken => mask_token is not null;
    public IReadOnlyList<BasicLayer> Layers => layers.ToList();
    internal Parameter? MaskToken => mask_token;
    internal Parameter? AbsolutePosEmbed => absolute_pos_embed;

    /// <summary>Patch embedding (+ mask-token blend, + absolute position, + dropout): (B, L, C).</summary>
    /// <param name="x">(B, 3, H, W) images.</param>
    /// <param name="mask">(B, H/patch, W/patch) with 1 = masked, required iff the model has a mask token.</param>
    public Tensor Embed(Tensor x, Tensor? mask = null)
    {
        x = patch_embed.forward(x);                                           // (B, L, C)
        if (mask is not null)
        {
            if (mask_token is null) throw new InvalidOperationException("this SwinV2 has no mask_token: build it as a SimMIM encoder");
            long b = x.shape[0], l = x.shape[1];
            if (mask.numel() != b * l)
                throw new ArgumentException($"mask has {mask.numel()} entries, expected {b}x{l} (one per token)");
            var wgt = mask.reshape(b, l, 1).to_type(x.dtype);                   // (B, L, 1), 1 = masked
            x = (x * wgt.SubtractedFrom(1)).Plus(mask_token.expand(b, l, -1) * wgt);
        }
        if (absolute_pos_embed is not null) x = x.Plus(absolute_pos_embed);
        return pos_drop is null ? x : pos_drop.forward(x);
    }

    /// <summary>Tokens after the last stage and the final norm: (B, L_last, num_features).</summary>
    public Tensor ForwardTokens(Tensor x, Tensor? mask = null)
    {
        x = Embed(x, mask);
        foreach (var layer in layers) x = layer.forward(x);
        return norm.forward(x);
    }

    /// <summary>Pooled features (final norm, then mean over tokens): (B, num_features).</summary>
    public Tensor ForwardFeatures(Tensor x) => ForwardTokens(x).mean(new long[] { 1 });

    /// <summary>SimMIM encoder output as a feature map (B, num_features, H/stride, W/stride).</summary>
    public Tensor ForwardFeatureMap(Tensor x, Tensor mask)
    {
        var tokens = ForwardTokens(x, mask);                                  // (B, L', C')
        var (h, w) = Options.StageResolution(Options.NumLayers - 1);
        return tokens.transpose(1, 2).reshape(tokens.shape[0], tokens.shape[2], h, w);
    }

    /// <summary>Logits (B, num_classes), or pooled features when num_classes = 0.</summary>
    public override Tensor forward(Tensor x)
    {
        var features = ForwardFeatures(x);
        return head is null ? features : head.forward(features);
    }
}
