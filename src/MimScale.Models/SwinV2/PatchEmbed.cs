using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MimScale.Models.SwinV2;

/// <summary>Conv2d(in, C, k=p, s=p) then tokens (B, H/p*W/p, C) row-major, then LayerNorm when patch_norm.</summary>
public sealed class PatchEmbed : Module<Tensor, Tensor>
{
    private readonly Conv2d proj;
    private readonly LayerNorm? norm;
    private readonly int imgH, imgW, patch;

    public PatchEmbed(int[] imgSize, int patchSize, int inChans, int embedDim, bool patchNorm) : base(nameof(PatchEmbed))
    {
        (imgH, imgW, patch) = (imgSize[0], imgSize[1], patchSize);
        proj = Conv2d(inChans, embedDim, patchSize, stride: patchSize);
        if (patchNorm) norm = LayerNorm(embedDim, eps: 1e-5);
        RegisterComponents();
    }

    /// <param name="x">(B, in_chans, H, W), H and W exactly the configured img_size (as asserted officially).</param>
    public override Tensor forward(Tensor x)
    {
        if (x.shape[2] != imgH || x.shape[3] != imgW)
            throw new ArgumentException($"input image size {x.shape[2]}x{x.shape[3]} doesn't match the model ({imgH}x{imgW})");
        var tokens = proj.forward(x).flatten(2).transpose(1, 2);  // (B, L, C)
        return norm is null ? tokens : norm.forward(tokens);
    }

    /// <summary>
    /// Any input size (dense backbones): the image is zero-padded right/bottom to a multiple of the patch, as
    /// mmseg/mmdet's Swin <c>PatchEmbed</c> does, so the token grid is (ceil(H/patch), ceil(W/patch)).
    /// </summary>
    /// <returns>(B, ceil(H/p)*ceil(W/p), C) tokens, row-major.</returns>
    public Tensor ForwardAnySize(Tensor x)
    {
        long padH = (patch - x.shape[2] % patch) % patch, padW = (patch - x.shape[3] % patch) % patch;
        if (padH > 0 || padW > 0) x = functional.pad(x, new long[] { 0, padW, 0, padH });
        var tokens = proj.forward(x).flatten(2).transpose(1, 2);  // (B, L, C)
        return norm is null ? tokens : norm.forward(tokens);
    }
}
