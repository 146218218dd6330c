using MimScale.Data.Sources;
using MimScale.Data.Subsets;
using MimScale.Data.Transforms;

namespace MimScale.Training.Runs;

/// <summary>
/// How every run (pre-training, fine-tuning, probes) opens its images: a source spec, optionally narrowed by a manifest
/// file or a class-balanced fraction; evaluation sources optionally cut to their first N images; one normalisation rule.
/// </summary>
public static class TrainingSources
{
    /// <summary>Fashion-MNIST statistics (train split, grayscale replicated to RGB): mean 0.2860, std 0.3530.</summary>
    public static readonly Normalization FashionMnistNorm = new(0.2860, 0.2860, 0.2860, 0.3530, 0.3530, 0.3530);

    /// <summary>
    /// The training images: the whole source, the images a manifest lists, or a class-balanced fraction (nested across
    /// fractions for one seed). Returns the full source too (class names), and the manifest that selects the subset.
    /// </summary>
    public static (IImageSource Train, IImageSource Full, Manifest? Manifest) OpenTrain(string spec, string? manifestPath, double fraction, ulong subsetSeed)
    {
        var full = ImageSources.Open(spec);
        if (manifestPath is not null)
        {
            var manifest = Manifest.Load(manifestPath);
            return (ImageSources.FromManifest(manifest, full, manifestPath), full, manifest);
        }
        if (fraction < 1)
        {
            var manifest = SubsetSampler.ClassBalancedFractions(full, new[] { fraction }, subsetSeed)[0];
            return (ImageSources.FromManifest(manifest, full, $"{spec} {fraction:P0} seed {subsetSeed}"), full, manifest);
        }
        return (full, full, null);
    }

    /// <summary>Opens an evaluation source, optionally only its first <paramref name="firstN"/> images (a fixed set).</summary>
    public static IImageSource OpenEval(string spec, int firstN)
    {
        var val = ImageSources.Open(spec);
        if (firstN > 0 && firstN < val.Count)
            val = new SubsetSource(val, Enumerable.Range(0, firstN).ToArray(), $"first {firstN} of {val.Description}");
        return val;
    }

    /// <summary>Explicit mean/std, else Fashion-MNIST's own statistics for its sources, else ImageNet's.</summary>
    public static Normalization NormalizationFor(string sourceSpec, double[]? mean, double[]? std) =>
        mean is { } m && std is { } s ? new Normalization(m[0], m[1], m[2], s[0], s[1], s[2])
        : sourceSpec.StartsWith("fashion-mnist", StringComparison.Ordinal) ? FashionMnistNorm : Normalization.ImageNet;
}
