namespace MimScale.Dense.Detection.Model;

/// <summary>
/// Every hyper-parameter of the Mask R-CNN heads, with mmdet's values as defaults. Sources:
/// [M] = mmdet configs/_base_/models/mask-rcnn_r50_fpn.py (model, train_cfg, test_cfg);
/// [D] = the mmdet class's own default (named). Values that follow the backbone's strides are derived, not stored:
/// FPN levels = backbone strides plus extra levels at twice the last stride; anchor strides = FPN strides; RoI
/// extractor strides = the first four FPN strides (see <see cref="MaskRcnn"/>).
/// </summary>
public sealed record MaskRcnnOptions
{
    /// <summary>Object classes (background excluded). [M] 80 for COCO; the scenes have 10.</summary>
    public int NumClasses { get; init; } = 80;

    // --- FPN [M] neck ---
    /// <summary>FPN out_channels. [M] 256.</summary>
    public int FpnChannels { get; init; } = 256;
    /// <summary>FPN num_outs: the four backbone levels plus max-pooled extras. [M] 5.</summary>
    public int FpnLevels { get; init; } = 5;

    // --- RPN [M] rpn_head, train_cfg.rpn, rpn_proposal, test_cfg.rpn ---
    /// <summary>RPNHead feat_channels. [M] 256.</summary>
    public int RpnChannels { get; init; } = 256;
    /// <summary>AnchorGenerator scales. [M] [8] (anchor side = 8 x stride).</summary>
    public double[] AnchorScales { get; init; } = { 8 };
    /// <summary>AnchorGenerator ratios. [M] [0.5, 1, 2].</summary>
    public double[] AnchorRatios { get; init; } = { 0.5, 1.0, 2.0 };
    /// <summary>RPN MaxIoUAssigner pos_iou_thr / neg_iou_thr / min_pos_iou. [M] 0.7 / 0.3 / 0.3, match_low_quality.</summary>
    public double RpnPosIou { get; init; } = 0.7;
    public double RpnNegIou { get; init; } = 0.3;
    public double RpnMinPosIou { get; init; } = 0.3;
    /// <summary>RPN RandomSampler num / pos_fraction. [M] 256 / 0.5.</summary>
    public int RpnSamples { get; init; } = 256;
    public double RpnPosFraction { get; init; } = 0.5;
    /// <summary>Proposals while training: nms_pre per level, max_per_img, NMS IoU. [M] 2000 / 1000 / 0.7.</summary>
    public int TrainNmsPre { get; init; } = 2000;
    public int TrainProposals { get; init; } = 1000;
    /// <summary>Proposals at test time. [M] 1000 / 1000 / 0.7.</summary>
    public int TestNmsPre { get; init; } = 1000;
    public int TestProposals { get; init; } = 1000;
    public double RpnNmsIou { get; init; } = 0.7;

    // --- RoI heads [M] roi_head, train_cfg.rcnn ---
    /// <summary>SingleRoIExtractor finest_scale [D] 56 at a finest stride of 4; null = 14 x the finest RoI stride.</summary>
    public int? FinestScale { get; init; }
    /// <summary>RoIAlign output of the box / mask extractor. [M] 7 / 14, sampling_ratio 0, aligned (mmcv default).</summary>
    public int BoxRoiSize { get; init; } = 7;
    public int MaskRoiSize { get; init; } = 14;
    /// <summary>Shared2FCBBoxHead fc_out_channels. [M] 1024.</summary>
    public int FcChannels { get; init; } = 1024;
    /// <summary>FCNMaskHead num_convs / conv_out_channels. [M] 4 / 256.</summary>
    public int MaskConvs { get; init; } = 4;
    public int MaskChannels { get; init; } = 256;
    /// <summary>R-CNN MaxIoUAssigner. [M] 0.5 / 0.5 / 0.5, match_low_quality.</summary>
    public double RcnnPosIou { get; init; } = 0.5;
    public double RcnnNegIou { get; init; } = 0.5;
    public double RcnnMinPosIou { get; init; } = 0.5;
    /// <summary>R-CNN RandomSampler num / pos_fraction, add_gt_as_proposals. [M] 512 / 0.25 / true.</summary>
    public int RcnnSamples { get; init; } = 512;
    public double RcnnPosFraction { get; init; } = 0.25;
    /// <summary>train_cfg.rcnn.mask_size. [M] 28 (the deconvolution doubles the 14x14 RoI).</summary>
    public int MaskSize => 2 * MaskRoiSize;

    // --- test [M] test_cfg.rcnn ---
    /// <summary>score_thr / nms iou_threshold / max_per_img / mask_thr_binary. [M] 0.05 / 0.5 / 100 / 0.5.</summary>
    public double ScoreThreshold { get; init; } = 0.05;
    public double TestNmsIou { get; init; } = 0.5;
    public int MaxPerImage { get; init; } = 100;
    public double MaskThreshold { get; init; } = 0.5;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first impossible setting.</summary>
    public MaskRcnnOptions Validate()
    {
        if (NumClasses <= 0) throw new ArgumentException($"num_classes must be positive, got {NumClasses}");
        if (FpnChannels <= 0 || RpnChannels <= 0 || FcChannels <= 0 || MaskChannels <= 0 || MaskConvs < 0)
            throw new ArgumentException("fpn_channels, rpn_channels, fc_channels and mask_channels must be positive, mask_convs >= 0");
        if (FpnLevels < 4) throw new ArgumentException($"fpn_levels must be >= 4 (the backbone's levels), got {FpnLevels}");
        if (AnchorScales is not { Length: > 0 } || AnchorRatios is not { Length: > 0 } || AnchorScales.Concat(AnchorRatios).Any(v => !(v > 0)))
            throw new ArgumentException("anchor_scales and anchor_ratios must be non-empty lists of positive numbers");
        if (RpnSamples <= 0 || RcnnSamples <= 0 || RpnPosFraction is <= 0 or > 1 || RcnnPosFraction is <= 0 or > 1)
            throw new ArgumentException("sample counts must be positive and positive fractions in (0, 1]");
        if (TrainNmsPre <= 0 || TrainProposals <= 0 || TestNmsPre <= 0 || TestProposals <= 0 || MaxPerImage <= 0)
            throw new ArgumentException("nms_pre, proposal counts and max_per_image must be positive");
        if (BoxRoiSize <= 0 || MaskRoiSize <= 0) throw new ArgumentException("RoI sizes must be positive");
        if (FinestScale is <= 0) throw new ArgumentException($"finest_scale must be positive, got {FinestScale}");
        return this;
    }
}
