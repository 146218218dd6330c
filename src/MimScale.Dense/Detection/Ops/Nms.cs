using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Dense.Detection.Ops;

/// <summary>
/// Greedy non-maximum suppression with the indices of <c>torchvision.ops.nms</c> (csrc/ops/cpu/nms_kernel.cpp),
/// ties included: boxes are visited by descending score, ties in index order (the kernel sorts with stable=True), a box is
/// kept unless a kept box overlaps it with IoU &gt; threshold (strictly), and the result lists kept indices in visit
/// order. float32 CPU boxes run the kernel's loop on the host (IoU computed only against boxes not yet suppressed, in
/// the kernel's float expressions); other devices and dtypes build the IoU matrix once on the device (N² bytes after
/// thresholding: 4 MB at N = 2000) and walk that byte matrix on the host. On CPU the matrix path took 1.6x the host
/// loop on a quiet machine and ~15x on a loaded one (many small parallel tensor ops), see <see cref="OpsBench"/>.
/// </summary>
public static class Nms
{
    const int RowBlock = 512;

    /// <summary>Kept indices. boxes: [N, 4] (x1, y1, x2, y2), scores: [N] → int64 [K] on the boxes' device.</summary>
    /// <param name="boxes">[N, 4] (x1, y1, x2, y2).</param>
    /// <param name="scores">[N].</param>
    /// <param name="iouThreshold">Suppress boxes whose IoU with a kept box is above this.</param>
    /// <param name="hostLoop">Run float32 CPU boxes through the host loop (false forces the IoU-matrix path of other devices).</param>
    public static Tensor Apply(Tensor boxes, Tensor scores, double iouThreshold, bool hostLoop = true)
    {
        BoxIou.CheckBoxes(boxes, nameof(boxes));
        if (scores.dim() != 1 || scores.shape[0] != boxes.shape[0])
            throw new ArgumentException($"scores must be [{boxes.shape[0]}] (one per box), got [{string.Join(", ", scores.shape)}]", nameof(scores));
        if (double.IsNaN(iouThreshold)) throw new ArgumentException("iouThreshold is NaN", nameof(iouThreshold));
        var keep = KeptIndices(boxes, scores, iouThreshold, hostLoop);
        return tensor(keep, ScalarType.Int64, boxes.device);
    }

    /// <summary>The kept indices as a host array (the greedy pass of <see cref="Apply"/>).</summary>
    internal static long[] KeptIndices(Tensor boxes, Tensor scores, double iouThreshold, bool hostLoop = true)
    {
        int n = checked((int)boxes.shape[0]);
        if (n == 0) return Array.Empty<long>();
        if (hostLoop && boxes.device_type == DeviceType.CPU && boxes.dtype == ScalarType.Float32)
            return HostLoop(boxes, HostDoubles(scores), iouThreshold);
        using var scope = NewDisposeScope();
        var order = TorchCpuSort.StableDescending(HostDoubles(scores));
        // overlaps[i, j] = IoU(i, j) > threshold, compared as the C++ kernel does: float IoU against a double.
        using var threshold = (Scalar)FloatBelowOrEqual(iouThreshold, boxes.dtype);
        var overlaps = new byte[(long)n * n];
        for (int r = 0; r < n; r += RowBlock) // row blocks keep the [rows, N, 2] temporaries small at N = 5000
        {
            int rows = Math.Min(RowBlock, n - r);
            using var block = BoxIou.Pairwise(boxes[r..(r + rows)], boxes).gt(threshold).to_type(ScalarType.Byte).cpu().contiguous(); // [rows, N]
            block.bytes.CopyTo(overlaps.AsSpan(r * n)); // the raw span: TensorAccessor copies element by element
        }

        var suppressed = new bool[n];
        var keep = new List<long>();
        for (int a = 0; a < n; a++)
        {
            int i = order[a];
            if (suppressed[i]) continue;
            keep.Add(i);
            int row = i * n;
            for (int b = a + 1; b < n; b++)
            {
                int j = order[b];
                if (overlaps[row + j] != 0) suppressed[j] = true;
            }
        }
        return keep.ToArray();
    }

    // nms_kernel_impl, expression by expression in float: std::max(a, b) = a < b ? b : a, std::min(a, b) = b < a ? b : a,
    // and the float IoU promoted to double for the comparison with the threshold.
    static long[] HostLoop(Tensor boxes, double[] scores, double iouThreshold)
    {
        float[] b;
        using (var host = boxes.detach().cpu().contiguous()) b = MemoryMarshal.Cast<byte, float>(host.bytes).ToArray();
        int n = scores.Length;
        var area = new float[n];
        for (int i = 0; i < n; i++) area[i] = (b[4 * i + 2] - b[4 * i]) * (b[4 * i + 3] - b[4 * i + 1]);
        var order = TorchCpuSort.StableDescending(scores);
        var suppressed = new bool[n];
        var keep = new List<long>();
        for (int a = 0; a < n; a++)
        {
            int i = order[a];
            if (suppressed[i]) continue;
            keep.Add(i);
            float ix1 = b[4 * i], iy1 = b[4 * i + 1], ix2 = b[4 * i + 2], iy2 = b[4 * i + 3], iarea = area[i];
            for (int c = a + 1; c < n; c++)
            {
                int j = order[c];
                if (suppressed[j]) continue;
                float xx1 = ix1 < b[4 * j] ? b[4 * j] : ix1, yy1 = iy1 < b[4 * j + 1] ? b[4 * j + 1] : iy1;
                float xx2 = b[4 * j + 2] < ix2 ? b[4 * j + 2] : ix2, yy2 = b[4 * j + 3] < iy2 ? b[4 * j + 3] : iy2;
                float dw = xx2 - xx1, dh = yy2 - yy1;
                float w = 0f < dw ? dw : 0f, h = 0f < dh ? dh : 0f;
                float inter = w * h;
                float ovr = inter / (iarea + area[j] - inter);
                if (ovr > iouThreshold) suppressed[j] = true;
            }
        }
        return keep.ToArray();
    }

    internal static double[] HostDoubles(Tensor t)
    {
        using var host = t.detach().to_type(ScalarType.Float64).cpu().contiguous();
        return MemoryMarshal.Cast<byte, double>(host.bytes).ToArray();
    }

    // For a float32 IoU v and a double threshold t, (double)v > t  <=>  v > t', t' = the largest float <= t
    // (no float lies in (t', t]). Comparing on the device with t' gives the kernel's double comparison exactly.
    static double FloatBelowOrEqual(double t, ScalarType dtype)
    {
        if (dtype == ScalarType.Float64) return t;
        float f = (float)t;
        if (f > t) f = MathF.BitDecrement(f);
        return f;
    }
}
