using MimScale.Data.Sources;
using MimScale.Data.Subsets;
using MimScale.Data.Transforms;
using MimScale.Models.SimMim;
using MimScale.Training.Runs;

namespace MimScale.Training.Pretraining;

/// <summary>The images a run trains and validates on, and the transforms, built from a config in one place.</summary>
/// <param name="Train">The training images.</param>
/// <param name="TrainManifest">The subset of <paramref name="Train"/> that is used, or null for all of it.</param>
/// <param name="Val">The validation images, or null for none.</param>
/// <param name="Transform">The training augmentation and mask draw.</param>
/// <param name="ValTransform">The validation transform, or null without validation.</param>
/// <param name="ValManifest">The stratified validation subset (<c>val_images</c>), or null when every image (or none) is used.</param>
public sealed record PretrainData(IImageSource Train, Manifest? TrainManifest, IImageSource? Val, SimMimTransform Transform,
    ValidationTransform? ValTransform, Manifest? ValManifest = null)
{
    public static PretrainData Build(PretrainConfig c, SimMimOptions model)
    {
        var (train, _, manifest) = TrainingSources.OpenTrain(c.Source, c.Manifest, c.Fraction, c.SubsetSeed);
        var norm = TrainingSources.NormalizationFor(c.Source, c.Mean, c.Std);
        var tc = new SimMimTransformConfig
        {
            ImageSize = model.Encoder.ImgSize[0], ModelPatchSize = model.Encoder.PatchSize, Masks = c.Masks(), Normalization = norm,
        };
        tc.Validate();
        IImageSource? val = null;
        Manifest? valManifest = null;
        ValidationTransform? vt = null;
        if (c.ValSource is not null)
        {
            (val, valManifest) = TrainingSources.OpenEval(c.ValSource, c.ValImages);
            // Images no larger than the model input (Fashion-MNIST 28 -> 32) are resized straight to the input size.
            vt = ValidationTransform.ForSimMim(tc, c.ValMaskSeed);
        }
        return new PretrainData(train, manifest, val, new SimMimTransform(tc), vt, valManifest);
    }
}
