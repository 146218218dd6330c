using System.Text.Json.Serialization;
using MimScale.Data.Transforms;
using MimScale.Models.SwinV2;
using MimScale.Models.Zoo;

namespace MimScale.Training.Finetuning;

/// <summary>
/// One fine-tuning run (SPEC §5), immutable. YAML with snake_case keys (<see cref="FinetuneConfigYaml"/>);
/// <see cref="Validate"/> rejects impossible settings before any work. Defaults are the official SwinV2-B SimMIM
/// fine-tuning recipe (simmim_finetune__swinv2_base__img224_window14__800ep.yaml + config.py defaults), with
/// learning rates per 512 images.
/// </summary>
public sealed record FinetuneConfig
{
    // --- model and starting weights ---
    /// <summary>Zoo name; the classifier is the zoo's fine-tune options (resolution, window), see `mimscale models`.</summary>
    public string Model { get; init; } = "swinv2-nano";
    /// <summary>
    /// Starting weights: null or "scratch" = random initialisation (the baseline); a MimScale pre-training run folder
    /// (its newest checkpoint); a checkpoint file (.safetensors, official SimMIM .pth with encoder.* keys, classifier).
    /// </summary>
    public string? Pretrained { get; init; }
    /// <summary>Override of the pretrained window per stage; null = the effective windows read off the checkpoint.</summary>
    public int[]? PretrainedWindowSizes { get; init; }
    public int? ImgSize { get; init; }
    public int? WindowSize { get; init; }
    public double DropPathRate { get; init; } = 0.1;
    /// <summary>null = the number of classes of the training source.</summary>
    public int? NumClasses { get; init; }
    /// <summary>
    /// Activation checkpointing per block (official <c>use_checkpoint</c>): less memory, one more block forward per
    /// backward, the same results. Not hashed into the run's identity (a run may resume with it switched).
    /// </summary>
    [JsonIgnore]
    public bool UseCheckpoint { get; init; }

    // --- data ---
    public string Source { get; init; } = "fashion-mnist@train";
    public double Fraction { get; init; } = 1.0;
    public ulong SubsetSeed { get; init; }
    public string? Manifest { get; init; }
    public string ValSource { get; init; } = "fashion-mnist@test";
    /// <summary>Evaluate on a fixed class-balanced subset of N validation images (0 = all), recorded as val-manifest.txt.</summary>
    public int ValImages { get; init; }
    public double[]? Mean { get; init; }
    public double[]? Std { get; init; }
    /// <summary>Loader threads, at most (training and evaluation streams; sized by <c>LoaderSizing.Feeding</c>).</summary>
    public int Workers { get; init; } = 2;

    // --- augmentation (SPEC §5.1; each switchable) ---
    public double CropScaleMin { get; init; } = 0.08;
    public double FlipProbability { get; init; } = 0.5;
    public bool RandAugment { get; init; } = true;
    public double RandAugmentMagnitude { get; init; } = 9;
    public double RandomErasing { get; init; } = 0.25;
    /// <summary>Mixup α (0 = off). Mixup or CutMix on gives soft targets and the soft-target loss.</summary>
    public double Mixup { get; init; } = 0.8;
    public double Cutmix { get; init; } = 1.0;
    public double MixupProbability { get; init; } = 1.0;
    public double MixupSwitchProbability { get; init; } = 0.5;
    public double LabelSmoothing { get; init; } = 0.1;
    /// <summary>Evaluation: resize the shorter side to int(img / ratio), centre-crop img (official 224/256 = 0.875).</summary>
    public double EvalCropRatio { get; init; } = 0.875;

    // --- optimisation ---
    public int Epochs { get; init; } = 100;
    public double WarmupEpochs { get; init; } = 20;
    public int BatchSize { get; init; } = 64;
    public int Accumulation { get; init; } = 1;
    /// <summary>Per 512 images: rates used are x batch x accumulation / 512 (official linear scaling, all three).</summary>
    public double BaseLr { get; init; } = 1.25e-3;
    public double WarmupLr { get; init; } = 2.5e-7;
    public double MinLr { get; init; } = 2.5e-7;
    /// <summary>Swin HEAD: the cosine starts after warm-up (true); original SimMIM: over absolute t (false).</summary>
    public bool WarmupPrefix { get; init; } = true;
    public double WeightDecay { get; init; } = 0.05;
    public double LayerDecay { get; init; } = 0.75;
    public double ClipGrad { get; init; } = 5.0;
    public ulong Seed { get; init; }

