using MimScale.Models.SwinV2;
using MimScale.Models.Zoo;

namespace MimScale.Dense.Segmentation;

/// <summary>
/// One UPerNet training run (<c>mimscale segment train --config SEG.yaml</c>), immutable, snake_case YAML keys.
/// Defaults are the data-scaling paper's ADE20K setting (SPEC §0: UPerNet, AdamW batch 32, lr in [1e-4, 3e-4], weight
/// decay 0.05, linear (poly 1.0) schedule of 80K iterations, layer decay 0.95, scale jitter [0.5, 2.0], flip,
/// photometric distortion, stochastic depth 0.1, sliding test at (2560, 640) stride 426) with what the paper leaves
/// to mmseg's Swin UPerNet configs (configs/swin/*upernet*, _base_/models/upernet_swin.py: 1500 warm-up iterations
/// from a ratio 1e-6, head 512 / aux 256 channels, aux weight 0.4, cat_max_ratio 0.75, ImageNet mean/std).
/// </summary>
public sealed record SegmentationConfig
{
    // --- model ---
    /// <summary>Zoo name of the backbone (its fine-tuning geometry unless img_size / window_size are set).</summary>
    public string Model { get; init; } = "swinv2-base";
    /// <summary>null / "scratch", a MimScale pre-training run folder, or a checkpoint file.</summary>
    public string? Pretrained { get; init; }
    public int[]? PretrainedWindowSizes { get; init; }
    /// <summary>The size the backbone's windows are laid out for; null = crop_size.</summary>
    public int? ImgSize { get; init; }
    /// <summary>Backbone window (the paper's 20 at 640 px); null = the zoo's fine-tuning window.</summary>
    public int? WindowSize { get; init; } = 20;
    public double DropPathRate { get; init; } = 0.1;
    public int Channels { get; init; } = 512;
    /// <summary>FCN auxiliary head width; 0 = none.</summary>
    public int AuxChannels { get; init; } = 256;
    public double AuxWeight { get; init; } = 0.4;
    public int[] PoolScales { get; init; } = { 1, 2, 3, 6 };
    public double DropoutRatio { get; init; } = 0.1;
    /// <summary>mmseg's CrossEntropyLoss avg_non_ignore (false: mean over all pixels, ignored count 0).</summary>
    public bool AvgNonIgnore { get; init; }

    // --- data (ADE20K layout) ---
    public string DataRoot { get; init; } = "data/ade/ADEChallengeData2016";
    public int NumClasses { get; init; } = 150;
    public bool ReduceZeroLabel { get; init; } = true;
    /// <summary>Validation images evaluated (the first N by name; 0 = all).</summary>
    public int ValImages { get; init; }
    public int[] Scale { get; init; } = { 2560, 640 };
    public double[] RatioRange { get; init; } = { 0.5, 2.0 };
    public int CropSize { get; init; } = 640;
    public double CatMaxRatio { get; init; } = 0.75;
    public double FlipProbability { get; init; } = 0.5;
    public bool Photometric { get; init; } = true;
    /// <summary>Per-channel mean / std in 0..255 units; null = ImageNet's.</summary>
    public double[]? Mean { get; init; }
    public double[]? Std { get; init; }
    public int Workers { get; init; } = 2;

    // --- test ---
    /// <summary>"slide" (the paper) or "whole".</summary>
    public string TestMode { get; init; } = "slide";
    public int[] TestScale { get; init; } = { 2560, 640 };
    public int TestCrop { get; init; } = 640;
    public int TestStride { get; init; } = 426;

    // --- optimisation ---
    public long Iterations { get; init; } = 80000;
    public long WarmupIterations { get; init; } = 1500;
    public double WarmupRatio { get; init; } = 1e-6;
    public double Power { get; init; } = 1.0;
    public double MinLr { get; init; }
    public int BatchSize { get; init; } = 32;
    public int Accumulation { get; init; } = 1;
    public double Lr { get; init; } = 1e-4;
    public double WeightDecay { get; init; } = 0.05;
    public double LayerDecay { get; init; } = 0.95;
    /// <summary>Global gradient-norm clip; 0 = none (mmseg's Swin configs do not clip).</summary>
    public double ClipGrad { get; init; }
    public ulong Seed { get; init; }

    // --- records ---
    public long LogInterval { get; init; } = 50;
    /// <summary>Evaluate mIoU every N iterations (0 = only at the end).</summary>
    public long EvalInterval { get; init; } = 8000;
    public long CheckpointInterval { get; init; } = 2000;
    public int KeepCheckpoints { get; init; } = 2;
    public int MaxNonFiniteSteps { get; init; } = 5;
    /// <summary>Torch intra-op threads (0 = libtorch default).</summary>
    public int Threads { get; init; }

