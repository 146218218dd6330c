namespace MimScale.Dense.Segmentation;

/// <summary>The two splits of the ADE20K layout (ADEChallengeData2016): folder names <c>training</c>, <c>validation</c>.</summary>
public enum SegmentationSplit { Training, Validation }

/// <summary>One image and its annotation, paired by file stem.</summary>
/// <param name="Stem">File name without extension, e.g. <c>ADE_train_00000001</c>.</param>
/// <param name="ImagePath">The <c>.jpg</c> (or <c>.png</c>/<c>.jpeg</c>) image.</param>
/// <param name="AnnotationPath">The <c>.png</c> label map.</param>
public sealed record SegmentationSample(string Stem, string ImagePath, string AnnotationPath);

/// <summary>
/// A data set in the ADE20K layout as mmseg's <c>ADE20KDataset</c> reads it (configs/_base_/datasets/ade20k.py):
/// <c>ROOT/images/{training,validation}/*.jpg</c> and <c>ROOT/annotations/{training,validation}/*.png</c>, paired
/// by file stem, sorted by stem (ordinal). An image without annotation, or the reverse, is an error naming it.
/// <see cref="ReduceZeroLabel"/> is ADE20K's convention (raw 0 = "other objects" is ignored, raw 1..150 are classes
/// 0..149); <see cref="NumClasses"/> counts classes after the reduction (150 for ADE20K).
/// </summary>
public sealed class Ade20kLayout
{
    private static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png"];

    /// <summary>The data set root.</summary>
    public string Root { get; }
    /// <summary>Which split.</summary>
    public SegmentationSplit Split { get; }
    /// <summary>Number of training classes (ids 0..N-1; 255 is ignored).</summary>
    public int NumClasses { get; }
    /// <summary>Whether annotations are reduced as ADE20K's (0 -> 255, k -> k-1).</summary>
    public bool ReduceZeroLabel { get; }
    /// <summary>The samples, ordered by stem.</summary>
    public IReadOnlyList<SegmentationSample> Samples { get; }

    private Ade20kLayout(string root, SegmentationSplit split, int numClasses, bool reduceZeroLabel, IReadOnlyList<SegmentationSample> samples)
    {
        Root = root;
        Split = split;
        NumClasses = numClasses;
        ReduceZeroLabel = reduceZeroLabel;
        Samples = samples;
    }

    /// <summary>The folder name of <paramref name="split"/>: <c>training</c> or <c>validation</c>.</summary>
    public static string FolderName(SegmentationSplit split) => split == SegmentationSplit.Training ? "training" : "validation";

    /// <summary>Lists and pairs one split. <paramref name="numClasses"/>: 150 for ADE20K (with reduce_zero_label).</summary>
    public static Ade20kLayout Open(string root, SegmentationSplit split, int numClasses, bool reduceZeroLabel)
    {
        if (numClasses is <= 0 or > LabelMap.Ignore)
            throw new ArgumentException($"the class count must be in 1..255 (255 is the ignore id), got {numClasses}");
        string imagesDir = Path.Combine(root, "images", FolderName(split));
        string annDir = Path.Combine(root, "annotations", FolderName(split));
        if (!Directory.Exists(imagesDir)) throw new DirectoryNotFoundException($"{imagesDir}: images folder not found (ADE20K layout: images/{{training,validation}})");
        if (!Directory.Exists(annDir)) throw new DirectoryNotFoundException($"{annDir}: annotations folder not found (ADE20K layout: annotations/{{training,validation}})");

        var images = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in Directory.EnumerateFiles(imagesDir))
        {
            if (!ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant())) continue;
            string stem = Path.GetFileNameWithoutExtension(f);
            if (!images.TryAdd(stem, f)) throw new InvalidDataException($"{f}: a second image with stem '{stem}' (also {images[stem]})");
        }
        var annotations = Directory.EnumerateFiles(annDir)
            .Where(f => Path.GetExtension(f).Equals(".png", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f), StringComparer.Ordinal);

        foreach (var stem in images.Keys.Where(s => !annotations.ContainsKey(s)).Order(StringComparer.Ordinal))
            throw new FileNotFoundException($"{images[stem]}: no annotation {Path.Combine(annDir, stem + ".png")}");
        foreach (var stem in annotations.Keys.Where(s => !images.ContainsKey(s)).Order(StringComparer.Ordinal))
            throw new FileNotFoundException($"{annotations[stem]}: no image {Path.Combine(imagesDir, stem + ".jpg")}");
        if (images.Count == 0) throw new InvalidDataException($"{imagesDir}: no images");

        var samples = images.Keys.Order(StringComparer.Ordinal)
            .Select(s => new SegmentationSample(s, images[s], annotations[s]))
            .ToArray();
        return new Ade20kLayout(root, split, numClasses, reduceZeroLabel, samples);
    }

    /// <summary>
    /// The training-id label map of sample <paramref name="index"/>: read, reduced when <see cref="ReduceZeroLabel"/>,
    /// and checked (every id below <see cref="NumClasses"/> or 255; the error names the file).
    /// </summary>
    public LabelMap LoadLabel(int index)
    {
        var sample = Samples[index];
        var raw = LabelMapPngReader.Read(sample.AnnotationPath);
        var map = ReduceZeroLabel ? raw.ReduceZeroLabel() : raw;
        if (map.FirstInvalid(NumClasses, allowIgnore: true) is var (v, x, y))
            throw new InvalidDataException($"{sample.AnnotationPath}: id {raw[x, y]} at (x={x}, y={y}) gives class {v}, outside 0..{NumClasses - 1} " +
                $"(classes {NumClasses}, reduce_zero_label {(ReduceZeroLabel ? "on" : "off")})");
        return map;
    }
}
