using MimScale.Dense.Backbone;
using MimScale.Dense.Detection.Anchors;
using MimScale.Dense.Detection.Roi;
using MimScale.Dense.Detection.Rpn;
using MimScale.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MimScale.Dense.Detection.Model;

/// <summary>The five Mask R-CNN losses of a batch (mmdet's names) and their sum, the training objective.</summary>
public sealed record MaskRcnnLosses(Tensor RpnCls, Tensor RpnBbox, Tensor Cls, Tensor Bbox, Tensor Mask)
{
    /// <summary>loss_rpn_cls + loss_rpn_bbox + loss_cls + loss_bbox + loss_mask (all weights 1, as mmdet's).</summary>
    public Tensor Total() => RpnCls.Plus(RpnBbox).Plus(Cls).Plus(Bbox).Plus(Mask);

    /// <summary>The components as numbers, for logging.</summary>
    public (string Name, double Value)[] Values() => new[]
    {
        ("loss_rpn_cls", (double)RpnCls.item<float>()), ("loss_rpn_bbox", (double)RpnBbox.item<float>()),
        ("loss_cls", (double)Cls.item<float>()), ("loss_bbox", (double)Bbox.item<float>()), ("loss_mask", (double)Mask.item<float>()),
    };
}

/// <summary>
/// Mask R-CNN (He et al. 2017) as mmdet builds it with a Swin backbone (configs/swin/mask-rcnn_swin-t-p4-w7_fpn_*.py):
/// <c>backbone</c> (<see cref="DenseBackbone"/>, four stage maps) → <c>neck</c> (<see cref="Fpn"/>, four levels + a
/// max-pooled extra) → <c>rpn_head</c> (<see cref="RpnHead"/>, anchors on every FPN level) → proposals
/// (<see cref="ProposalGenerator"/>) → <c>roi_head</c> (<see cref="RoiHead"/>, RoIs from the first four levels).
/// Strides follow the backbone: with patch 4 the levels are 4..64 as in mmdet; the CPU-scale zoo sizes (patch 2)
/// give 2..32, and the anchors (side = scale x stride) and the RoI level mapping (finest_scale = 14 x finest stride,
/// mmdet's 56 at stride 4) scale with them. State-dict keys are mmdet's: backbone.*, neck.lateral_convs.0.conv.weight,
/// rpn_head.rpn_conv.weight, roi_head.bbox_head.shared_fcs.0.weight, roi_head.mask_head.conv_logits.weight.
/// </summary>
public sealed class MaskRcnn : Module
{
    private readonly DenseBackbone backbone;
    private readonly Fpn neck;
    private readonly RpnHead rpn_head;
    private readonly RoiHead roi_head;
    private readonly Dictionary<string, Tensor> anchorCache = new();

    public MaskRcnn(DenseBackbone backbone, MaskRcnnOptions options, Generator? generator = null) : base(nameof(MaskRcnn))
    {
        Options = options.Validate();
        this.backbone = backbone;
        var strides = backbone.Strides;
        LevelStrides = Enumerable.Range(0, options.FpnLevels).Select(l => strides[0] << l).ToArray();
        Anchors = new AnchorGenerator(LevelStrides, options.AnchorRatios, options.AnchorScales);
        neck = new Fpn(backbone.Channels, options.FpnChannels, options.FpnLevels, generator);
        rpn_head = new RpnHead(options.FpnChannels, options.RpnChannels, Anchors.AnchorsPerCell, generator);
        roi_head = new RoiHead(options, LevelStrides.Take(4).ToArray(), generator);
        RegisterComponents();
    }

    /// <summary>The heads' settings.</summary>
    public MaskRcnnOptions Options { get; }

    /// <summary>Stride of every FPN level (anchor strides and base sizes).</summary>
    public int[] LevelStrides { get; }

    /// <summary>The RPN's anchor generator.</summary>
    public AnchorGenerator Anchors { get; }

    /// <summary>The backbone.</summary>
    public DenseBackbone Backbone => backbone;

