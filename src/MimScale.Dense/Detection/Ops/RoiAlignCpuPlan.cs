using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace MimScale.Dense.Detection.Ops;

/// <summary>
/// Builds a <see cref="RoiPoolKernel"/> on the host, RoI by RoI, with torchvision's float32 arithmetic
/// (csrc/ops/cpu/roi_align_common.h <c>pre_calc_for_bilinear_interpolate</c>): the same expressions evaluated in
/// float, so outputs and gradients come out bit-identical to torchvision's CPU kernel. The tensor-op twin for other
/// devices is <see cref="RoiAlignSampling"/>; the tests hold both to the fixtures.
/// </summary>
internal sealed class RoiAlignCpuPlan
{
    const long MaxEntries = 1L << 28;

    readonly List<int> runRow = new(), runStart = new(), runLength = new(), cols = new();
    readonly List<float> weights = new();
    readonly float[] rowCount;
    readonly int outH, outW;
    readonly int samplingRatio;
    readonly bool aligned;

    public RoiAlignCpuPlan(long numRois, int outH, int outW, int samplingRatio, bool aligned)
    {
        rowCount = new float[numRois * outH * outW];
        this.outH = outH; this.outW = outW; this.samplingRatio = samplingRatio; this.aligned = aligned;
    }

    /// <summary>RoIs as host floats, row-major [K, 5]: add them in ascending index order so the rows stay ascending.</summary>
    public static float[] HostRois(Tensor rois)
    {
        using var h = rois.detach().to_type(ScalarType.Float32).cpu().contiguous();
        return MemoryMarshal.Cast<byte, float>(h.bytes).ToArray();
    }

    /// <summary>
    /// Adds RoI <paramref name="roi"/> (x1, y1, x2, y2 in input pixels) pooled from a level of
    /// <paramref name="height"/> × <paramref name="width"/> pixels whose image starts at input row <paramref name="colBase"/>.
    /// </summary>
    public void Add(int roi, float x1, float y1, float x2, float y2, float scale, int colBase, int height, int width)
    {
        float offset = aligned ? 0.5f : 0f;
        float startW = x1 * scale - offset, startH = y1 * scale - offset;
        float roiW = x2 * scale - offset - startW, roiH = y2 * scale - offset - startH;
        if (!aligned) { roiW = Math.Max(roiW, 1f); roiH = Math.Max(roiH, 1f); }
        float binH = roiH / outH, binW = roiW / outW;
        int gridH = samplingRatio > 0 ? samplingRatio : GridOf(roiH / outH);
        int gridW = samplingRatio > 0 ? samplingRatio : GridOf(roiW / outW);
        float count = Math.Max(gridH * gridW, 1);
        int firstRow = roi * outH * outW;
        for (int cell = 0; cell < outH * outW; cell++) rowCount[firstRow + cell] = count;
        if (gridH <= 0 || gridW <= 0) return;                                // no samples: the bins stay 0
        if (cols.Count + (long)outH * outW * gridH * gridW * 4 > MaxEntries)
            throw new ArgumentException($"RoIAlign: {gridH}x{gridW} samples per bin for RoI {roi} (adaptive sampling of a huge RoI) needs more than {MaxEntries} sampling entries");
        for (int ph = 0; ph < outH; ph++)
            for (int pw = 0; pw < outW; pw++)
            {
                int start = cols.Count;
                for (int iy = 0; iy < gridH; iy++)
                {
                    float y = startH + ph * binH + (iy + .5f) * binH / gridH;
                    for (int ix = 0; ix < gridW; ix++)
                    {
                        float x = startW + pw * binW + (ix + .5f) * binW / gridW;
                        AddSample(y, x, colBase, height, width);
                    }
                }
                if (cols.Count == start) continue;                             // every sample off the map
                runRow.Add(firstRow + ph * outW + pw);
                runStart.Add(start);
                runLength.Add(cols.Count - start);
            }
    }

    public RoiPoolKernel Build(long inputRows, long channels) =>
        new(runRow.ToArray(), runStart.ToArray(), runLength.ToArray(), cols.ToArray(), weights.ToArray(), rowCount, inputRows, channels);

    // ceil(roi / out) as the kernel's int conversion; NaN or negative sizes give an empty grid
    static int GridOf(float ratio) => ratio > 0 ? (int)Math.Min(MathF.Ceiling(ratio), int.MaxValue / 2) : 0;

    // One sample's four taps (w1..w4 in the kernel's order); a sample outside [-1, H] x [-1, W] contributes nothing.
    void AddSample(float y, float x, int colBase, int height, int width)
    {
        if (!(y >= -1f && y <= height && x >= -1f && x <= width)) return;
        if (y <= 0) y = 0;
        if (x <= 0) x = 0;
        int yLow = (int)y, xLow = (int)x, yHigh, xHigh;
        if (yLow >= height - 1) { yHigh = yLow = height - 1; y = yLow; } else yHigh = yLow + 1;
        if (xLow >= width - 1) { xHigh = xLow = width - 1; x = xLow; } else xHigh = xLow + 1;
        float ly = y - yLow, lx = x - xLow;
        float hy = 1f - ly, hx = 1f - lx;
        cols.Add(colBase + yLow * width + xLow); weights.Add(hy * hx);
        cols.Add(colBase + yLow * width + xHigh); weights.Add(hy * lx);
        cols.Add(colBase + yHigh * width + xLow); weights.Add(ly * hx);
        cols.Add(colBase + yHigh * width + xHigh); weights.Add(ly * lx);
    }
}
