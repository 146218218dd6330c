using System.Numerics;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Dense.Detection.Ops;

/// <summary>
/// The CPU float32 kernel behind <see cref="RoiAlign"/>: sampling entries (built by <see cref="RoiAlignCpuPlan"/>) as
/// row runs, applied with SIMD over channels. It repeats torchvision's arithmetic (csrc/ops/cpu/roi_align_kernel.cpp) in
/// its order: per sample <c>w1*v1 + w2*v2 + w3*v3 + w4*v4</c> added to the bin's sum, the sum divided by the count;
/// backward adds <c>grad*w/count</c> to the four taps, bins in (RoI, ph, pw) order. The tensor-op path (sampling
/// built with tensor ops, libtorch's COO sparse product) is 2-3x slower forward and 3-6x backward on CPU
/// (<see cref="OpsBench"/>) and stays the path for other devices and dtypes.
/// </summary>
internal sealed class RoiPoolKernel
{
    readonly int[] runRow, runStart, runLength; // one run per output row with entries, ascending row
    readonly int[] cols;                        // [E] input row (flat pixel) of each entry
    readonly float[] weights;                   // [E]
    readonly float[] rowCount;                  // [rows] divisor of each output row

    /// <summary>Output rows and channels of the pooled [Rows, Channels] matrix.</summary>
    public long Rows { get; }
    public long Channels { get; }
    public long InputRows { get; }

    /// <summary>Whether the kernel applies: float32 on the CPU, and every span fits in an int.</summary>
    public static bool Applies(Tensor flat, long rows) =>
        flat.device_type == DeviceType.CPU && flat.dtype == ScalarType.Float32
        && flat.numel() < int.MaxValue / 4 && rows * flat.shape[1] < int.MaxValue / 4;

    /// <summary>
    /// A plan from runs: output row <c>runRow[r]</c> sums the samples in entries [runStart[r], runStart[r] + runLength[r]),
    /// 4 taps per sample, rows ascending; <paramref name="rowCount"/> [rows] is each row's divisor.
    /// </summary>
    public RoiPoolKernel(int[] runRow, int[] runStart, int[] runLength, int[] cols, float[] weights, float[] rowCount,
        long inputRows, long channels)
    {
        this.runRow = runRow; this.runStart = runStart; this.runLength = runLength;
        this.cols = cols; this.weights = weights; this.rowCount = rowCount;
        Rows = rowCount.Length; InputRows = inputRows; Channels = channels;
    }

    /// <summary>pooled [Rows, C] = per row Σ_samples (w1 v1 + w2 v2 + w3 v3 + w4 v4) / count. flat: [InputRows, C].</summary>
    public Tensor Forward(Tensor flat)
    {
        var input = flat.contiguous();
        var output = zeros(Rows, Channels, ScalarType.Float32, flat.device);
        int c = (int)Channels, chunks = Math.Max(1, Math.Min(runRow.Length, 4 * Environment.ProcessorCount));
        Parallel.For(0, chunks, chunk =>
        {
            var f = MemoryMarshal.Cast<byte, float>(input.bytes);
            var o = MemoryMarshal.Cast<byte, float>(output.bytes);
            var acc = new float[c];
            var term = new float[c];
            for (int r = (int)((long)runRow.Length * chunk / chunks); r < (long)runRow.Length * (chunk + 1) / chunks; r++)
            {
                Array.Clear(acc);
                for (int i = runStart[r], end = i + runLength[r]; i < end; i += 4)
                {
                    Scale(term, f.Slice(cols[i] * c, c), weights[i]);
                    MultiplyAdd(term, f.Slice(cols[i + 1] * c, c), weights[i + 1]);
                    MultiplyAdd(term, f.Slice(cols[i + 2] * c, c), weights[i + 2]);
                    MultiplyAdd(term, f.Slice(cols[i + 3] * c, c), weights[i + 3]);
                    Add(acc, term);
                }
                Divide(o.Slice(runRow[r] * c, c), acc, rowCount[runRow[r]]);
            }
        });
        if (!ReferenceEquals(input, flat)) input.Dispose();
        return output;
    }

    /// <summary>grad_flat [InputRows, C]: each tap gets (grad_row · w) / count, bins in row order; channels split across threads.</summary>
    public Tensor Backward(Tensor gradOutput)
    {
        var grad = gradOutput.contiguous();
        var result = zeros(InputRows, Channels, ScalarType.Float32, gradOutput.device);
        int c = (int)Channels, step = Vector<float>.Count;
        int blocks = Math.Max(1, Math.Min(Environment.ProcessorCount, (c + step - 1) / step));
        int perBlock = (c / blocks + step - 1) / step * step;
        Parallel.For(0, blocks, block =>
        {
            int c0 = block * perBlock, width = Math.Min(c, c0 + perBlock) - c0;
            if (width <= 0) return;
            var g = MemoryMarshal.Cast<byte, float>(grad.bytes);
            var d = MemoryMarshal.Cast<byte, float>(result.bytes);
            for (int r = 0; r < runRow.Length; r++)
            {
                var gRow = g.Slice(runRow[r] * c + c0, width);
                float count = rowCount[runRow[r]];
                for (int i = runStart[r], end = i + runLength[r]; i < end; i++)
                    AddScaledDivided(d.Slice(cols[i] * c + c0, width), gRow, weights[i], count);
            }
        });
        if (!ReferenceEquals(grad, gradOutput)) grad.Dispose();
        return result;
    }

    // term = v * w
    static void Scale(Span<float> term, ReadOnlySpan<float> v, float w)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
            for (var wv = new Vector<float>(w); i <= term.Length - Vector<float>.Count; i += Vector<float>.Count)
                (new Vector<float>(v[i..]) * wv).CopyTo(term[i..]);
        for (; i < term.Length; i++) term[i] = v[i] * w;
    }

    // term = term + v * w (two roundings, as the C++ expression compiles without FMA contraction)
    static void MultiplyAdd(Span<float> term, ReadOnlySpan<float> v, float w)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
            for (var wv = new Vector<float>(w); i <= term.Length - Vector<float>.Count; i += Vector<float>.Count)
                (new Vector<float>(term[i..]) + new Vector<float>(v[i..]) * wv).CopyTo(term[i..]);
        for (; i < term.Length; i++) term[i] = term[i] + v[i] * w;
    }

    static void Add(Span<float> acc, ReadOnlySpan<float> term)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
            for (; i <= acc.Length - Vector<float>.Count; i += Vector<float>.Count)
                (new Vector<float>(acc[i..]) + new Vector<float>(term[i..])).CopyTo(acc[i..]);
        for (; i < acc.Length; i++) acc[i] += term[i];
    }

    static void Divide(Span<float> dst, ReadOnlySpan<float> acc, float count)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
            for (var cv = new Vector<float>(count); i <= dst.Length - Vector<float>.Count; i += Vector<float>.Count)
                (new Vector<float>(acc[i..]) / cv).CopyTo(dst[i..]);
        for (; i < dst.Length; i++) dst[i] = acc[i] / count;
    }

    // dst += (g * w) / count
    static void AddScaledDivided(Span<float> dst, ReadOnlySpan<float> g, float w, float count)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var wv = new Vector<float>(w);
            var cv = new Vector<float>(count);
            for (; i <= dst.Length - Vector<float>.Count; i += Vector<float>.Count)
                (new Vector<float>(dst[i..]) + new Vector<float>(g[i..]) * wv / cv).CopyTo(dst[i..]);
        }
        for (; i < dst.Length; i++) dst[i] += g[i] * w / count;
    }
}