    // --- records and faults ---
    public long LogInterval { get; init; } = 50;
    /// <summary>Evaluate every N iterations; 0 = once per epoch (the official rhythm).</summary>
    public long EvalInterval { get; init; }
    public int EvalBatchSize { get; init; } = 256;
    public int KeepCheckpoints { get; init; } = 2;
    public int MaxNonFiniteSteps { get; init; } = 5;
    /// <summary>Torch intra-op threads (0 = libtorch default).</summary>
    public int Threads { get; init; }

    /// <summary>Images per update.</summary>
    public int TotalBatch => BatchSize * Accumulation;
    public double ScaledLr => BaseLr * TotalBatch / 512.0;
    public double ScaledWarmupLr => WarmupLr * TotalBatch / 512.0;
    public double ScaledMinLr => MinLr * TotalBatch / 512.0;
    public bool UsesMixup => Mixup > 0 || Cutmix > 0;
    public bool IsScratch => Pretrained is null || Pretrained.Equals("scratch", StringComparison.OrdinalIgnoreCase);

    /// <summary>The classifier before the pretrained windows are known (those come from the checkpoint).</summary>
    public SwinV2Options ModelOptions(int numClasses)
    {
        var o = ModelZoo.Get(Model).Finetune with { NumClasses = numClasses, DropPathRate = DropPathRate, UseCheckpoint = UseCheckpoint };
        if (ImgSize is int s) o = o with { ImgSize = new[] { s, s } };
        if (WindowSize is int w) o = o with { WindowSize = w };
        // From scratch nothing was pre-trained: coordinates are normalised by the model's own window.
        if (IsScratch) o = o with { PretrainedWindowSizes = new int[o.NumLayers] };
        if (PretrainedWindowSizes is { } p) o = o with { PretrainedWindowSizes = p };
        return o;
    }

    public MixupConfig? MixupOptions() => !UsesMixup ? null : new MixupConfig
    {
        MixupAlpha = Mixup, CutmixAlpha = Cutmix, Probability = MixupProbability, SwitchProbability = MixupSwitchProbability,
        LabelSmoothing = LabelSmoothing,
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first impossible setting.</summary>
    public FinetuneConfig Validate()
    {
        ModelOptions(NumClasses ?? 10).Validate();
        if (Epochs <= 0) throw new ArgumentException($"epochs must be positive, got {Epochs}");
        if (WarmupEpochs < 0 || WarmupEpochs >= Epochs) throw new ArgumentException($"warmup_epochs ({WarmupEpochs}) must be in [0, epochs)");
        if (BatchSize <= 0 || Accumulation <= 0) throw new ArgumentException("batch_size and accumulation must be positive");
        if (UsesMixup && BatchSize % 2 != 0) throw new ArgumentException($"batch-mode Mixup/CutMix needs an even batch_size, got {BatchSize}");
        if (Fraction <= 0 || Fraction > 1) throw new ArgumentException($"fraction must be in (0, 1], got {Fraction}");
        if (BaseLr <= 0 || WarmupLr < 0 || MinLr < 0) throw new ArgumentException("base_lr must be positive; warmup_lr and min_lr non-negative");
        if (WeightDecay < 0 || ClipGrad < 0) throw new ArgumentException("weight_decay and clip_grad must be non-negative");
        if (LayerDecay <= 0 || LayerDecay > 1) throw new ArgumentException($"layer_decay must be in (0, 1], got {LayerDecay}");
        if (LabelSmoothing < 0 || LabelSmoothing >= 1) throw new ArgumentException($"label_smoothing must be in [0, 1), got {LabelSmoothing}");
        if (CropScaleMin <= 0 || CropScaleMin > 1) throw new ArgumentException($"crop_scale_min must be in (0, 1], got {CropScaleMin}");
        if (EvalCropRatio <= 0 || EvalCropRatio > 1) throw new ArgumentException($"eval_crop_ratio must be in (0, 1], got {EvalCropRatio}");
        if (Mixup < 0 || Cutmix < 0) throw new ArgumentException("mixup and cutmix must be non-negative");
        if (LogInterval <= 0 || EvalInterval < 0 || EvalBatchSize <= 0 || KeepCheckpoints < 1)
            throw new ArgumentException("log_interval and eval_batch_size must be positive, eval_interval >= 0, keep_checkpoints >= 1");
        if (Mean is { Length: not 3 } || Std is { Length: not 3 }) throw new ArgumentException("mean and std need three values (R, G, B)");
        if (MaxNonFiniteSteps < 1) throw new ArgumentException("max_non_finite_steps must be >= 1");
        return this;
    }
}
