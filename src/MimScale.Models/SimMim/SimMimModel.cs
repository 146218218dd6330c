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
/// Keys: <c>encoder.*</c>, <c>decoder.0.{weight,bias}</c> (and <c>decoder_blocks.*</c> for the heavier decoder).
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
    public Tensor ForwardDecoder(Tensor z)
    {
        if (decoder_blocks is not null)
        {
            long b = z.shape[0], c = z.shape[1], h = z.shape[2], w = z.shape[3];
            var tokens = z.flatten(2).transpose(1, 2);                     // (B, h*w, C)
            foreach (var block in decoder_blocks) tokens = block.forward(tokens);
            z = tokens.transpose(1, 2).reshape(b, c, h, w);
        }
        return decoder.forward(z);
    }

    /// <summary>
    /// Official loss: sum(|target - x_rec| * mask_px) / (sum(mask_px) + 1e-5) / in_chans, with mask_px the token mask
    /// upsampled to pixels (B, 1, H, W); the count is of masked pixels in one channel, so dividing by the channels
    /// makes it a mean over masked pixel values.
    /// </summary>
    public Tensor ForwardLoss(Tensor x, Tensor xRec, Tensor mask)
    {
        var (loss, _) = ForwardLossPerImage(x, xRec, mask);
        return loss;
    }

    /// <summary>The batch loss and, per image, the same formula restricted to that image: (scalar, (B)).</summary>
    public (Tensor Loss, Tensor PerImage) ForwardLossPerImage(Tensor x, Tensor xRec, Tensor mask)
    {
        int p = Options.Encoder.PatchSize;
        var maskPx = mask.repeat_interleave(p, 1).repeat_interleave(p, 2).unsqueeze(1).to_type(x.dtype); // (B, 1, H, W)
        var target = Options.NormTargetWindow > 0 ? NormTargets.Compute(x, Options.NormTargetWindow) : x;
        var err = (target - xRec).abs() * maskPx;                                                    // (B, 3, H, W)
        long chans = x.shape[1];
        var loss = err.sum() / (maskPx.sum() + 1e-5) / chans;
        var perImage = err.sum(new long[] { 1, 2, 3 }) / (maskPx.sum(new long[] { 1, 2, 3 }) + 1e-5) / chans;
        return (loss, perImage);
    }

    /// <summary>Loss of the batch: encode the masked image, decode, compare on masked pixels.</summary>
    public override Tensor forward(Tensor x, Tensor mask)
    {
        var xRec = ForwardDecoder(ForwardEncoder(x, mask));
        return ForwardLoss(x, xRec, mask);
    }
}
