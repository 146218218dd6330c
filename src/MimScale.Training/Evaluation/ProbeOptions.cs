using MimScale.Data.Sources;
using MimScale.Data.Subsets;
using MimScale.Models.SwinV2;
using MimScale.Training.Finetuning;
using MimScale.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Training.Evaluation;

/// <summary>
/// The frozen-encoder evaluations' common settings: which encoder (zoo size, resolution, window; pretrained windows
/// from the checkpoint), which labelled images, the evaluation transform.
/// </summary>
public sealed record ProbeOptions
{
    /// <summary>Zoo name; the encoder is its fine-tune options without a head.</summary>
    public string Model { get; init; } = "swinv2-nano";
    public int? ImgSize { get; init; }
    public int? WindowSize { get; init; }
    public string TrainSource { get; init; } = "fashion-mnist@train";
    public string ValSource { get; init; } = "fashion-mnist@test";
    /// <summary>Class-balanced fraction of the training source used as the k-NN bank / probe training set.</summary>
    public double TrainFraction { get; init; } = 1.0;
    public ulong SubsetSeed { get; init; }
    /// <summary>A fixed class-balanced subset of N validation images (0 = all); see <see cref="TrainingSources.OpenEval"/>.</summary>
    public int ValImages { get; init; }
    /// <summary>Where to record the validation subset's manifest (null = not recorded; nothing is written when all images are used).</summary>
    public string? ValManifestPath { get; init; }
    /// <summary>Evaluation crop ratio (see <see cref="FinetuneData.EvaluationTransform"/>); 1 = resize straight to the input.</summary>
    public double EvalCropRatio { get; init; } = 0.875;
    public double[]? Mean { get; init; }
    public double[]? Std { get; init; }
    public int BatchSize { get; init; } = 256;
    /// <summary>Loader threads of the feature passes, at most (sized by <c>LoaderSizing.Feeding</c>).</summary>
    public int Workers { get; init; } = 2;
    /// <summary>Seed of the random initialisation when the encoder is "scratch".</summary>
    public ulong Seed { get; init; }

    /// <summary>Builds the frozen encoder from <paramref name="checkpoint"/> (null / "scratch" = random init).</summary>
    public (SwinTransformerV2 Encoder, PretrainedWeights Weights) BuildEncoder(string? checkpoint)
    {
        var weights = PretrainedWeights.Resolve(checkpoint);
        var cfg = new FinetuneConfig { Model = Model, ImgSize = ImgSize, WindowSize = WindowSize, DropPathRate = 0, Pretrained = checkpoint };
        var options = weights.Adapt(cfg.ModelOptions(numClasses: 0));
        var (encoder, _) = weights.Build(options, new Generator(Seed));
        encoder.eval();
        return (encoder, weights);
    }

    /// <summary>
    /// The features of a probe's encoder: built from <paramref name="checkpoint"/> (run folder, file, or "scratch"), run
    /// once over the train and validation images, then disposed; <paramref name="name"/> prefixes the log line.
    /// </summary>
    public (FeatureSet Train, FeatureSet Val) FeaturesOf(string? checkpoint, string name, TextWriter? log)
    {
        var (encoder, weights) = BuildEncoder(checkpoint);
        using var _ = encoder;
        log?.WriteLine($"{name}: encoder from {weights.CheckpointFile ?? "random init"}");
        return Features(encoder);
    }

    /// <summary>Pooled features of the training and validation images under <paramref name="encoder"/>.</summary>
    public (FeatureSet Train, FeatureSet Val) Features(SwinTransformerV2 encoder)
    {
        var (train, full, _) = TrainingSources.OpenTrain(TrainSource, null, TrainFraction, SubsetSeed);
        int classes = full.ClassNames.Count;
        if (classes == 0) throw new ArgumentException($"{TrainSource}: the source has no class labels");
        var (val, valManifest) = TrainingSources.OpenEval(ValSource, ValImages);
        if (ValManifestPath is not null) valManifest?.Save(ValManifestPath);
        var transform = FinetuneData.EvaluationTransform(encoder.Options.ImgSize[0], EvalCropRatio, TrainingSources.NormalizationFor(TrainSource, Mean, Std));
        var trainSet = FeatureSet.Extract(encoder, train, transform, classes, BatchSize, Workers);
        var valSet = FeatureSet.Extract(encoder, val, transform, classes, BatchSize, Workers);
        return (trainSet, valSet);
    }
}
