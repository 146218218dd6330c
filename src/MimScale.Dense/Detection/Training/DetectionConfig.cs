using MimScale.Dense.Detection.Model;
using MimScale.Models.SwinV2;
using MimScale.Models.Zoo;

namespace MimScale.Dense.Detection.Training;

/// <summary>
/// One Mask R-CNN run (`mimscale detect train`), immutable, YAML with snake_case keys (<see cref="DetectionConfigYaml"/>).
/// Defaults are the paper's / mmdet's values, each with its source:
/// [P] = the paper (SPEC §1: "Mask R-CNN, window 14, patch 4; AdamW batch 32, lr 8e-5, weight decay 0.05, step schedule
/// (x0.1 at epochs 27 and 33, 36 epochs); large-scale jitter [0.1, 2.0], random crop, flip 0.5, stochastic depth");
/// [S] = mmdet configs/swin/mask-rcnn_swin-t-p4-w7_fpn_ms-crop-3x_coco.py (36 epochs, LinearLR start 0.001 over 1000
/// iterations, MultiStepLR [27, 33] x0.1, AdamW lr 1e-4 betas (0.9, 0.999) wd 0.05, no decay for absolute_pos_embed /
/// relative_position_bias_table / norm, drop_path_rate 0.2, no gradient clipping);
/// [M] = mmdet configs/_base_/models/mask-rcnn_r50_fpn.py (every head setting, see <see cref="MaskRcnnOptions"/>);
/// [L] = mmdet configs/common/lsj-100e_coco-instance.py (the LSJ pipeline, see Data/DetectionTransform).
/// The CPU-scale configs (configs/detect-scenes-*.yaml) shrink the heads and the budget and say so.
/// </summary>
public sealed record DetectionConfig
{
    // --- backbone ---
    /// <summary>Zoo name of the SwinV2 backbone. [P] SwinV2 of the cell; CPU scale: swinv2-pico / nano.</summary>
    public string Model { get; init; } = "swinv2-pico";
    /// <summary>Starting weights: null / "scratch", a pre-training run folder or a checkpoint (as fine-tuning takes).</summary>
    public string? Pretrained { get; init; }
    /// <summary>Override of the checkpoint's effective pre-training windows.</summary>
    public int[]? PretrainedWindowSizes { get; init; }
    /// <summary>Backbone window. [P] 14 for 224-px-pretrained models; the zoo's window when null.</summary>
    public int? WindowSize { get; init; }
    /// <summary>Stochastic depth. [S] 0.2 (Swin-T); [P] "stochastic depth".</summary>
    public double DropPathRate { get; init; } = 0.2;

    // --- data ---
    /// <summary>A scenes folder (`mimscale data scenes`): fills the four paths below from its layout when they are null.</summary>
    public string? DataRoot { get; init; }
    public string? TrainAnnotations { get; init; }
    public string? TrainImages { get; init; }
    public string? ValAnnotations { get; init; }
    public string? ValImages { get; init; }
    /// <summary>Input side S: LSJ crop and pad size for training, resize-to-fit and pad size for testing. [L] 1024.</summary>
    public int Size { get; init; } = 1024;
    /// <summary>LSJ ratio range. [P][L] 0.1 - 2.0.</summary>
    public double JitterMin { get; init; } = 0.1;
    public double JitterMax { get; init; } = 2.0;
    /// <summary>[P] 0.5.</summary>
    public double FlipProbability { get; init; } = 0.5;
    /// <summary>Normalisation (of pixel / 255); null = the pre-training's Fashion-MNIST statistics, as the scenes are made of its items.</summary>
    public double[]? Mean { get; init; }
    public double[]? Std { get; init; }

    // --- heads (see MaskRcnnOptions for the mmdet source of each default) ---
    public int FpnChannels { get; init; } = 256;
    public int RpnChannels { get; init; } = 256;
    public double[] AnchorScales { get; init; } = { 8 };
    public int RpnSamples { get; init; } = 256;
    public int TrainNmsPre { get; init; } = 2000;
    public int TrainProposals { get; init; } = 1000;
    public int TestNmsPre { get; init; } = 1000;
    public int TestProposals { get; init; } = 1000;
    public int FcChannels { get; init; } = 1024;
    public int MaskConvs { get; init; } = 4;
    public int MaskChannels { get; init; } = 256;
    public int RcnnSamples { get; init; } = 512;
    public double ScoreThreshold { get; init; } = 0.05;
    public int MaxPerImage { get; init; } = 100;

    // --- optimisation ---
    /// <summary>[P][S] 36 epochs.</summary>
    public int Epochs { get; init; } = 36;
    /// <summary>[P][S] x0.1 at epochs 27 and 33.</summary>
    public int[] MilestoneEpochs { get; init; } = { 27, 33 };
    /// <summary>[S] LinearLR end 1000 iterations, start factor 0.001.</summary>
    public long WarmupIterations { get; init; } = 1000;
    public double WarmupStartFactor { get; init; } = 0.001;
    /// <summary>[P] batch 32 (mmdet Swin: 16 = 8 GPUs x 2).</summary>
    public int BatchSize { get; init; } = 32;
    /// <summary>[P] 8e-5 at batch 32 (mmdet Swin: 1e-4 at 16). Used as given (no batch scaling).</summary>
    public double BaseLr { get; init; } = 8e-5;
    /// <summary>[P][S] 0.05, none on absolute_pos_embed, relative_position_bias_table, norm (and SwinV2's cpb_mlp, logit_scale).</summary>
    public double WeightDecay { get; init; } = 0.05;
    /// <summary>[S] none (0 = no clipping).</summary>
    public double ClipGrad { get; init; }
    public ulong Seed { get; init; }

