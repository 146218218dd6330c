using MimScale.Data.Sources;
using MimScale.Data.Subsets;
using MimScale.Data.Transforms;
using MimScale.Training.Runs;

namespace MimScale.Training.Finetuning;

/// <summary>The labelled images a fine-tuning run trains and evaluates on, and its transforms, built in one place.</summary>
/// <param name="Train">The labelled training images (the subset when a fraction is set).</param>
/// <param name="TrainManifest">The training subset drawn (<c>fraction</c>), or null when every image is used.</param>
/// <param name="Val">The held-out images the run is evaluated on.</param>
/// <param name="Transform">Training augmentation (crop, flip, RandAugment, erasing).</param>
/// <param name="EvalTransform">Evaluation resize and centre crop.</param>
/// <param name="NumClasses">Classes of the classifier head.</param>
/// <param name="ValManifest">The stratified validation subset (<c>val_images</c>), or null when every image is used.</param>
public sealed record FinetuneData(IImageSource Train, Manifest? TrainManifest, IImageSource Val, FineTuneTransform Transform,
    ValidationTransform EvalTransform, int NumClasses, Manifest? ValManifest = null)
{
    public static FinetuneData Build(FinetuneConfig c, int imageSize)
    {
        var (train, baseSource, manifest) = TrainingSources.OpenTrain(c.Source, c.Manifest, c.Fraction, c.SubsetSeed);
        int classes = c.NumClasses ?? baseSource.ClassNames.Count;
        if (classes <= 0) throw new ArgumentException($"{c.Source}: the source has no class labels; fine-tuning needs a labelled source");
        var norm = TrainingSources.NormalizationFor(c.Source, c.Mean, c.Std);
        var transform = new FineTuneTransform(new FineTuneTransformConfig
        {
            ImageSize = imageSize, ScaleMin = c.CropScaleMin, FlipProbability = c.FlipProbability, RandAugment = c.RandAugment,
            RandAugmentMagnitude = c.RandAugmentMagnitude, RandomErasingProbability = c.RandomErasing, Normalization = norm,
        });
        var (val, valManifest) = TrainingSources.OpenEval(c.ValSource, c.ValImages);
        return new FinetuneData(train, manifest, val, transform, EvaluationTransform(imageSize, c.EvalCropRatio, norm), classes, valManifest);
    }

    /// <summary>
    /// Official evaluation geometry (SPEC §5.1): resize the shorter side to int(size / ratio) bicubic, centre-crop size.
    /// ratio 0.875 gives 256 -> 224; ratio 1 resizes straight to the input size (small images such as Fashion-MNIST).
    /// </summary>
    public static ValidationTransform EvaluationTransform(int imageSize, double cropRatio, Normalization norm) =>
        new(new CentreCropConfig
        {
            ImageSize = imageSize, ResizeSize = (int)Math.Floor(imageSize / cropRatio + 1e-9), Interpolation = Interpolation.Bicubic, Normalization = norm,
        });
}
