using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Dense.Detection.Ops;

/// <summary>
/// mmdet's <c>SingleRoIExtractor</c> over FPN levels: each RoI is pooled by RoIAlign from the one level
/// <see cref="RoiLevelMapper"/> assigns it, at that level's scale 1/stride. Mask R-CNN uses strides 4, 8, 16, 32,
/// output 7 (box head) or 14 (mask head), <c>sampling_ratio</c> 0 and aligned RoIAlign (mmcv's default).
/// </summary>
/// <remarks>
/// All levels go through one pooling product: the levels are flattened and concatenated, and each RoI samples from
/// its level's block of rows, so the RoIs keep their order without a scatter and the gradient reaches each level.
/// Without <c>roi_scale_factor</c> (mmdet's default None).
/// </remarks>
/// <param name="FeatmapStrides">Stride of each input level, finest first.</param>
/// <param name="OutH">Output height.</param>
/// <param name="OutW">Output width.</param>
/// <param name="SamplingRatio">RoIAlign sampling ratio; 0 = adaptive (mmdet's Mask R-CNN).</param>
/// <param name="FinestScale">Level-mapping scale (mmdet default 56).</param>
/// <param name="Aligned">RoIAlign's half-pixel shift (mmcv default true).</param>
/// <param name="CpuKernel">Use the CPU kernel for float32 CPU maps (false forces the tensor-op path, see <see cref="RoiAlign"/>).</param>
public sealed record MultiLevelRoiExtractor(int[] FeatmapStrides, int OutH, int OutW, int SamplingRatio = 0,
    int FinestScale = RoiLevelMapper.DefaultFinestScale, bool Aligned = true, bool CpuKernel = true)
{
    /// <summary>Mask R-CNN's box RoI extractor: strides 4..32, 7×7, adaptive sampling.</summary>
    public static MultiLevelRoiExtractor MaskRcnnBox => new(new[] { 4, 8, 16, 32 }, 7, 7);

    /// <summary>Mask R-CNN's mask RoI extractor: strides 4..32, 14×14, adaptive sampling.</summary>
    public static MultiLevelRoiExtractor MaskRcnnMask => new(new[] { 4, 8, 16, 32 }, 14, 14);

    /// <summary>
    /// Pools every RoI from its level. feats: one [N, C, H_l, W_l] map per stride (extra levels beyond the strides are
    /// ignored, as mmdet passes only <c>num_inputs</c> maps); rois: [K, 5] in image coordinates → [K, C, OutH, OutW].
    /// </summary>
    public Tensor Forward(IReadOnlyList<Tensor> feats, Tensor rois)
    {
        int levels = FeatmapStrides.Length;
        if (levels == 0 || feats.Count < levels)
            throw new ArgumentException($"the extractor has {levels} stride(s) but got {feats.Count} feature map(s)", nameof(feats));
        var f0 = feats[0];
        for (int l = 0; l < levels; l++)
        {
            RoiAlign.Check(feats[l], rois, OutH, OutW, 1.0 / FeatmapStrides[l], SamplingRatio);
            if (feats[l].shape[0] != f0.shape[0] || feats[l].shape[1] != f0.shape[1])
                throw new ArgumentException($"feature level {l} is [{string.Join(", ", feats[l].shape)}]; all levels need the batch and channels of level 0 [{string.Join(", ", f0.shape)}]", nameof(feats));
        }
        long n = f0.shape[0], c = f0.shape[1], k = rois.shape[0];
        if (k == 0) return zeros(new[] { 0, c, OutH, OutW }, f0.dtype, f0.device);
        using var scope = NewDisposeScope();
        var level = RoiLevelMapper.Map(rois.detach(), levels, FinestScale);              // [K]
        var flats = new List<Tensor>();
        var colOffset = new long[levels + 1];
        for (int l = 0; l < levels; l++)
        {
            long h = feats[l].shape[2], w = feats[l].shape[3];
            flats.Add(feats[l].permute(0, 2, 3, 1).reshape(n * h * w, c));                // [N·H_l·W_l, C]
            colOffset[l + 1] = colOffset[l] + n * h * w;
        }
        var flat = cat(flats, 0);                                                          // [Σ N·H_l·W_l, C]
        Tensor pooled;                                                                     // [K, oh·ow, C]
        if (CpuKernel && RoiPoolKernel.Applies(flat, k * OutH * OutW))
        {
            var plan = new RoiAlignCpuPlan(k, OutH, OutW, SamplingRatio, Aligned);
            var r = RoiAlignCpuPlan.HostRois(rois);
            var lv = level.cpu().data<long>().ToArray();
            for (int i = 0; i < k; i++)
            {
                int l = (int)lv[i];
                int h = (int)feats[l].shape[2], w = (int)feats[l].shape[3];
                plan.Add(i, r[5 * i + 1], r[5 * i + 2], r[5 * i + 3], r[5 * i + 4], (float)(1.0 / FeatmapStrides[l]),
                    (int)colOffset[l] + (int)r[5 * i] * h * w, h, w);
            }
            pooled = RoiPoolFunction.Pool(flat, plan.Build(flat.shape[0], c)).view(k, OutH * OutW, c);
        }
        else
        {
            var parts = new List<RoiAlignSampling>();
            var count = ones(k, f0.dtype, f0.device);                                     // [K] samples per bin
            for (int l = 0; l < levels; l++)
            {
                using var levelId = ((long)l).ToScalar();
                var ids = level.eq(levelId).nonzero().view(-1);                           // RoIs of this level
                if (ids.shape[0] == 0) continue;
                var part = RoiAlignSampling.Build(rois.index_select(0, ids), ids, colOffset[l], feats[l].shape[2], feats[l].shape[3],
                    f0.dtype, 1.0 / FeatmapStrides[l], OutH, OutW, SamplingRatio, Aligned);
                count.index_copy_(0, ids, part.Count);
                parts.Add(part);
            }
            var all = new RoiAlignSampling(cat(parts.Select(p => p.Rows).ToList(), 0), cat(parts.Select(p => p.Cols).ToList(), 0),
                cat(parts.Select(p => p.Weights).ToList(), 0), count);
            pooled = RoiAlign.SparsePool(all, k, OutH * OutW, flat);
        }
        return pooled.permute(0, 2, 1).reshape(k, c, OutH, OutW).MoveToOuterDisposeScope(); // [K, C, oh, ow]
    }
}
