using static TorchSharp.torch;

namespace MimScale.Dense.Detection.Ops;

/// <summary>
/// mmdet's <c>SingleRoIExtractor</c> over FPN levels: each RoI is pooled by RoIAlign from the one level
/// <see cref="RoiLevelMapper"/> assigns it, at that level's scale 1/stride. Mask R-CNN uses strides 4, 8, 16, 32,
/// output 7 (box head) or 14 (mask head), <c>sampling_ratio</c> 0 and aligned RoIAlign (mmcv's default).
/// </summary>
/// <remarks>
/// All levels go through one sparse product: the sampling matrices of every level are concatenated with column
/// offsets into the concatenation of the flattened levels, so the RoIs keep their order without a scatter, and the
/// gradient reaches each level. Without <c>roi_scale_factor</c> (mmdet's default None).
/// </remarks>
/// <param name="FeatmapStrides">Stride of each input level, finest first.</param>
/// <param name="OutH">Output height.</param>
/// <param name="OutW">Output width.</param>
/// <param name="SamplingRatio">RoIAlign sampling ratio; 0 = adaptive (mmdet's Mask R-CNN).</param>
/// <param name="FinestScale">Level-mapping scale (mmdet default 56).</param>
/// <param name="Aligned">RoIAlign's half-pixel shift (mmcv default true).</param>
public sealed record MultiLevelRoiExtractor(int[] FeatmapStrides, int OutH, int OutW, int SamplingRatio = 0,
    int FinestScale = RoiLevelMapper.DefaultFinestScale, bool Aligned = true)
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
        var parts = new List<RoiAlignSampling>();
        var count = ones(k, f0.dtype, f0.device);                                         // [K] samples per bin
        long colOffset = 0;
        for (int l = 0; l < levels; l++)
        {
            long h = feats[l].shape[2], w = feats[l].shape[3];
            flats.Add(feats[l].permute(0, 2, 3, 1).reshape(n * h * w, c));                // [N·H_l·W_l, C]
            var ids = level.eq(l).nonzero().view(-1);                                     // RoIs of this level
            if (ids.shape[0] > 0)
            {
                var part = RoiAlignSampling.Build(rois.index_select(0, ids), ids, colOffset, h, w, n, f0.dtype,
                    1.0 / FeatmapStrides[l], OutH, OutW, SamplingRatio, Aligned);
                count.index_copy_(0, ids, part.Count);
                parts.Add(part);
            }
            colOffset += n * h * w;
        }
        var all = new RoiAlignSampling(cat(parts.Select(p => p.Rows).ToList(), 0), cat(parts.Select(p => p.Cols).ToList(), 0),
            cat(parts.Select(p => p.Weights).ToList(), 0), count);
        var pooled = RoiAlign.SparseBilinearPool(all, k * OutH * OutW, cat(flats, 0));    // [K·oh·ow, C]
        return pooled.view(k, OutH * OutW, c).div(count.view(k, 1, 1))
            .permute(0, 2, 1).reshape(k, c, OutH, OutW).MoveToOuterDisposeScope();        // [K, C, oh, ow]
    }
}
