using MimScale.Data.Sources;
using MimScale.Data.Subsets;
using MimScale.Data.Transforms;

namespace MimScale.Training.Runs;

/// <summary>
/// How every run (pre-training, fine-tuning, probes) opens its images: a source spec, optionally narrowed by a manifest
/// file or a class-balanced fraction; evaluation sources optionally cut to a fixed stratified subset of N images; one normalisation rule.
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

    /// <summary>
    /// Opens an evaluation source, optionally only a fixed class-balanced subset of <paramref name="images"/> of its
    /// images (<see cref="StratifiedSubset"/>: the same images for every run with this source and count, whatever the
    /// run's seed). The manifest of the subset is returned so the run can record it (null when all images are used).
    /// </summary>
    public static (IImageSource Source, Manifest? Manifest) OpenEval(string spec, int images)
    {
        var val = ImageSources.Open(spec);
        if (images < 0) throw new ArgumentException($"val_images must be >= 0 (0 = all), got {images}");
        if (images == 0 || images >= val.Count) return (val, null);
        var manifest = StratifiedSubset.Draw(val, images);
        return (ImageSources.FromManifest(manifest, val, $"stratified {images} of {val.Description}"), manifest);
    }

    /// <summary>The run-folder file that records the validation subset.</summary>
    public const string ValManifestFile = "val-manifest.txt";

    /// <summary>
    /// Records the validation subset in <paramref name="runDir"/> (<see cref="ValManifestFile"/>). A run that continues
    /// must validate on the images it started with: a recorded subset that differs, or a run that already trained
    /// (metrics.jsonl) with a subset but never recorded one (started when val_images meant the first N images), is
    /// refused, so one curve never mixes two validation sets.
    /// </summary>
    /// <exception cref="InvalidDataException">The run folder validated on other images.</exception>
    public static void RecordValidation(string runDir, Manifest? manifest)
    {
        string path = Path.Combine(runDir, ValManifestFile);
        if (File.Exists(path))
        {
            var recorded = Manifest.Load(path);
            if (manifest is null || recorded.Hash != manifest.Hash)
                throw new InvalidDataException($"{path}: this run validated on {recorded.Count} other images ({recorded.Hash[..12]}) than the config asks for " +
                                               $"({(manifest is null ? "all images" : $"{manifest.Count} images, {manifest.Hash[..12]}")}); continue it with its own val_images or start a new folder");
            return;
        }
        if (manifest is null) return;
        if (File.Exists(Path.Combine(runDir, "metrics.jsonl")))
            throw new InvalidDataException($"{runDir}: this run started before val_images meant a class-balanced subset (its validation losses are on the " +
                                           $"first {manifest.Count} images); start a new folder for it");
        manifest.Save(path);
    }

    /// <summary>Explicit mean/std, else Fashion-MNIST's own statistics for its sources, else ImageNet's.</summary>
    public static Normalization NormalizationFor(string sourceSpec, double[]? mean, double[]? std) =>
        mean is { } m && std is { } s ? new Normalization(m[0], m[1], m[2], s[0], s[1], s[2])
        : sourceSpec.StartsWith("fashion-mnist", StringComparison.Ordinal) ? FashionMnistNorm : Normalization.ImageNet;
}
