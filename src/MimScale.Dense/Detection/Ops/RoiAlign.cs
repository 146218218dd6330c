using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Dense.Detection.Ops;

/// <summary>
/// RoIAlign (He et al., Mask R-CNN) with the outputs and feature gradients of <c>torchvision.ops.roi_align</c> and of
/// mmcv's RoIAlign (both port the Detectron/Caffe2 kernel), for a fixed <c>sampling_ratio</c> and for the adaptive
/// <c>sampling_ratio = 0</c> that mmdet's Mask R-CNN uses.
/// </summary>
/// <remarks>
/// Computed as one sparse matrix (output cells × input pixels, the bilinear weights of every sample point, see
/// <see cref="RoiAlignSampling"/>) times the feature map laid out as [N·H·W, C]: one product for all RoIs of all
/// images, by <see cref="RoiPoolKernel"/> on the CPU (torchvision's arithmetic in its order) or by a COO sparse product
/// elsewhere. The gradient to the features is the transposed product, which is exactly the kernel's backward: a
/// scatter of <c>grad * w / count</c>. The RoIs get no gradient, as in torchvision. mmcv's CPU kernel
/// (mmcv/ops/csrc/pytorch/cpu/roi_align.cpp, mode avg) is the same arithmetic, except that with aligned=True it refuses
/// RoIs of negative size; here, as in torchvision, they pool to what the arithmetic gives (0 with adaptive sampling).
/// </remarks>
public static class RoiAlign
{
    /// <summary>
    /// Pools each RoI to [C, outH, outW]. features: [N, C, H, W]; rois: [K, 5] (batch index, x1, y1, x2, y2) in input
    /// coordinates, scaled by <paramref name="spatialScale"/> (1/stride) → [K, C, outH, outW] on the features' device.
    /// </summary>
    /// <param name="features">[N, C, H, W].</param>
    /// <param name="rois">[K, 5] (batch index, x1, y1, x2, y2) in input coordinates.</param>
    /// <param name="outH">Output bins per column.</param>
    /// <param name="outW">Output bins per row.</param>
    /// <param name="spatialScale">Feature map size over input size (1/stride).</param>
    /// <param name="samplingRatio">Sample points per bin side; 0 = adaptive, ceil(RoI size / output size) per RoI.</param>
    /// <param name="aligned">True (Detectron2, mmcv default): pixel centres at +0.5, so coordinates shift by -0.5.</param>
    /// <param name="cpuKernel">Use <see cref="RoiPoolKernel"/> for float32 CPU tensors (false forces the tensor-op path
    /// that other devices and dtypes take; both match torchvision, the kernel bit for bit).</param>
    public static Tensor Forward(Tensor features, Tensor rois, int outH, int outW, double spatialScale,
        int samplingRatio = 2, bool aligned = true, bool cpuKernel = true)
    {
        Check(features, rois, outH, outW, spatialScale, samplingRatio);
        long n = features.shape[0], c = features.shape[1], h = features.shape[2], w = features.shape[3];
        long k = rois.shape[0];
        if (k == 0) return zeros(new[] { 0, c, outH, outW }, features.dtype, features.device);
        using var scope = NewDisposeScope();
        var flat = features.permute(0, 2, 3, 1).reshape(n * h * w, c);                   // [N·H·W, C]
        Tensor pooled;                                                                      // [K, oh·ow, C]
        if (cpuKernel && RoiPoolKernel.Applies(flat, k * outH * outW))
        {
            var plan = new RoiAlignCpuPlan(k, outH, outW, samplingRatio, aligned);
            var r = RoiAlignCpuPlan.HostRois(rois);
            for (int i = 0; i < k; i++)
                plan.Add(i, r[5 * i + 1], r[5 * i + 2], r[5 * i + 3], r[5 * i + 4], (float)spatialScale, (int)r[5 * i] * (int)(h * w), (int)h, (int)w);
            pooled = RoiPoolFunction.Pool(flat, plan.Build(n * h * w, c)).view(k, outH * outW, c);
        }
        else
        {
            var ids = Arange.Of(k, ScalarType.Int64, rois.device);                            // [K]
            var s = RoiAlignSampling.Build(rois, ids, 0, h, w, features.dtype, spatialScale, outH, outW, samplingRatio, aligned);
            pooled = SparsePool(s, k, outH * outW, flat);
        }
        return pooled.permute(0, 2, 1).reshape(k, c, outH, outW).MoveToOuterDisposeScope(); // [K, C, oh, ow]
    }

    /// <summary>
    /// Bin averages for k RoIs of <paramref name="cells"/> bins each, off the CPU kernel: [k, cells, C] = (a COO sparse
    /// [k·cells, N·H·W] matrix of the entries' weights times flat [N·H·W, C]) / count.
    /// </summary>
    internal static Tensor SparsePool(RoiAlignSampling s, long k, long cells, Tensor flat)
    {
        long rows = k * cells, c = flat.shape[1];
        if (s.Rows.shape[0] == 0) return zeros(new[] { k, cells, c }, flat.dtype, flat.device);
        var indices = stack(new[] { s.Rows, s.Cols }, 0);                                  // [2, E]
        var matrix = sparse_coo_tensor(indices, s.Weights, new[] { rows, flat.shape[0] });  // [rows, N·H·W]
        return mm(matrix, flat).view(k, cells, c).div(s.Count.view(k, 1, 1));              // [k, cells, C]
    }

    internal static void Check(Tensor features, Tensor rois, int outH, int outW, double spatialScale, int samplingRatio)
    {
        if (features.dim() != 4)
            throw new ArgumentException($"features must be [N, C, H, W], got [{string.Join(", ", features.shape)}]", nameof(features));
        if (!features.is_floating_point())
            throw new ArgumentException($"features must be floating point, got {features.dtype}", nameof(features));
        if (rois.dim() != 2 || rois.shape[1] != 5)
            throw new ArgumentException($"rois must be [K, 5] (batch index, x1, y1, x2, y2), got [{string.Join(", ", rois.shape)}]", nameof(rois));
        if (outH <= 0 || outW <= 0) throw new ArgumentException($"output size must be positive, got {outH}x{outW}");
        if (samplingRatio < 0) throw new ArgumentException($"samplingRatio must be >= 0 (0 = adaptive), got {samplingRatio}", nameof(samplingRatio));
        if (!(spatialScale > 0) || double.IsInfinity(spatialScale))
            throw new ArgumentException($"spatialScale must be positive and finite, got {spatialScale}", nameof(spatialScale));
        if (rois.device_type != features.device_type || rois.device_index != features.device_index)
            throw new ArgumentException($"rois are on {rois.device}, the features on {features.device}: put both on one device", nameof(rois));
        if (rois.shape[0] == 0) return;
        using var batch = rois[.., 0].detach().to_type(ScalarType.Int64);
        long lo = batch.min().item<long>(), hi = batch.max().item<long>();
        if (lo < 0 || hi >= features.shape[0])
            throw new ArgumentException($"rois batch indices span {lo}..{hi}, the features hold {features.shape[0]} image(s)", nameof(rois));
    }
}
