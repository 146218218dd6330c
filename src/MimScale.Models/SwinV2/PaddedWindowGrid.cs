using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Models.SwinV2;

/// <summary>
/// The fixed tensors of shifted-window attention on a token grid of any size, for dense backbones: the grid is
/// zero-padded right/bottom to a multiple of the window (mmseg/mmdet Swin <c>ShiftWindowMSA</c>), and the shift
/// order, its inverse and the shift mask are those of the PADDED grid, as mmseg computes its mask from (H_pad, W_pad).
/// </summary>
/// <param name="Height">Token rows of the grid.</param>
/// <param name="Width">Token columns of the grid.</param>
/// <param name="PaddedHeight"><paramref name="Height"/> rounded up to a multiple of the window.</param>
/// <param name="PaddedWidth"><paramref name="Width"/> rounded up to a multiple of the window.</param>
/// <param name="ToWindows">Raster -> rolled window order on the padded grid, null when that is the identity.</param>
/// <param name="ToRaster">The inverse permutation, null with <paramref name="ToWindows"/>.</param>
/// <param name="Mask">(nW, N, N) 0/-100 mask of the padded grid when the block shifts, else null.</param>
public sealed record PaddedWindowGrid(int Height, int Width, int PaddedHeight, int PaddedWidth, Tensor? ToWindows, Tensor? ToRaster, Tensor? Mask)
{
    /// <summary>True when the grid needs no padding.</summary>
    public bool IsExact => Height == PaddedHeight && Width == PaddedWidth;

    /// <summary>Builds the tensors once; they live outside any dispose scope (the caller caches them).</summary>
    public static PaddedWindowGrid Build(int height, int width, int window, int shift)
    {
        if (height <= 0 || width <= 0) throw new ArgumentException($"token grid {height}x{width} is empty");
        int hp = (height + window - 1) / window * window, wp = (width + window - 1) / window * window;
        Tensor? toWindows = null, toRaster = null, mask = null;
        if (WindowOps.TokenOrder(hp, wp, window, shift) is long[] order)
        {
            toWindows = torch.tensor(order).DetachFromDisposeScope();
            toRaster = torch.tensor(WindowOps.Inverse(order)).DetachFromDisposeScope();
        }
        if (shift > 0) mask = WindowOps.ShiftedWindowMask(hp, wp, window, shift).DetachFromDisposeScope();
        return new PaddedWindowGrid(height, width, hp, wp, toWindows, toRaster, mask);
    }
}
