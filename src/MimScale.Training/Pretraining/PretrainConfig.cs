using System.Text.Json.Serialization;
using MimScale.Data.Masking;
using MimScale.Models.SimMim;
using MimScale.Models.Zoo;
using MimScale.Training.Schedules;

namespace MimScale.Training.Pretraining;

/// <summary>
/// One SimMIM pre-training run as the paper runs it (SPEC §4), immutable. Loaded from YAML with snake_case keys
/// (<see cref="PretrainConfigYaml"/>); <see cref="Validate"/> is the single place that rejects impossible settings,
/// before any work starts. Defaults are the official swinv2 SimMIM recipe.
/// </summary>
public sealed record PretrainConfig
{
    // --- model ---
    /// <summary>Zoo name (see `mimscale models`).</summary>
    public string Model { get; init; } = "swinv2-nano";
    public int? ImgSize { get; init; }
    public int? WindowSize { get; init; }
    public double? DropPathRate { get; init; }
    // --- masking (data side: see Masks) ---
    /// <summary>Mask patch side in pixels; null = the zoo entry's (32 for the paper's sizes, 8 for the CPU sizes).</summary>
    public int? MaskPatchSize { get; init; }
    /// <summary>Fraction of mask patches masked; null = the paper's 0.6.</summary>
    public double? MaskRatio { get; init; }
    /// <summary>Odd window of the normalised targets; 0 = raw pixels; null = the zoo's (47 for the paper's sizes).</summary>
    public int? NormTargetWindow { get; init; }
    public string Decoder { get; init; } = "linear";
    public int DecoderDepth { get; init; } = 2;
    /// <summary>
    /// Activation checkpointing per encoder block (official <c>use_checkpoint</c>): less memory, one more block forward
    /// per backward, the same results. Not hashed into the run's identity (a run may resume with it switched).
    /// </summary>
    [JsonIgnore]
    public bool UseCheckpoint { get; init; }

    // --- data ---
    /// <summary>Training source spec (see MimScale.Data ImageSources.Open), e.g. "fashion-mnist" or "folder:/data/imagenet@train".</summary>
    public string Source { get; init; } = "fashion-mnist";
    /// <summary>Class-balanced, nested fraction of the source (1 = all).</summary>
    public double Fraction { get; init; } = 1.0;
    public ulong SubsetSeed { get; init; }
    /// <summary>Manifest file to use instead of a fraction.</summary>
    public string? Manifest { get; init; }
    /// <summary>Validation source spec for the MIM validation loss; null = none.</summary>
    public string? ValSource { get; init; } = "fashion-mnist@test";
    /// <summary>Validate on a fixed class-balanced subset of N images (0 = all); the same images for every run of the source
    /// (<c>StratifiedSubset</c>), recorded as val-manifest.txt in the run folder.</summary>
    public int ValImages { get; init; }
    public ulong ValMaskSeed { get; init; } = 0;
    /// <summary>Per-channel mean/std; null = ImageNet (Fashion-MNIST sources default to its own statistics).</summary>
    public double[]? Mean { get; init; }
    public double[]? Std { get; init; }
    /// <summary>Loader threads, at most: on CPU a run uses only the cores torch's threads leave, at least one, at idle
    /// priority (<c>LoaderSizing.Feeding</c>, issue 17); on a GPU all of them.</summary>
    public int Workers { get; init; } = 2;

    // --- optimisation ---
    public long Iterations { get; init; } = 2000;
    /// <summary>Images per optimiser update = batch_size x accumulation (the paper: 2048).</summary>
    public int BatchSize { get; init; } = 64;
    public int Accumulation { get; init; } = 1;
    /// <summary>Per 512 images; the rate used is base_lr x batch x accumulation / 512 (official linear scaling).</summary>
    public double BaseLr { get; init; } = 1e-4;
    public double WarmupLr { get; init; } = 5e-7;
    /// <summary>Fixed warm-up length in iterations (not a fraction: shared trunks need it independent of length).</summary>
    public long WarmupIterations { get; init; } = 100;
    public double DecayFraction { get; init; } = 0.875;
    public double DecayGamma { get; init; } = 0.1;
    public double WeightDecay { get; init; } = 0.05;
    /// <summary>Keep the official pre-training quirk that decays cpb_mlp and logit_scale (SPEC §4.1).</summary>
    public bool OfficialWeightDecayQuirk { get; init; } = true;
    public double ClipGrad { get; init; } = 5.0;
    public ulong Seed { get; init; }

    // --- records and faults ---
    public long LogInterval { get; init; } = 50;
    public long EvalInterval { get; init; } = 500;
    public long CheckpointInterval { get; init; } = 500;
    public int KeepCheckpoints { get; init; } = 2;
    /// <summary>Reconstruction panels of fixed train/val images every N iterations (0 = only at the end).</summary>
    public long ReconInterval { get; init; }
    public int ReconImages { get; init; } = 4;
    /// <summary>Stop after this many non-finite steps in a row (each one is skipped).</summary>
    public int MaxNonFiniteSteps { get; init; } = 5;
    /// <summary>Torch intra-op threads (0 = libtorch default).</summary>
    public int Threads { get; init; }