    /// <summary>The RoI heads.</summary>
    public RoiHead RoiHead => roi_head;

    /// <summary>FPN maps of a batch (B, 3, H, W).</summary>
    public Tensor[] Features(Tensor images)
    {
        using var scope = NewDisposeScope();
        var outs = neck.forward(backbone.forward(images));
        foreach (var o in outs) o.MoveToOuterDisposeScope();
        return outs;
    }

    /// <summary>RPN outputs on FPN maps.</summary>
    public RpnOutput Rpn(Tensor[] feats) => rpn_head.forward(feats);

    /// <summary>Anchors of all levels for these FPN maps, [N, 4] in RPN output order (cached per map sizes).</summary>
    public Tensor AllAnchors(Tensor[] feats)
    {
        string key = string.Join(",", feats.Select(f => $"{f.shape[2]}x{f.shape[3]}"));
        if (anchorCache.TryGetValue(key, out var cached)) return cached;
        using var scope = NewDisposeScope();
        var all = cat(feats.Select((f, l) => Anchors.GridAnchors(l, f.shape[2], f.shape[3])).ToList(), 0);
        all.DetachFromDisposeScope();            // owned by the cache (disposed with the model), not by any caller's scope
        anchorCache[key] = all;
        return all;
    }

    /// <summary>
    /// The training losses of a batch. images: (B, 3, H, W) padded; imageHws: each image's size before padding;
    /// generator: the samplers' random stream (the run's, checkpointed).
    /// </summary>
    public MaskRcnnLosses Loss(Tensor images, IReadOnlyList<GroundTruth> truth, IReadOnlyList<(int Height, int Width)> imageHws, Generator? generator)
    {
        using var scope = NewDisposeScope();
        var feats = Features(images);
        var rpn = Rpn(feats);
        var anchors = AllAnchors(feats);
        var o = Options;
        var (rpnCls, rpnBox) = RpnHead.Loss(rpn, anchors, truth.Select(t => t.Boxes).ToList(),
            new MaxIouAssigner(o.RpnPosIou, o.RpnNegIou, o.RpnMinPosIou), new RandomSampler(o.RpnSamples, o.RpnPosFraction), generator);
        var generatorOfProposals = new ProposalGenerator(o.TrainNmsPre, o.TrainProposals, o.RpnNmsIou);
        var proposals = Enumerable.Range(0, truth.Count).Select(i => generatorOfProposals.Generate(rpn, anchors, i, imageHws[i])).ToList();
        var (cls, box, mask) = roi_head.Loss(feats, proposals, truth, generator);
        var losses = new MaskRcnnLosses(rpnCls, rpnBox, cls, box, mask);
        foreach (var t in new[] { rpnCls, rpnBox, cls, box, mask }) t.MoveToOuterDisposeScope();
        return losses;
    }

    /// <summary>
    /// Detections of a batch in input coordinates with their 28x28 mask probabilities (test_cfg: proposals nms_pre 1000,
    /// max 1000; score 0.05, NMS 0.5, 100 per image). Paste the masks with <see cref="MaskPaster"/>.
    /// </summary>
    public IReadOnlyList<(Detections Detections, Tensor MaskProbs)> Predict(Tensor images, IReadOnlyList<(int Height, int Width)> imageHws)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var feats = Features(images);
        var rpn = Rpn(feats);
        var anchors = AllAnchors(feats);
        var o = Options;
        var proposals = new ProposalGenerator(o.TestNmsPre, o.TestProposals, o.RpnNmsIou);
        var results = new List<(Detections, Tensor)>();
        for (int i = 0; i < imageHws.Count; i++)
        {
            var (det, probs) = roi_head.Predict(feats, proposals.Generate(rpn, anchors, i, imageHws[i]), i, imageHws[i]);
            foreach (var t in new[] { det.Boxes, det.Scores, det.Labels, probs }) t.MoveToOuterDisposeScope();
            results.Add((det, probs));
        }
        return results;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) foreach (var t in anchorCache.Values) t.Dispose();
        anchorCache.Clear();
        base.Dispose(disposing);
    }
}
