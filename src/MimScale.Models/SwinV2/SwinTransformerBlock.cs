using MimScale.Models.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MimScale.Models.SwinV2;

/// <summary>
/// SwinV2 block with res-post-norm: x = x + drop_path(norm1(attn(x))); x = x + drop_path(norm2(mlp(x))).
/// The LayerNorm sits on the branch output, not on the block input. SPEC §2.2.
/// </summary>
public sealed class SwinTransformerBlock : Module<Tensor, Tensor>
{
    private readonly LayerNorm norm1;
    private readonly WindowAttention attn;
    private readonly Module<Tensor, Tensor>? drop_path;
    private readonly LayerNorm norm2;
    private readonly Mlp mlp;
    private readonly Tensor? attn_mask;   // (nW, N, N) buffer, only for shifted blocks (no key otherwise, as official)

    private readonly int h, w, window, shift;

    public SwinTransformerBlock(int dim, (int H, int W) resolution, int numHeads, int window, int shift, double mlpRatio,
        bool qkvBias, double drop, double attnDrop, double dropPath, int pretrainedWindow, Generator? generator)
        : base(nameof(SwinTransformerBlock))
    {
        (h, w) = resolution;
        this.window = window;
        this.shift = shift;
        norm1 = LayerNorm(dim, eps: 1e-5);
        attn = new WindowAttention(dim, window, numHeads, qkvBias, attnDrop, drop, pretrainedWindow);
        if (dropPath > 0) drop_path = new DropPath(dropPath, generator);
        norm2 = LayerNorm(dim, eps: 1e-5);
        mlp = new Mlp(dim, (int)(dim * mlpRatio), drop);
        if (shift > 0) attn_mask = WindowOps.ShiftedWindowMask(h, w, window, shift);
        RegisterComponents();
        // Assigned after RegisterComponents so they stay out of the state dict (not official keys).
        if (WindowOps.TokenOrder(h, w, window, shift) is long[] order)
        {
            toWindows = torch.tensor(order);
            toRaster = torch.tensor(WindowOps.Inverse(order));
        }
    }

    // Roll + partition as one gather of the (B, H*W, C) tokens and its inverse (null when the order is the identity).
    // One index_select each way instead of roll (a copy per rolled dim) + permute/reshape copies, and far fewer ops
    // for the small models: stage-0 SwinV2-T (b8, 48x48, C96, shift 6) 6.2/12.9 -> 2.2/5.8 ms fwd/bwd, 1 thread.
    private readonly Tensor? toWindows, toRaster;

    public WindowAttention Attention => attn;
    public int Shift => shift;
    public int Window => window;
    public bool HasAttnMask => attn_mask is not null;

    /// <summary>Zeroes norm1/norm2 weight and bias so each residual branch starts at 0 (official _init_respostnorm).</summary>
    public void InitResPostNorm()
    {
        using var _ = torch.no_grad();
        foreach (var n in new[] { norm1, norm2 }) { n.weight!.zero_(); n.bias!.zero_(); }
    }

    /// <param name="x">(B, L, C) tokens, L = H*W row-major.</param>
    public override Tensor forward(Tensor x) => ForwardAt(x, h, w);

    /// <summary>
    /// The block on a token grid of any size (dense backbones). At the configured grid this is <see cref="forward"/>;
    /// otherwise the attention input is zero-padded right/bottom to a multiple of the window, attends with the shift
    /// order and mask of the padded grid (built once per size, cached), and is cropped back before norm1
    /// (mmseg/mmdet Swin <c>ShiftWindowMSA</c>: pad, roll, mask of (H_pad, W_pad), reverse, crop). The window and
    /// shift stay this block's own; SwinV2 attends on the residual stream itself, so padded tokens are zeros of it.
    /// </summary>
    /// <param name="x">(B, height*width, C) tokens, row-major.</param>
    /// <param name="height">Token rows of the grid.</param>
    /// <param name="width">Token columns of the grid.</param>
    public Tensor ForwardAt(Tensor x, int height, int width)
    {
        var shortcut = x;
        var attended = height == h && width == w
            ? Attend(x, h, w, toWindows, toRaster, attn_mask)                                     // (B, L, C) raster
            : AttendPadded(x, height, width);
        var y = norm1.forward(attended);
        x = shortcut.Plus(drop_path is null ? y : drop_path.forward(y));
        var z = norm2.forward(mlp.forward(x));
        return x.Plus(drop_path is null ? z : drop_path.forward(z));
    }

    // Roll + partition (one gather), window attention, and back to raster order on an (hh, ww) grid.
    Tensor Attend(Tensor x, int hh, int ww, Tensor? toWin, Tensor? toRas, Tensor? mask)
    {
        long b = x.shape[0], c = x.shape[2];
        var windows = (toWin is null ? x : x.index_select(1, OnDevice(toWin, x)))              // rolled by -shift, partitioned
            .view(-1, (long)window * window, c);                                                 // (B*nW, w*w, C)
        var attended = attn.forward(windows, mask).view(b, (long)hh * ww, c);                    // window order
        if (toRas is not null) attended = attended.index_select(1, OnDevice(toRas, x));          // (B, L, C) raster, rolled back
        return attended;
    }

    Tensor AttendPadded(Tensor x, int height, int width)
    {
        long b = x.shape[0], c = x.shape[2];
        if (x.shape[1] != (long)height * width)
            throw new ArgumentException($"{x.shape[1]} tokens do not form a {height}x{width} grid");
        var g = Grid(height, width);
        var grid = x;
        if (!g.IsExact)
            grid = functional.pad(x.view(b, height, width, c), new long[] { 0, 0, 0, g.PaddedWidth - width, 0, g.PaddedHeight - height })
                             .view(b, (long)g.PaddedHeight * g.PaddedWidth, c);                  // (B, Hp*Wp, C), zeros right/bottom
        var mask = g.Mask is null || (g.Mask.dtype == x.dtype && g.Mask.device == x.device) ? g.Mask : g.Mask.to(x.dtype, x.device);
        var attended = Attend(grid, g.PaddedHeight, g.PaddedWidth, g.ToWindows, g.ToRaster, mask);
        if (g.IsExact) return attended;
        return attended.view(b, g.PaddedHeight, g.PaddedWidth, c).narrow(1, 0, height).narrow(2, 0, width)   // crop the padding
                       .reshape(b, (long)height * width, c);
    }

    // Per grid size, built on first use; not module state (not in the state dict, rebuilt on demand). Bounded, so
    // inputs of ever new sizes cannot grow it without limit. Dropped entries are not disposed here (a forward on
    // another thread may still hold one); their finalizers free them.
    private readonly Dictionary<(int, int), PaddedWindowGrid> grids = new();
    private const int MaxGrids = 64;
    PaddedWindowGrid Grid(int height, int width)
    {
        lock (grids)
        {
            if (grids.TryGetValue((height, width), out var g)) return g;
            if (grids.Count >= MaxGrids) grids.Clear();
            return grids[(height, width)] = PaddedWindowGrid.Build(height, width, window, shift);
        }
    }

    static Tensor OnDevice(Tensor index, Tensor like) => index.device == like.device ? index : index.to(like.device);
}
