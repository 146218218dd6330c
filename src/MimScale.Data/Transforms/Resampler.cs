using System.Buffers;
using System.Numerics;
using System.Runtime.Intrinsics;
using MimScale.Data.Sources;

namespace MimScale.Data.Transforms;

/// <summary>
/// Separable resampling of 8-bit images into float (0..255 scale), horizontal pass first then vertical (Pillow's
/// order), computed in float32 without Pillow's 8-bit rounding between and after the passes. Output goes straight
/// into a normalised CHW tensor buffer (with optional horizontal flip) or into an 8-bit RGB buffer.
/// Thread-safe: scratch space is per thread.
/// </summary>
public static class Resampler
{
    [ThreadStatic] private static Scratch? _scratch;

    private sealed class Scratch
    {
        public readonly AxisWeights X = new(), Y = new();
        public float[] Row = [];
    }

    /// <summary>Resamples and writes normalised planar (3, outH, outW) floats: (clamp(v,0,255)/255 - mean)/std.</summary>
    public static void ToNormalizedChw(DecodedImage src, in AxisSpec x, in AxisSpec y, Interpolation filter,
        Normalization norm, bool flip, Span<float> chw)
    {
        var target = new Target(norm, flip);
        Run(src, x, y, filter, ref target, chw, default);
    }

    /// <summary>Resamples and writes interleaved 8-bit RGB (outH, outW, 3), rounded and clamped like Pillow's output.</summary>
    public static void ToRgbBytes(DecodedImage src, in AxisSpec x, in AxisSpec y, Interpolation filter, bool flip, Span<byte> rgb)
    {
        var target = new Target(null, flip);
        Run(src, x, y, filter, ref target, default, rgb);
    }

    private readonly struct Target(Normalization? norm, bool flip)
    {
        public readonly Normalization? Norm = norm;
        public readonly bool Flip = flip;
    }

    private static unsafe void Run(DecodedImage src, in AxisSpec xAxis, in AxisSpec yAxis, Interpolation filter,
        ref Target target, Span<float> chw, Span<byte> rgb)
    {
        var s = _scratch ??= new Scratch();
        var xw = s.X;
        var yw = s.Y;
        xw.Compute(xAxis, filter);
        yw.Compute(yAxis, filter);
        int outW = xw.Count, outH = yw.Count, c = src.Channels, srcW = src.Width;
        if (target.Norm is not null && chw.Length < 3 * outW * outH) throw new ArgumentException("CHW span too small");
        if (target.Norm is null && rgb.Length < 3 * outW * outH) throw new ArgumentException("RGB span too small");

        int rowLo = yw.Start[0], rowHi = 0;
        for (int o = 0; o < outH; o++)
        {
            rowLo = Math.Min(rowLo, yw.Start[o]);
            rowHi = Math.Max(rowHi, yw.Start[o] + yw.Taps[o]);
        }
        int rows = rowHi - rowLo, rowFloats = outW * c;
        float[] tmp = ArrayPool<float>.Shared.Rent(rows * rowFloats);
        if (s.Row.Length < rowFloats) s.Row = new float[rowFloats];
        float[] line = s.Row;
        try
        {
            fixed (byte* pix = src.Buffer)
            fixed (float* t = tmp)
            fixed (float* wx = xw.Weights)
            {
                byte* basePtr = pix + src.Offset;
                // Horizontal pass: (rows, outW, c) floats.
                for (int r = 0; r < rows; r++)
                {
                    byte* srow = basePtr + (long)(rowLo + r) * srcW * c;
                    float* trow = t + (long)r * rowFloats;
                    if (c == 4) HorizontalRgbx(srow, trow, xw, wx);
                    else HorizontalGray(srow, trow, xw, wx);
                }
                // Vertical pass, one output row at a time, then emit.
                fixed (float* lp = line)
                fixed (float* wy = yw.Weights)
                {
                    for (int o = 0; o < outH; o++)
                    {
                        int start = yw.Start[o] - rowLo, n = yw.Taps[o];
                        float* w = wy + o * yw.Stride;
                        Vertical(t + (long)start * rowFloats, rowFloats, n, w, lp);
                        if (target.Norm is not null) EmitNormalized(lp, outW, c, o, outH, target.Norm, target.Flip, chw);
                        else EmitBytes(lp, outW, c, o, target.Flip, rgb);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(tmp);
        }
    }

    private static unsafe void HorizontalRgbx(byte* srow, float* trow, AxisWeights xw, float* weights)
    {
        int stride = xw.Stride;
        for (int o = 0; o < xw.Count; o++)
        {
            byte* p = srow + xw.Start[o] * 4;
            float* w = weights + o * stride;
            int n = xw.Taps[o];
            var acc = Vector128<float>.Zero;
            for (int k = 0; k < n; k++)
            {
                // 4 bytes (R,G,B,X) -> 4 floats.
                var px = Vector128.ConvertToSingle(Vector128.WidenLower(Vector128.WidenLower(
                    Vector128.CreateScalarUnsafe(*(uint*)(p + 4 * k)).AsByte())).AsInt32());
                acc += px * w[k];
            }
            acc.Store(trow + o * 4);
        }
    }

    private static unsafe void HorizontalGray(byte* srow, float* trow, AxisWeights xw, float* weights)
    {
        int stride = xw.Stride;
        for (int o = 0; o < xw.Count; o++)
        {
            byte* p = srow + xw.Start[o];
            float* w = weights + o * stride;
            int n = xw.Taps[o];
            float acc = 0;
            for (int k = 0; k < n; k++) acc += p[k] * w[k];
            trow[o] = acc;
        }
    }

    private static unsafe void Vertical(float* first, int rowFloats, int taps, float* w, float* dst)
    {
        int vw = Vector<float>.Count, i = 0;
        for (; i <= rowFloats - vw; i += vw)
        {
            var acc = Vector<float>.Zero;
            for (int k = 0; k < taps; k++)
                acc += *(Vector<float>*)(first + (long)k * rowFloats + i) * w[k];
            *(Vector<float>*)(dst + i) = acc;
        }
        for (; i < rowFloats; i++)
        {
            float acc = 0;
            for (int k = 0; k < taps; k++) acc += first[(long)k * rowFloats + i] * w[k];
            dst[i] = acc;
        }
    }

    private static unsafe void EmitNormalized(float* line, int outW, int c, int y, int outH, Normalization norm, bool flip, Span<float> chw)
    {
        int plane = outW * outH;
        for (int ch = 0; ch < 3; ch++)
        {
            float a = (float)(1.0 / (255.0 * norm.Std(ch)));
            float b = (float)(-norm.Mean(ch) / norm.Std(ch));
            var dst = chw.Slice(ch * plane + y * outW, outW);
            int srcCh = c == 1 ? 0 : ch;
            for (int x = 0; x < outW; x++)
            {
                float v = Math.Clamp(line[x * c + srcCh], 0f, 255f);
                dst[flip ? outW - 1 - x : x] = v * a + b;
            }
        }
    }

    private static unsafe void EmitBytes(float* line, int outW, int c, int y, bool flip, Span<byte> rgb)
    {
        var dst = rgb.Slice(y * outW * 3, outW * 3);
        for (int x = 0; x < outW; x++)
        {
            int xo = (flip ? outW - 1 - x : x) * 3;
            for (int ch = 0; ch < 3; ch++)
            {
                float v = line[x * c + (c == 1 ? 0 : ch)];
                dst[xo + ch] = (byte)Math.Clamp((int)MathF.Round(v, MidpointRounding.AwayFromZero), 0, 255);
            }
        }
    }
}
