using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Models.SwinV2;

/// <summary>Window partitioning and the fixed index/coordinate/mask tensors of SwinV2 windows.</summary>
public static class WindowOps
{
    /// <summary>(B, H, W, C) -> (B*nW, w*w, C); windows row-major over the grid, tokens row-major inside.</summary>
    public static Tensor Partition(Tensor x, int window)
    {
        long b = x.shape[0], h = x.shape[1], w = x.shape[2], c = x.shape[3];
        return x.view(b, h / window, window, w / window, window, c)
                .permute(0, 1, 3, 2, 4, 5)
                .reshape(-1, window * window, c);
    }

    /// <summary>(B*nW, w*w, C) -> (B, H, W, C), the inverse of <see cref="Partition"/>.</summary>
    public static Tensor Reverse(Tensor windows, int window, int h, int w)
    {
        long c = windows.shape[^1];
        long b = windows.shape[0] / ((h / window) * (w / window));
        return windows.view(b, h / window, w / window, window, window, c)
                      .permute(0, 1, 3, 2, 4, 5)
                      .reshape(b, h, w, c);
    }

    /// <summary>
    /// The token order of cyclic shift + partition as one permutation of the H*W raster tokens: entry i is the raster
    /// index of the token that <c>Partition(roll(x, (-shift, -shift)), window)</c> puts at flat position i of its
    /// (B*nW, w*w) output, so <c>x.index_select(1, order)</c> on (B, H*W, C) tokens equals it. Null when the order is
    /// the identity (no shift and a single window), where nothing needs to move.
    /// </summary>
    public static long[]? TokenOrder(int h, int w, int window, int shift)
    {
        var order = new long[h * w];
        int i = 0;
        for (int wy = 0; wy < h / window; wy++)
            for (int wx = 0; wx < w / window; wx++)
                for (int r = 0; r < window; r++)
                    for (int c = 0; c < window; c++)
                        order[i++] = (long)((wy * window + r + shift) % h) * w + (wx * window + c + shift) % w;
        for (int k = 0; k < order.Length; k++)
            if (order[k] != k) return order;
        return null;
    }

    /// <summary>The inverse permutation: <c>inverse[order[i]] = i</c>.</summary>
    public static long[] Inverse(long[] order)
    {
        var inverse = new long[order.Length];
        for (int i = 0; i < order.Length; i++) inverse[order[i]] = i;
        return inverse;
    }

    /// <summary>
    /// (N, N) int64 with N = w*w: index into the (2w-1)^2 bias table for the offset between token p and token q,
    /// (ph - qh + w - 1) * (2w - 1) + (pw - qw + w - 1).
    /// </summary>
    public static Tensor RelativePositionIndex(int window)
    {
        int n = window * window, span = 2 * window - 1;
        var idx = new long[n * n];
        for (int p = 0; p < n; p++)
            for (int q = 0; q < n; q++)
                idx[p * n + q] = (p / window - q / window + window - 1) * span + (p % window - q % window + window - 1);
        return tensor(idx, new long[] { n, n }, ScalarType.Int64);
    }

    /// <summary>
    /// (1, 2w-1, 2w-1, 2) float32 log-spaced relative coordinates: offsets divided by (pretrained window - 1) when
    /// a pretrained window is given, else by (window - 1); times 8; then sign(x) log2(|x|+1) / log2(8).
    /// A 1x1 window has only offset 0, which the official formula would divide by zero (NaN); MimScale divides by 1
    /// there, so the coordinate is 0.
    /// </summary>
    public static Tensor RelativeCoordsTable(int window, int pretrainedWindow)
    {
        int span = 2 * window - 1;
        float norm = Math.Max(1, (pretrainedWindow > 0 ? pretrainedWindow : window) - 1);
        var t = new float[span * span * 2];
        for (int a = 0; a < span; a++)
            for (int b = 0; b < span; b++)
            {
                t[(a * span + b) * 2 + 0] = LogSpaced((a - (window - 1)) / norm * 8f);
                t[(a * span + b) * 2 + 1] = LogSpaced((b - (window - 1)) / norm * 8f);
            }
        return tensor(t, new long[] { 1, span, span, 2 }, ScalarType.Float32);
    }

    // Computed in float32 like the official code (the table is built in float32 there); log2(8) = 3.
    static float LogSpaced(float x) => MathF.Sign(x) * MathF.Log2(MathF.Abs(x) + 1f) / 3f;

    /// <summary>
    /// (nW, w*w, w*w) float32 mask for shifted windows: 0 where two tokens come from the same region of the rolled
    /// image, -100 elsewhere (the official fill value, not -inf). Regions split each axis at H-w and H-shift.
    /// </summary>
    public static Tensor ShiftedWindowMask(int h, int w, int window, int shift)
    {
        var region = new int[h * w];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                region[y * w + x] = Band(y, h, window, shift) * 3 + Band(x, w, window, shift);
        int nWh = h / window, nWw = w / window, n = window * window;
        var mask = new float[nWh * nWw * n * n];
        for (int wy = 0; wy < nWh; wy++)
            for (int wx = 0; wx < nWw; wx++)
            {
                int win = wy * nWw + wx;
                for (int p = 0; p < n; p++)
                {
                    int rp = region[(wy * window + p / window) * w + wx * window + p % window];
                    for (int q = 0; q < n; q++)
                    {
                        int rq = region[(wy * window + q / window) * w + wx * window + q % window];
                        mask[(win * n + p) * n + q] = rp == rq ? 0f : -100f;
                    }
                }
            }
        return tensor(mask, new long[] { nWh * nWw, n, n }, ScalarType.Float32);
    }

    static int Band(int i, int size, int window, int shift) => i < size - window ? 0 : i < size - shift ? 1 : 2;
}
