using MimScale.Models.Runtime;
using MimScale.Models.SwinV2;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MimScale.Models.SimMim;

/// <summary>
/// SimMIM (Xie et al., CVPR 2022) with a SwinV2 encoder, as microsoft/Swin-Transformer models/simmim.py: the
/// encoder sees the image with masked patches replaced by a learned token; a light decoder predicts the raw pixels;
/// the loss is the L1 error on masked pixels only. <c>forward</c> reads like the method: encode, decode, loss.
/// Keys: <c>encoder.*</c>, <c>decoder.0.{weight,bias}</c>, and for the heavier decoder of the decoder-size study
/// (paper Table 8) <c>decoder_blocks.{i}.*</c>, i &lt; decoder_depth, each an official SwinV2 block's names
/// (<c>norm1</c>, <c>attn.{qkv.weight,q_bias,v_bias,logit_scale,cpb_mlp.{0,2},proj}</c>, <c>norm2</c>, <c>mlp.{fc1,fc2}</c>
/// and the rebuilt <c>attn.relative_*</c> buffers), num_features wide with the last stage's heads. Fine-tuning sets
/// <c>decoder_blocks.*</c> aside with the head (<c>StateDictKeys.StripEncoderPrefix</c>).
/// </summary>
public sealed class SimMimModel : Module<Tensor, Tensor, Tensor>
{
    private readonly SwinTransformerV2 encoder;
    private readonly ModuleList<SwinTransformerBlock>? decoder_blocks;
    private readonly Sequential decoder;

    public SimMimModel(SimMimOptions options, Generator? generator = null) : base(nameof(SimMimModel))
    {
        Options = options.Validate();
        var e = options.Encoder with { NumClasses = 0 };
        encoder = new SwinTransformerV2(e, withMaskToken: true, generator);
        int stride = options.EncoderStride;
        if (options.Decoder == DecoderKind.Transformer)
        {
            var grid = e.StageResolution(e.NumLayers - 1);
            int window = Math.Min(grid.H, grid.W);
            decoder_blocks = new ModuleList<SwinTransformerBlock>();
            for (int i = 0; i < options.DecoderDepth; i++)
                decoder_blocks.Add(new SwinTransformerBlock(e.NumFeatures, grid, e.NumHeads[^1], window, 0, e.MlpRatio,
                    e.QkvBias, 0, 0, 0, 0, generator));
        }
        decoder = Sequential(
            ("0", Conv2d(e.NumFeatures, (long)stride * stride * 3, 1)),   // 1x1 conv = per-location linear map
            ("1", PixelShuffle(stride)));                                  // (B, 3*s*s, h, w) -> (B, 3, h*s, w*s)
        RegisterComponents();
        if (decoder_blocks is not null) SwinV2Init.Apply(decoder_blocks, generator);
        SwinV2Init.Apply(decoder, generator);
    }

    public SimMimOptions Options { get; }
    public SwinTransformerV2 Encoder => encoder;

    /// <summary>Encoder feature map z: (B, num_features, H/stride, W/stride).</summary>
    /// <param name="x">(B, 3, H, W) normalised images.</param><param name="mask">(B, H/patch, W/patch), 1 = masked.</param>
    public Tensor ForwardEncoder(Tensor x, Tensor mask) => encoder.ForwardFeatureMap(x, mask);

    /// <summary>Reconstruction x_rec: (B, 3, H, W).</summary>
    public Tensor ForwardDecoder(Tensor z) => DecodeTokens(z.flatten(2).transpose(1, 2), z.shape[2], z.shape[3]);