    // --- records and faults ---
    public long LogInterval { get; init; } = 50;
    /// <summary>Evaluate (box and mask AP on the validation set) every N iterations; 0 = at the end only.</summary>
    public long EvalInterval { get; init; }
    /// <summary>Checkpoint every N iterations; 0 = once per epoch.</summary>
    public long CheckpointInterval { get; init; }
    public int KeepCheckpoints { get; init; } = 2;
    public int MaxNonFiniteSteps { get; init; } = 5;
    /// <summary>Torch intra-op threads (0 = libtorch default).</summary>
    public int Threads { get; init; }

    public bool IsScratch => Pretrained is null || Pretrained.Equals("scratch", StringComparison.OrdinalIgnoreCase);

    /// <summary>The four data paths, from the explicit keys or the scenes layout under <see cref="DataRoot"/>.</summary>
    public (string TrainAnn, string TrainImg, string ValAnn, string ValImg) DataPaths()
    {
        string? R(string? value, params string[] parts) => value ?? (DataRoot is null ? null : Path.Combine(new[] { DataRoot }.Concat(parts).ToArray()));
        return (R(TrainAnnotations, "annotations", "instances_training.json") ?? throw new ArgumentException("set data_root or train_annotations"),
                R(TrainImages, "images", "training") ?? throw new ArgumentException("set data_root or train_images"),
                R(ValAnnotations, "annotations", "instances_validation.json") ?? throw new ArgumentException("set data_root or val_annotations"),
                R(ValImages, "images", "validation") ?? throw new ArgumentException("set data_root or val_images"));
    }

    /// <summary>The backbone before pretrained windows are known: the zoo's encoder at <see cref="Size"/>.</summary>
    public SwinV2Options BackboneOptions()
    {
        var o = ModelZoo.Get(Model).Finetune with { NumClasses = 0, DropPathRate = DropPathRate, ImgSize = new[] { Size, Size } };
        if (WindowSize is int w) o = o with { WindowSize = w };
        if (IsScratch) o = o with { PretrainedWindowSizes = new int[o.NumLayers] };
        if (PretrainedWindowSizes is { } p) o = o with { PretrainedWindowSizes = p };
        return o;
    }

    /// <summary>The heads' settings for <paramref name="numClasses"/> classes.</summary>
    public MaskRcnnOptions HeadOptions(int numClasses) => new MaskRcnnOptions
    {
        NumClasses = numClasses, FpnChannels = FpnChannels, RpnChannels = RpnChannels, AnchorScales = AnchorScales, RpnSamples = RpnSamples,
        TrainNmsPre = TrainNmsPre, TrainProposals = TrainProposals, TestNmsPre = TestNmsPre, TestProposals = TestProposals,
        FcChannels = FcChannels, MaskConvs = MaskConvs, MaskChannels = MaskChannels, RcnnSamples = RcnnSamples,
        ScoreThreshold = ScoreThreshold, MaxPerImage = MaxPerImage,
    }.Validate();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first impossible setting.</summary>
    public DetectionConfig Validate()
    {
        BackboneOptions().Validate();
        HeadOptions(1);
        DataPaths();
        if (Size < 16) throw new ArgumentException($"size must be >= 16, got {Size}");
        if (!(JitterMin > 0) || JitterMax < JitterMin) throw new ArgumentException($"jitter range must satisfy 0 < min <= max, got {JitterMin}..{JitterMax}");
        if (FlipProbability is < 0 or > 1) throw new ArgumentException($"flip_probability must be in [0, 1], got {FlipProbability}");
        if (Epochs <= 0 || BatchSize <= 0) throw new ArgumentException("epochs and batch_size must be positive");
        if (MilestoneEpochs is null || MilestoneEpochs.Any(m => m <= 0)) throw new ArgumentException("milestone_epochs must be positive");
        if (WarmupIterations < 0 || WarmupStartFactor is < 0 or > 1) throw new ArgumentException("warmup_iterations must be >= 0 and warmup_start_factor in [0, 1]");
        if (!(BaseLr > 0) || WeightDecay < 0 || ClipGrad < 0) throw new ArgumentException("base_lr must be positive, weight_decay and clip_grad non-negative");
        if (LogInterval <= 0 || EvalInterval < 0 || CheckpointInterval < 0 || KeepCheckpoints < 1 || MaxNonFiniteSteps < 1)
            throw new ArgumentException("log_interval must be positive, eval_interval and checkpoint_interval >= 0, keep_checkpoints and max_non_finite_steps >= 1");
        if (Mean is { Length: not 3 } || Std is { Length: not 3 }) throw new ArgumentException("mean and std need three values (R, G, B)");
        return this;
    }
}