    public int TotalBatch => BatchSize * Accumulation;
    public bool IsScratch => Pretrained is null || Pretrained.Equals("scratch", StringComparison.OrdinalIgnoreCase);

    /// <summary>The backbone encoder before the pretrained windows are read off the checkpoint.</summary>
    public SwinV2Options BackboneOptions()
    {
        int size = ImgSize ?? CropSize;
        var o = ModelZoo.Get(Model).Finetune with { NumClasses = 0, ImgSize = new[] { size, size }, DropPathRate = DropPathRate };
        if (WindowSize is int w) o = o with { WindowSize = w };
        if (IsScratch) o = o with { PretrainedWindowSizes = new int[o.NumLayers] };
        if (PretrainedWindowSizes is { } p) o = o with { PretrainedWindowSizes = p };
        return o;
    }

    public UPerNetOptions HeadOptions() => new(NumClasses, Channels, AuxChannels, PoolScales, DropoutRatio, 2, AuxWeight, AvgNonIgnore);

    public PixelNorm Norm() => (Mean is { } m && Std is { } s ? new PixelNorm(m, s) : PixelNorm.ImageNet).Validate();

    public SegmentationAugment Augment() => new((Scale[0], Scale[1]), RatioRange[0], RatioRange[1], CropSize, CropSize, CatMaxRatio,
        FlipProbability, Photometric ? new PhotometricDistortion() : null);

    public InferenceSettings Inference() => new(TestMode == "slide", (TestScale[0], TestScale[1]), TestCrop, TestStride);

    public PolySchedule Schedule() => new(Lr, Iterations, WarmupIterations, WarmupRatio, Power, MinLr);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first impossible setting.</summary>
    public SegmentationConfig Validate()
    {
        BackboneOptions().Validate();
        if (NumClasses is <= 0 or >= LabelMap.Ignore) throw new ArgumentException($"num_classes must be in 1..254, got {NumClasses}");
        if (Channels <= 0 || AuxChannels < 0) throw new ArgumentException("channels must be positive and aux_channels >= 0");
        if (DropoutRatio < 0 || DropoutRatio >= 1) throw new ArgumentException($"dropout_ratio must be in [0, 1), got {DropoutRatio}");
        if (PoolScales.Length == 0 || PoolScales.Any(s => s <= 0)) throw new ArgumentException("pool_scales must be positive");
        if (Scale.Length != 2 || Scale.Any(s => s <= 0)) throw new ArgumentException("scale needs two positive sides, e.g. [2560, 640]");
        if (TestScale.Length != 2 || TestScale.Any(s => s <= 0)) throw new ArgumentException("test_scale needs two positive sides");
        if (RatioRange.Length != 2 || RatioRange[0] <= 0 || RatioRange[1] < RatioRange[0]) throw new ArgumentException("ratio_range needs [min, max] with 0 < min <= max");
        if (CropSize <= 0 || TestCrop <= 0 || TestStride <= 0) throw new ArgumentException("crop_size, test_crop and test_stride must be positive");
        if (CatMaxRatio <= 0 || CatMaxRatio > 1) throw new ArgumentException($"cat_max_ratio must be in (0, 1], got {CatMaxRatio}");
        if (FlipProbability < 0 || FlipProbability > 1) throw new ArgumentException("flip_probability must be in [0, 1]");
        if (TestMode is not ("slide" or "whole")) throw new ArgumentException($"test_mode must be 'slide' or 'whole', got '{TestMode}'");
        if (Iterations <= 0 || WarmupIterations < 0 || WarmupIterations >= Iterations) throw new ArgumentException($"iterations must be positive and warmup_iterations in [0, {Iterations})");
        if (BatchSize <= 0 || Accumulation <= 0) throw new ArgumentException("batch_size and accumulation must be positive");
        if (Lr <= 0 || MinLr < 0 || WeightDecay < 0 || ClipGrad < 0) throw new ArgumentException("lr must be positive; min_lr, weight_decay, clip_grad non-negative");
        if (WarmupRatio <= 0 || WarmupRatio > 1 || Power <= 0) throw new ArgumentException("warmup_ratio must be in (0, 1] and power positive");
        if (LayerDecay <= 0 || LayerDecay > 1) throw new ArgumentException($"layer_decay must be in (0, 1], got {LayerDecay}");
        if (LogInterval <= 0 || EvalInterval < 0 || CheckpointInterval <= 0 || KeepCheckpoints < 1 || MaxNonFiniteSteps < 1)
            throw new ArgumentException("log_interval and checkpoint_interval must be positive, eval_interval >= 0, keep_checkpoints and max_non_finite_steps >= 1");
        if (Workers < 1 || ValImages < 0 || Threads < 0) throw new ArgumentException("workers must be >= 1, val_images and threads >= 0");
        Norm();
        return this;
    }
}
