using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Dense.Detection.Ops;

/// <summary>
/// RoIAlign as a sparse matrix: each output cell (row <c>roi*oh*ow + ph*ow + pw</c>) is a weighted sum of input pixels
/// (column <c>colOffset + n*H*W + y*W + x</c>); weights are the bilinear weights of its sample points, summed over the
/// bin before dividing by <see cref="Count"/>. Built with tensor ops on the RoIs' device.
/// </summary>
/// <param name="Rows">int64 [E] output row of each entry.</param>
/// <param name="Cols">int64 [E] input column (flat pixel) of each entry.</param>
/// <param name="Weights">[E] bilinear weight (0 for samples outside the map).</param>
/// <param name="Count">[K] samples per bin of each RoI, <c>max(gh*gw, 1)</c>, the divisor of the bin sum.</param>
internal sealed record RoiAlignSampling(Tensor Rows, Tensor Cols, Tensor Weights, Tensor Count)
{
    /// <summary>Above this many entries (~5 GB of indices) the RoIs are refused: adaptive sampling of a huge RoI.</summary>
    const long MaxEntries = 1L << 28;

    static readonly Scalar Zero = 0, One = 1, MinusOne = -1, Half = 0.5;

    /// <summary>
    /// Sampling entries for <paramref name="rois"/> [K, 5] (batch, x1, y1, x2, y2) on a map [N, C, H, W] of the given
    /// dtype. <paramref name="roiIds"/> [K] int64 gives each RoI's output index (its row block); the caller owns the
    /// returned tensors' dispose scope.
    /// </summary>
    /// <remarks>
    /// Each step follows torchvision's CPU kernel (csrc/ops/cpu/roi_align_kernel.cpp and roi_align_common.h
    /// <c>pre_calc_for_bilinear_interpolate</c>), with the same float operations in the same order:
    /// start = x1*scale - 0.5 (aligned), bin = (end - start) / ow, grid = sampling_ratio or ceil(roi_w / ow) per RoI,
    /// sample x = (start + pw*bin) + (ix + 0.5)*bin / grid; a sample with y or x outside [-1, H] / [-1, W] weighs 0;
    /// otherwise negatives clamp to 0, and a low index at or past the last pixel pins both taps to it. The adaptive
    /// grid varies per RoI, so RoIs are grouped by (gh, gw) and each group is built with fixed-size tensors.
    /// </remarks>
    public static RoiAlignSampling Build(Tensor rois, Tensor roiIds, long colOffset, long height, long width,
        ScalarType dtype, double spatialScale, int outH, int outW, int samplingRatio, bool aligned)
    {
        var device = rois.device;
        var r = rois.detach().to_type(dtype);                                  // [K, 5]; torchvision has no RoI gradient
        using var scale = spatialScale.ToScalar();
        using var offset = (aligned ? 0.5 : 0.0).ToScalar();
        var startW = r[.., 1].mul(scale).sub(offset);                          // [K]
        var startH = r[.., 2].mul(scale).sub(offset);
        var roiW = r[.., 3].mul(scale).sub(offset).sub(startW);                // [K]
        var roiH = r[.., 4].mul(scale).sub(offset).sub(startH);
        if (!aligned) { roiW = roiW.clamp_min(One); roiH = roiH.clamp_min(One); } // legacy: malformed RoIs become 1x1
        using var oh = ((long)outH).ToScalar();
        using var ow = ((long)outW).ToScalar();
        var binH = roiH.div(oh);                                               // [K]
        var binW = roiW.div(ow);
        var image = r[.., 0].to_type(ScalarType.Int64);                        // [K] (int) cast, as the kernel does

        long k = rois.shape[0];
        long[] gridH, gridW;
        if (samplingRatio > 0)
        {
            gridH = Enumerable.Repeat((long)samplingRatio, (int)k).ToArray();
            gridW = gridH;
        }
        else
        {
            gridH = HostGrid(binH);
            gridW = HostGrid(binW);
        }

        var count = tensor(gridH.Zip(gridW, (a, b) => (double)Math.Max(a * b, 1)).ToArray(), dtype, device); // [K]
        var rows = new List<Tensor>(); var cols = new List<Tensor>(); var weights = new List<Tensor>();
        long entries = 0;
        foreach (var group in Enumerable.Range(0, (int)k).GroupBy(i => (gridH[i], gridW[i])))
        {
            var (gh, gw) = group.Key;
            if (gh <= 0 || gw <= 0) continue;                                  // empty grid: the kernel outputs 0
            entries += group.LongCount() * outH * outW * gh * gw * 4;
            if (entries > MaxEntries)
                throw new ArgumentException($"RoIAlign: {gh}x{gw} samples per bin for RoI {group.First()} (adaptive sampling of a huge RoI) needs more than {MaxEntries} sampling entries");
            var sel = tensor(group.Select(i => (long)i).ToArray(), ScalarType.Int64, device); // [G]
            var (yIdx, yW) = Axis(startH.index_select(0, sel), binH.index_select(0, sel), outH, gh, height);
            var (xIdx, xW) = Axis(startW.index_select(0, sel), binW.index_select(0, sel), outW, gw, width);
            long g = sel.shape[0];
            var shape = new[] { g, (long)outH, (long)outW, gh, gw, 2, 2 };
            var wy = yW.view(g, outH, 1, gh, 1, 2, 1);
            var wx = xW.view(g, 1, outW, 1, gw, 1, 2);
            weights.Add(wy.mul(wx).reshape(-1));                               // [G*oh*ow*gh*gw*4]
            using var w = width.ToScalar();
            using var hw = (height * width).ToScalar();
            using var colBase = colOffset.ToScalar();
            var pixel = image.index_select(0, sel).mul(hw).add(colBase, One).view(g, 1, 1, 1, 1, 1, 1);
            var col = pixel.add(yIdx.mul(w).view(g, outH, 1, gh, 1, 2, 1), One).add(xIdx.view(g, 1, outW, 1, gw, 1, 2), One);
            cols.Add(col.expand(shape).reshape(-1));
            using var cells = ((long)outH * outW).ToScalar();
            using var owS = ((long)outW).ToScalar();
            var roiRow = roiIds.index_select(0, sel).mul(cells).view(g, 1, 1, 1, 1, 1, 1);
            var cellRow = Arange.Of(outH, ScalarType.Int64, device).mul(owS).view(outH, 1).add(Arange.Of(outW, ScalarType.Int64, device), One);
            rows.Add(roiRow.add(cellRow.view(1, outH, outW, 1, 1, 1, 1), One).expand(shape).reshape(-1));
        }
        if (rows.Count == 0)
            return new(empty(0, ScalarType.Int64, device), empty(0, ScalarType.Int64, device), empty(0, dtype, device), count);
        return new(cat(rows, 0), cat(cols, 0), cat(weights, 0), count);
    }

