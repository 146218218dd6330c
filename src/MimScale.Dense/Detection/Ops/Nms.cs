using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Dense.Detection.Ops;

/// <summary>
/// Greedy non-maximum suppression with the indices of <c>torchvision.ops.nms</c> (csrc/ops/cpu/nms_kernel.cpp),
/// ties included: boxes are visited by descending score, ties in index order (the kernel sorts with stable=True), a box is
/// kept unless a kept box overlaps it with IoU &gt; threshold (strictly), and the result lists kept indices in visit
/// order. The IoU matrix is built once on the boxes' device (N² bytes after thresholding: 4 MB at N = 2000), and the
/// greedy pass walks that byte matrix on the host.
/// </summary>
public static class Nms
{
    const int RowBlock = 512;

    /// <summary>Kept indices. boxes: [N, 4] (x1, y1, x2, y2), scores: [N] → int64 [K] on the boxes' device.</summary>
    public static Tensor Apply(Tensor boxes, Tensor scores, double iouThreshold)
    {
        BoxIou.CheckBoxes(boxes, nameof(boxes));
        if (scores.dim() != 1 || scores.shape[0] != boxes.shape[0])
            throw new ArgumentException($"scores must be [{boxes.shape[0]}] (one per box), got [{string.Join(", ", scores.shape)}]", nameof(scores));
        if (double.IsNaN(iouThreshold)) throw new ArgumentException("iouThreshold is NaN", nameof(iouThreshold));
        var keep = KeptIndices(boxes, scores, iouThreshold);
        return tensor(keep, ScalarType.Int64, boxes.device);
    }

    /// <summary>The kept indices as a host array (the greedy pass of <see cref="Apply"/>).</summary>
    internal static long[] KeptIndices(Tensor boxes, Tensor scores, double iouThreshold)
    {
        int n = checked((int)boxes.shape[0]);
        if (n == 0) return Array.Empty<long>();
        using var scope = NewDisposeScope();
        var order = TorchCpuSort.StableDescending(HostDoubles(scores));
        // overlaps[i, j] = IoU(i, j) > threshold, compared as the C++ kernel does: float IoU against a double.
        using var threshold = (Scalar)FloatBelowOrEqual(iouThreshold, boxes.dtype);
        var overlaps = new byte[(long)n * n];
        for (int r = 0; r < n; r += RowBlock) // row blocks keep the [rows, N, 2] temporaries small at N = 5000
        {
            int rows = Math.Min(RowBlock, n - r);
            using var block = BoxIou.Pairwise(boxes[r..(r + rows)], boxes).gt(threshold).to_type(ScalarType.Byte).cpu(); // [rows, N]
            block.data<byte>().CopyTo(overlaps, r * n);
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

    internal static double[] HostDoubles(Tensor t)
    {
        using var host = t.detach().to_type(ScalarType.Float64).cpu().contiguous();
        return host.data<double>().ToArray();
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