    /// <summary>The SimMIM model this config builds.</summary>
    public SimMimOptions ModelOptions()
    {
        var zoo = ModelZoo.Get(Model).Pretrain;
        var enc = zoo.Encoder;
        if (ImgSize is int s) enc = enc with { ImgSize = new[] { s, s } };
        if (WindowSize is int w) enc = enc with { WindowSize = w };
        if (DropPathRate is double d) enc = enc with { DropPathRate = d };
        enc = enc with { UseCheckpoint = UseCheckpoint };
        return zoo with
        {
            Encoder = enc,
            NormTargetWindow = NormTargetWindow ?? zoo.NormTargetWindow,
            Decoder = Decoder.ToLowerInvariant() switch
            {
                "linear" => DecoderKind.Linear,
                "transformer" => DecoderKind.Transformer,
                _ => throw new ArgumentException($"decoder must be 'linear' or 'transformer', got '{Decoder}'"),
            },
            DecoderDepth = DecoderDepth,
        };
    }

    /// <summary>
    /// The masking of this run (the one home of <c>mask_ratio</c> and <c>mask_patch_size</c>: read by the mask generator,
    /// never by the model). The values are checked by <see cref="MaskSettings"/>, their fit to the model's input by
    /// <see cref="Validate"/>.
    /// </summary>
    public MaskSettings Masks() => new(MaskRatio ?? MaskSettings.PaperRatio, MaskPatchSize ?? ModelZoo.Get(Model).MaskPatchSize);

    /// <summary>Training FLOPs of one iteration (per-image SimMIM training FLOPs of <see cref="ModelOptions"/> x the total batch).</summary>
    public double TrainingFlopsPerIteration()
    {
        var m = ModelOptions();
        return ModelCost.SimMimTrainingFlops(m.Encoder, m.EncoderStride) * TotalBatch;
    }

    /// <summary>Images per update.</summary>
    public int TotalBatch => BatchSize * Accumulation;
    /// <summary>The learning rate actually used: base_lr x total batch / 512.</summary>
    public double ScaledLr => BaseLr * TotalBatch / 512.0;

    /// <summary>
    /// The learning-rate schedule of a run of this config, the one place it is built: warm-up, then step decay at the
    /// milestone of <see cref="Iterations"/>; a trunk (<paramref name="trunk"/>) never decays (its branches do).
    /// </summary>
    public StepSchedule Schedule(bool trunk = false) => trunk
        ? new StepSchedule(ScaledLr, ScaledWarmupLr, WarmupIterations, Milestone: null, DecayGamma)
        : StepSchedule.ForLength(ScaledLr, ScaledWarmupLr, WarmupIterations, Iterations, DecayFraction, DecayGamma);
    public double ScaledWarmupLr => WarmupLr * TotalBatch / 512.0;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first impossible setting.</summary>
    public PretrainConfig Validate()
    {
        var m = ModelOptions().Validate();   // window fit, heads, ...
        Masks().CheckFits(m.Encoder.ImgSize[0], m.Encoder.PatchSize);
        if (Iterations <= 0) throw new ArgumentException($"iterations must be positive, got {Iterations}");
        if (BatchSize <= 0 || Accumulation <= 0) throw new ArgumentException("batch_size and accumulation must be positive");
        if (Fraction <= 0 || Fraction > 1) throw new ArgumentException($"fraction must be in (0, 1], got {Fraction}");
        if (WarmupIterations < 0 || WarmupIterations >= Iterations) throw new ArgumentException($"warmup_iterations ({WarmupIterations}) must be in [0, iterations)");
        if (DecayFraction <= 0 || DecayFraction > 1) throw new ArgumentException($"decay_fraction must be in (0, 1], got {DecayFraction}");
        if (BaseLr <= 0 || WeightDecay < 0 || ClipGrad < 0) throw new ArgumentException("base_lr must be positive; weight_decay and clip_grad non-negative");
        if (LogInterval <= 0 || EvalInterval <= 0 || CheckpointInterval <= 0 || KeepCheckpoints < 1)
            throw new ArgumentException("log/eval/checkpoint intervals must be positive and keep_checkpoints >= 1");
        if (Mean is { Length: not 3 } || Std is { Length: not 3 }) throw new ArgumentException("mean and std need three values (R, G, B)");
        if (MaxNonFiniteSteps < 1) throw new ArgumentException("max_non_finite_steps must be >= 1");
        if (m.Encoder.InChans != 3) throw new ArgumentException("in_chans must be 3 (grayscale images are replicated to RGB)");
        return this;
    }
}
