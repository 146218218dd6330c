using System.Buffers;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using MimScale.Data.Sources;

namespace MimScale.Data.Transforms;

/// <summary>
/// Separable resampling of 8-bit images into float (0..255 scale) with Pillow's filter weights (see
/// <see cref="AxisWeights"/>). The vertical pass runs first, straight from the bytes (AVX2 widening when available),
/// then the horizontal pass emits each output pixel. Everything stays float32 (Pillow rounds to 8 bits after each
/// pass; the result differs from Pillow by at most a level or two). Each output element accumulates its taps in a
/// fixed order with separate multiply and add (no FMA contraction), so results do not depend on the SIMD width.
/// Output goes straight into a normalised CHW buffer (with optional horizontal flip) or into 8-bit RGB.
/// Thread-safe: scratch space is per thread.
/// </summary>
public static class Resampler
{
    [ThreadStatic] private static Scratch? ThreadScratch;

    private sealed class Scratch
    {
        public readonly AxisWeights X = new(), Y = new();
    }

    /// <summary>Resamples and writes normalised planar (3, outH, outW) floats: (clamp(v,0,255)/255 - mean)/std.</summary>
    public static void ToNormalizedChw(DecodedImage src, in AxisSpec x, in AxisSpec y, Interpolation filter,
        Normalization norm, bool flip, Span<float> chw)
    {
        if (chw.Length < 3 * x.OutCount * y.OutCount) throw new ArgumentException("CHW span too small", nameof(chw));
        Run(src, x, y, filter, norm, flip, chw, default);
    }

    /// <summary>Resamples and writes interleaved 8-bit RGB (outH, outW, 3), rounded and clamped like Pillow's output.</summary>
    public static void ToRgbBytes(DecodedImage src, in AxisSpec x, in AxisSpec y, Interpolation filter, bool flip, Span<byte> rgb)
    {
        if (rgb.Length < 3 * x.OutCount * y.OutCount) throw new ArgumentException("RGB span too small", nameof(rgb));
        Run(src, x, y, filter, null, flip, default, rgb);
    }

