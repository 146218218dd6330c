using MimScale.Data.Sources;
using MimScale.Data.Subsets;
using MimScale.Data.Transforms;
using MimScale.Models.SimMim;

namespace MimScale.Training.Pretraining;

/// <summary>The images a run trains and validates on, and the transforms, built from a config in one place.</summary>
public sealed record PretrainData(IImageSource Train, Manifest? TrainManifest, IImageSource? Val, SimMimTransform Transform,
    ValidationTransform? ValTransform)
{
    /// <summary>Fashion-MNIST statistics (train split, grayscale replicated to RGB): mean 0.2860, std 0.3530.</summary>
    public static readonly Normalization FashionMnistNorm = new(0.2860, 0.2860, 0.2860, 0.3530, 0.3530, 0.3530);

    public static PretrainData Build(PretrainConfig c, SimMimOptions model)
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

        var norm = c.Mean is { } m && c.Std is { } s ? new Normalization(m[0], m[1], m[2], s[0], s[1], s[2])
            : c.Source.StartsWith("fashion-mnist", StringComparison.Ordinal) ? FashionMnistNorm : Normalization.ImageNet;
        var tc = new SimMimTransformConfig
        {
            ImageSize = model.Encoder.ImgSize[0], MaskPatchSize = model.MaskPatchSize, ModelPatchSize = model.Encoder.PatchSize,
            MaskRatio = model.MaskRatio, Normalization = norm,
        };
        tc.Validate();
        IImageSource? val = null;
        ValidationTransform? vt = null;
        if (c.ValSource is not null)
        {
            val = ImageSources.Open(c.ValSource);
            if (c.ValImages > 0 && c.ValImages < val.Count)
                val = new SubsetSource(val, Enumerable.Range(0, c.ValImages).ToArray(), $"first {c.ValImages} of {val.Description}");
            // Images no larger than the model input (Fashion-MNIST 28 -> 32) are resized straight to the input size.
            vt = ValidationTransform.ForSimMim(tc, c.ValMaskSeed);
        }
        return new PretrainData(train, manifest, val, new SimMimTransform(tc), vt);
    }
}
