using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MimScale.Models.SwinV2;

/// <summary>
/// SwinV2 patch merging: gather each 2x2 neighbourhood as [x(0,0), x(1,0), x(0,1), x(1,1)] (row, col offsets)
/// into 4C channels, then reduction (4C -> 2C, no bias) THEN norm (V1 normalises first). SPEC §2.4.
/// </summary>
public sealed class PatchMerging : Module<Tensor, Tensor>
{
    private readonly Linear reduction;
    private readonly LayerNorm norm;
    private readonly int h, w;

    public PatchMerging((int H, int W) resolution, int dim) : base(nameof(PatchMerging))
    {
        (h, w) = resolution;
        reduction = Linear(4 * dim, 2 * dim, hasBias: false);
        norm = LayerNorm(2 * dim, eps: 1e-5);
        RegisterComponents();
    }

    /// <param name="x">(B, H*W, C)</param><returns>(B, H/2*W/2, 2C)</returns>
    public override Tensor forward(Tensor x) => ForwardAt(x, h, w);

    /// <summary>
    /// Merging on a (height, width) grid of any size (dense backbones): an odd side is zero-padded by one row/column
    /// at the bottom/right first (mmseg/mmdet Swin <c>PatchMerging</c>), so the output grid is (ceil(H/2), ceil(W/2)).
    /// </summary>
    /// <param name="x">(B, height*width, C)</param><returns>(B, ceil(height/2)*ceil(width/2), 2C)</returns>
    /// <param name="height">Token rows of the input grid.</param>
    /// <param name="width">Token columns of the input grid.</param>
    public Tensor ForwardAt(Tensor x, int height, int width)
    {
        long b = x.shape[0], c = x.shape[2];
        if (height % 2 != 0 || width % 2 != 0)
            x = functional.pad(x.view(b, height, width, c), new long[] { 0, 0, 0, width % 2, 0, height % 2 });
        int hh = (height + 1) / 2, ww = (width + 1) / 2;
        // (B, H/2, r, W/2, s, C) -> (B, H/2, W/2, s, r, C): channel blocks ordered (s,r) = (0,0),(0,1),(1,0),(1,1),
        // i.e. x0 = (r0,c0), x1 = (r1,c0), x2 = (r0,c1), x3 = (r1,c1) as in the official concat.
        var merged = x.view(b, hh, 2, ww, 2, c).permute(0, 1, 3, 4, 2, 5).reshape(b, (long)hh * ww, 4 * c);
        return norm.forward(reduction.forward(merged));
    }
}