    // ceil(roi_size / out_size) per RoI on the host (the grid sizes are the group keys); NaN gives an empty grid.
    static long[] HostGrid(Tensor ratio)
    {
        using var host = ratio.ceil().nan_to_num(0).to_type(ScalarType.Float64).cpu();
        return host.data<double>().ToArray().Select(v => v > int.MaxValue ? int.MaxValue : (long)v).ToArray();
    }

    /// <summary>
    /// One axis of the sample grid. start, bin: [G] → pixel indices int64 [G, P, S, 2] (low, high tap) and weights
    /// [G, P, S, 2] ((1 - l, l), zero for a sample outside [-1, size]).
    /// </summary>
    static (Tensor Index, Tensor Weight) Axis(Tensor start, Tensor bin, int bins, long samples, long size)
    {
        var dtype = start.dtype;
        var device = start.device;
        using var grid = samples.ToScalar();
        using var sizeS = size.ToScalar();
        using var last = (size - 1).ToScalar();
        var p = Arange.Of(bins, dtype, device);                                              // [P]
        var i = Arange.Of(samples, dtype, device).add(Half, One);                               // [S]  iy + .5f
        var binStart = start.unsqueeze(1).add(p.unsqueeze(0).mul(bin.unsqueeze(1)), One); // [G, P]  start + p*bin
        var within = i.unsqueeze(0).mul(bin.unsqueeze(1)).div(grid);                      // [G, S]  (i + .5)*bin / grid
        var coord = binStart.unsqueeze(2).add(within.unsqueeze(1), One);                  // [G, P, S]
        var valid = coord.ge(MinusOne).logical_and(coord.le(sizeS));                      // NaN compares false: invalid
        var v = where(valid, coord, zeros_like(coord)).clamp_min(Zero);                  // y <= 0 → 0
        var low = v.floor().to_type(ScalarType.Int64);                                    // (int)y, y >= 0
        var pinned = low.ge(last);                                                        // y_low >= size - 1
        var lastIdx = full_like(low, last);
        var high = where(pinned, lastIdx, low.add(One, One));
        low = where(pinned, lastIdx, low);
        v = where(pinned, full_like(v, last), v);
        var l = v.sub(low.to_type(dtype));                                                // ly = y - y_low
        var h = l.neg().add(One, One);                                                         // hy = 1 - ly
        var on = valid.to_type(dtype);
        return (stack(new[] { low, high }, -1), stack(new[] { h.mul(on), l.mul(on) }, -1));
    }
}
