namespace MimScale.Data.Transforms;

/// <summary>
/// How one output axis maps onto the source: output pixel o (o = OutStart .. OutStart+OutCount-1) is centred at
/// source coordinate Origin + (o + 0.5) * Scale, and the filter never reads outside [ClampLo, ClampHi).
/// </summary>
public readonly record struct AxisSpec(double Origin, double Scale, int OutStart, int OutCount, int ClampLo, int ClampHi)
{
    /// <summary>Crop [start, start+length) then resize it to <paramref name="outSize"/> (PIL: crop, then resize).</summary>
    public static AxisSpec Crop(int start, int length, int outSize) =>
        new(start, (double)length / outSize, 0, outSize, start, start + length);

    /// <summary>Resize the whole axis of <paramref name="inSize"/> to <paramref name="resized"/>, keep [cropStart, cropStart+cropLength).</summary>
    public static AxisSpec ResizeThenCrop(int inSize, int resized, int cropStart, int cropLength) =>
        new(0, (double)inSize / resized, cropStart, cropLength, 0, inSize);
}

/// <summary>
/// Filter taps of one axis, computed like Pillow's <c>precompute_coeffs</c>: support = filter support * max(scale, 1)
/// (antialiasing when downscaling), taps from floor(centre - support + 0.5) to floor(centre + support + 0.5) clamped to
/// the allowed range, weights filter((x + 0.5 - centre) / max(scale, 1)) normalised to sum 1.
/// </summary>
internal sealed class AxisWeights
{
    public int[] Start = [];
    public int[] Taps = [];
    public float[] Weights = [];
    public int Stride;
    public int Count;

    public static double Support(Interpolation f) => f == Interpolation.Bilinear ? 1.0 : 2.0;

    public static double Filter(Interpolation f, double x)
    {
        x = Math.Abs(x);
        if (f == Interpolation.Bilinear) return x < 1.0 ? 1.0 - x : 0.0;
        const double a = -0.5; // Pillow's bicubic constant
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
        if (x < 2.0) return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
        return 0.0;
    }

    /// <summary>Fills this instance (reusing its arrays) for <paramref name="axis"/>.</summary>
    public void Compute(in AxisSpec axis, Interpolation filter)
    {
        double filterScale = Math.Max(axis.Scale, 1.0);
        double support = Support(filter) * filterScale;
        int stride = (int)Math.Ceiling(support) * 2 + 1;
        Count = axis.OutCount;
        Stride = stride;
        if (Start.Length < Count) { Start = new int[Count]; Taps = new int[Count]; }
        if (Weights.Length < Count * stride) Weights = new float[Count * stride];
        double inv = 1.0 / filterScale;
        // One scratch row for every output: a stackalloc inside the loop would grow the stack by a row per output (CA2014).
        Span<double> scratch = stackalloc double[stride];
        for (int o = 0; o < Count; o++)
        {
            double centre = axis.Origin + (axis.OutStart + o + 0.5) * axis.Scale;
            int lo = Math.Max((int)Math.Floor(centre - support + 0.5), axis.ClampLo);
            int hi = Math.Min((int)Math.Floor(centre + support + 0.5), axis.ClampHi);
            if (hi <= lo) { hi = Math.Min(lo + 1, axis.ClampHi); lo = hi - 1; } // degenerate: nearest pixel
            int n = Math.Min(hi - lo, stride);
            double sum = 0;
            Span<double> w = scratch[..n];
            for (int k = 0; k < n; k++)
            {
                w[k] = Filter(filter, (lo + k + 0.5 - centre) * inv);
                sum += w[k];
            }
            var dst = Weights.AsSpan(o * stride, stride);
            dst.Clear();
            for (int k = 0; k < n; k++) dst[k] = (float)(sum != 0 ? w[k] / sum : (k == 0 ? 1 : 0));
            Start[o] = lo;
            Taps[o] = n;
        }
    }
}