    private static unsafe void Run(DecodedImage src, in AxisSpec xAxis, in AxisSpec yAxis, Interpolation filter,
        Normalization? norm, bool flip, Span<float> chw, Span<byte> rgb)
    {
        var s = ThreadScratch ??= new Scratch();
        var xw = s.X;
        var yw = s.Y;
        xw.Compute(xAxis, filter);
        yw.Compute(yAxis, filter);
        int outW = xw.Count, outH = yw.Count, c = src.Channels, srcW = src.Width;

        int colLo = int.MaxValue, colHi = 0;
        for (int o = 0; o < outW; o++)
        {
            colLo = Math.Min(colLo, xw.Start[o]);
            colHi = Math.Max(colHi, xw.Start[o] + xw.Taps[o]);
        }
        int rowFloats = (colHi - colLo) * c;
        float[] tmp = ArrayPool<float>.Shared.Rent(outH * rowFloats);
        try
        {
            fixed (byte* pix = src.Buffer)
            fixed (float* t = tmp)
            fixed (float* wy = yw.Weights)
            fixed (float* wx = xw.Weights)
            {
                byte* region = pix + src.Offset + colLo * c;
                long srcStride = (long)srcW * c;
                // Vertical pass: (outH, colHi - colLo, c) floats.
                for (int o = 0; o < outH; o++)
                    Vertical(region + yw.Start[o] * srcStride, srcStride, yw.Taps[o], wy + o * yw.Stride, t + (long)o * rowFloats, rowFloats);
                // Horizontal pass and output.
                for (int o = 0; o < outH; o++)
                {
                    float* row = t + (long)o * rowFloats;
                    if (c == 4)
                    {
                        if (norm is not null) HorizontalRgbxNormalized(row, xw, wx, colLo, norm, flip, o, outW, outH, chw);
                        else HorizontalRgbxBytes(row, xw, wx, colLo, flip, rgb.Slice(o * outW * 3, outW * 3));
                    }
                    else HorizontalGray(row, xw, wx, colLo, norm, flip, o, outW, outH, chw, rgb);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(tmp);
        }
    }

    /// <summary>dst[i] = sum_k w[k] * src[k*stride + i] for i &lt; count, bytes widened to float.</summary>
    private static unsafe void Vertical(byte* first, long stride, int taps, float* w, float* dst, int count)
    {
        int i = 0;
        if (Avx2.IsSupported)
        {
            for (; i <= count - 8; i += 8)
            {
                var acc = Vector256<float>.Zero;
                byte* p = first + i;
                for (int k = 0; k < taps; k++, p += stride)
                    acc = Avx.Add(acc, Avx.Multiply(Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(p)), Vector256.Create(w[k])));
                Avx.Store(dst + i, acc);
            }
        }
        for (; i < count; i++)
        {
            float acc = 0;
            byte* p = first + i;
            for (int k = 0; k < taps; k++, p += stride) acc += *p * w[k];
            dst[i] = acc;
        }
    }

    private static unsafe Vector128<float> PixelRgbx(float* row, AxisWeights xw, float* weights, int colLo, int o)
    {
        float* p = row + (xw.Start[o] - colLo) * 4;
        float* w = weights + o * xw.Stride;
        int n = xw.Taps[o];
        var acc = Vector128<float>.Zero;
        for (int k = 0; k < n; k++) acc += Vector128.Load(p + 4 * k) * w[k];
        return acc;
    }

    private static unsafe void HorizontalRgbxNormalized(float* row, AxisWeights xw, float* weights, int colLo,
        Normalization norm, bool flip, int y, int outW, int outH, Span<float> chw)
    {
        var scale = Vector128.Create((float)(1.0 / (255.0 * norm.StdR)), (float)(1.0 / (255.0 * norm.StdG)), (float)(1.0 / (255.0 * norm.StdB)), 0f);
        var shift = Vector128.Create((float)(-norm.MeanR / norm.StdR), (float)(-norm.MeanG / norm.StdG), (float)(-norm.MeanB / norm.StdB), 0f);
        var lo = Vector128<float>.Zero;
        var hi = Vector128.Create(255f);
        int plane = outW * outH;
        fixed (float* outBase = chw)
        {
            float* r = outBase + y * outW, g = r + plane, b = g + plane;
            for (int o = 0; o < outW; o++)
            {
                var v = Vector128.Min(Vector128.Max(PixelRgbx(row, xw, weights, colLo, o), lo), hi) * scale + shift;
                int xo = flip ? outW - 1 - o : o;
                r[xo] = v.GetElement(0);
                g[xo] = v.GetElement(1);
                b[xo] = v.GetElement(2);
            }
        }
    }

    private static unsafe void HorizontalRgbxBytes(float* row, AxisWeights xw, float* weights, int colLo, bool flip, Span<byte> dst)
    {
        int outW = xw.Count;
        for (int o = 0; o < outW; o++)
        {
            var v = PixelRgbx(row, xw, weights, colLo, o);
            int xo = (flip ? outW - 1 - o : o) * 3;
            for (int ch = 0; ch < 3; ch++)
                dst[xo + ch] = (byte)Math.Clamp((int)MathF.Round(v.GetElement(ch), MidpointRounding.AwayFromZero), 0, 255);
        }
    }

    private static unsafe void HorizontalGray(float* row, AxisWeights xw, float* weights, int colLo, Normalization? norm,
        bool flip, int y, int outW, int outH, Span<float> chw, Span<byte> rgb)
    {
        int plane = outW * outH;
        for (int o = 0; o < outW; o++)
        {
            float* p = row + (xw.Start[o] - colLo);
            float* w = weights + o * xw.Stride;
            float acc = 0;
            for (int k = 0; k < xw.Taps[o]; k++) acc += p[k] * w[k];
            int xo = flip ? outW - 1 - o : o;
            if (norm is not null)
            {
                float v = Math.Clamp(acc, 0f, 255f);
                for (int ch = 0; ch < 3; ch++)
                    chw[ch * plane + y * outW + xo] = v * (float)(1.0 / (255.0 * norm.Std(ch))) + (float)(-norm.Mean(ch) / norm.Std(ch));
            }
            else
            {
                byte v = (byte)Math.Clamp((int)MathF.Round(acc, MidpointRounding.AwayFromZero), 0, 255);
                rgb[(y * outW + xo) * 3] = rgb[(y * outW + xo) * 3 + 1] = rgb[(y * outW + xo) * 3 + 2] = v;
            }
        }
    }
}
