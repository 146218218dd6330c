using MimScale.Data.Sources;
using MimScale.Data.Subsets;
using MimScale.Data.Transforms;
using MimScale.Training.Pretraining;

namespace MimScale.Training.Finetuning;

/// <summary>The labelled images a fine-tuning run trains and evaluates on, and its transforms, built in one place.</summary>
public sealed record FinetuneData(IImageSource Train, Manifest? TrainManifest, IImageSource Val, FineTuneTransform Transform,
    ValidationTransform EvalTransform, int NumClasses)
{
    public static FinetuneData Build(FinetuneConfig c, int imageSize)
    {
        var baseSource = ImageSources.Open(c.Source);
        Manifest? manifest = null;
        IImageSource train = baseSource;
        if (c.Manifest is not null)
        {
            manifest = Manifest.Load(c.Manifest);
            train = ImageSources.FromManifest(manifest, baseSource, c.Manifest);
        }
        else if (c.Fraction < 1)
        {
            manifest = SubsetSampler.ClassBalancedFractions(baseSource, new[] { c.Fraction }, c.SubsetSeed)[0];
            train = ImageSources.FromManifest(manifest, baseSource, $"{c.Source} {c.Fraction:P0} seed {c.SubsetSeed}");
        }
        int classes = c.NumClasses ?? baseSource.ClassNames.Count;
        if (classes <= 0) throw new ArgumentException($"{c.Source}: the source has no class labels; fine-tuning needs a labelled source");
        var norm = NormalizationFor(c.Source, c.Mean, c.Std);
        var transform = new FineTuneTransform(new FineTuneTransformConfig
        {
            ImageSize = imageSize, ScaleMin = c.CropScaleMin, FlipProbability = c.FlipProbability, RandAugment = c.RandAugment,
            RandAugmentMagnitude = c.RandAugmentMagnitude, RandomErasingProbability = c.RandomErasing, Normalization = norm,
        });
        return new FinetuneData(train, manifest, OpenVal(c.ValSource, c.ValImages), transform, EvaluationTransform(imageSize, c.EvalCropRatio, norm), classes);
    }

    /// <summary>Explicit mean/std, else Fashion-MNIST's own statistics for its sources, else ImageNet's.</summary>
    public static Normalization NormalizationFor(string sourceSpec, double[]? mean, double[]? std) =>
        mean is { } m && std is { } s ? new Normalization(m[0], m[1], m[2], s[0], s[1], s[2])
        : sourceSpec.StartsWith("fashion-mnist", StringComparison.Ordinal) ? PretrainData.FashionMnistNorm : Normalization.ImageNet;

    /// <summary>
    /// Official evaluation geometry (SPEC §5.1): resize the shorter side to int(size / ratio) bicubic, centre-crop size.
    /// ratio 0.875 gives 256 -> 224; ratio 1 resizes straight to the input size (small images such as Fashion-MNIST).
    /// </summary>
    public static ValidationTransform EvaluationTransform(int imageSize, double cropRatio, Normalization norm) =>
        new(new CentreCropConfig
        {
            ImageSize = imageSize, ResizeSize = (int)Math.Floor(imageSize / cropRatio + 1e-9), Interpolation = Interpolation.Bicubic, Normalization = norm,
        });

    /// <summary>Opens a labelled evaluation source, optionally its first <paramref name="firstN"/> images.</summary>
    public static IImageSource OpenVal(string spec, int firstN)
    {
        var val = ImageSources.Open(spec);
        if (firstN > 0 && firstN < val.Count)
            val = new SubsetSource(val, Enumerable.Range(0, firstN).ToArray(), $"first {firstN} of {val.Description}");
        return val;
    }
}