    // (B, h*w, C) final tokens -> x_rec (B, 3, h*s, w*s). The 1x1 conv + PixelShuffle is applied as one linear map
    // on the tokens and a reshape: the same sums (conv weight (3*s*s, C, 1, 1) read as (3*s*s, C)), and channel
    // k = c*s*s + i*s + j goes to pixel (c, y*s + i, x*s + j) exactly as PixelShuffle places it. Skips the token ->
    // feature-map copy and the conv's layout reorders: decoder forward+backward 2.4 -> 0.95 ms (simmim-a, b16),
    // 42 -> 30 ms (SwinV2-T, b8, 192 px), 1 thread.
    Tensor DecodeTokens(Tensor tokens, long h, long w)
    {
        if (decoder_blocks is not null)
            foreach (var block in decoder_blocks) tokens = block.forward(tokens);
        var conv = (Conv2d)decoder.children().First();
        long b = tokens.shape[0], s = Options.EncoderStride;
        var pixels = functional.linear(tokens, conv.weight!.flatten(1), conv.bias);          // (B, h*w, 3*s*s)
        return pixels.view(b, h, w, 3, s, s).permute(0, 3, 1, 4, 2, 5).reshape(b, 3, h * s, w * s);
    }

    /// <summary>
    /// Official loss: sum(|target - x_rec| * mask_px) / (sum(mask_px) + 1e-5) / in_chans, with mask_px the token mask
    /// upsampled to pixels (B, 1, H, W); the count is of masked pixels in one channel, so dividing by the channels
    /// makes it a mean over masked pixel values.
    /// </summary>
    public Tensor ForwardLoss(Tensor x, Tensor xRec, Tensor mask)
    {
        var (errPerToken, maskF) = MaskedL1(x, xRec, mask);
        int p = Options.Encoder.PatchSize;
        return ((errPerToken * maskF).sum() / maskF.sum().Times(p * p).Plus(1e-5)).Over(x.shape[1]);
    }

    /// <summary>The batch loss and, per image, the same formula restricted to that image: (scalar, (B)).</summary>
    public (Tensor Loss, Tensor PerImage) ForwardLossPerImage(Tensor x, Tensor xRec, Tensor mask)
    {
        var (errPerToken, maskF) = MaskedL1(x, xRec, mask);
        int p = Options.Encoder.PatchSize;
        long chans = x.shape[1];
        var masked = errPerToken * maskF;                                                       // (B, h, w)
        var loss = (masked.sum() / maskF.sum().Times(p * p).Plus(1e-5)).Over(chans);
        var perImage = (masked.sum(new long[] { 1, 2 }) / maskF.sum(new long[] { 1, 2 }).Times(p * p).Plus(1e-5)).Over(chans);
        return (loss, perImage);
    }

    // |target - x_rec| summed over channels and over the p x p pixels of each token: (B, h, w), and the token mask as
    // float (B, h, w). Weighting per token equals the official weighting by the mask upsampled to pixels (each
    // masked token covers p*p pixels), without building the (B, 1, H, W) mask: 2 repeat_interleaves, a full-size
    // multiply and two full-size sums fewer per step.
    (Tensor ErrPerToken, Tensor MaskF) MaskedL1(Tensor x, Tensor xRec, Tensor mask)
    {
        int p = Options.Encoder.PatchSize;
        long b = x.shape[0], c = x.shape[1], h = x.shape[2] / p, w = x.shape[3] / p;
        if (mask.numel() != b * h * w)
            throw new ArgumentException($"mask has {mask.numel()} entries, expected {b}x{h}x{w} (one per {p}x{p} patch)");
        var target = Options.NormTargetWindow > 0 ? NormTargets.Compute(x, Options.NormTargetWindow) : x;
        var err = (target - xRec).abs().view(b, c, h, p, w, p).sum(new long[] { 1, 3, 5 });      // (B, h, w)
        return (err, mask.reshape(b, h, w).to_type(x.dtype));
    }

    /// <summary>Loss of the batch: encode the masked image, decode, compare on masked pixels.</summary>
    public override Tensor forward(Tensor x, Tensor mask)
    {
        // Tokens go straight from the encoder to the decoder (no feature-map round trip).
        var tokens = encoder.ForwardTokens(x, mask);                                             // (B, L', C')
        var (h, w) = Options.Encoder.StageResolution(Options.Encoder.NumLayers - 1);
        return ForwardLoss(x, DecodeTokens(tokens, h, w), mask);
    }
}
