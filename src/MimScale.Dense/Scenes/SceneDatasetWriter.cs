using System.Globalization;
using System.Text.Json;
using MimScale.Data.Random;
using MimScale.Data.Sources;
using MimScale.Dense.Segmentation;
using SkiaSharp;

namespace MimScale.Dense.Scenes;

/// <summary>What <see cref="SceneDatasetWriter.Write"/> wrote.</summary>
/// <param name="TrainingImages">Scenes in <c>training</c>.</param>
/// <param name="ValidationImages">Scenes in <c>validation</c>.</param>
/// <param name="TrainingInstances">COCO annotations in <c>instances_training.json</c>.</param>
/// <param name="ValidationInstances">COCO annotations in <c>instances_validation.json</c>.</param>
/// <param name="NumClasses">Semantic classes including background (item classes + 1).</param>
public sealed record SceneDatasetSummary(int TrainingImages, int ValidationImages, int TrainingInstances, int ValidationInstances, int NumClasses);

/// <summary>
/// Writes a scene data set in both layouts at once:
/// <code>
/// OUT/images/{training,validation}/scene_NNNNNN.jpg           RGB canvases
/// OUT/annotations/{training,validation}/scene_NNNNNN.png      semantic maps, 8-bit gray: 0 = background, c+1 = item class c
/// OUT/annotations/instances_{training,validation}.json        COCO instances (category ids 1..K = c+1, visible-mask RLE)
/// OUT/scenes.json                                              what was written and how (classes, convention, options)
/// </code>
/// Segmentation convention: background is a real class 0, items are 1..K (K = 10 for Fashion-MNIST, so 11 classes),
/// no reduce_zero_label. The semantic id of an item equals its COCO category id. Training scenes draw items from
/// <c>trainItems</c> (Fashion-MNIST train), validation scenes from <c>validationItems</c> (Fashion-MNIST test), so
/// no item picture is shared. Scene i of a split is keyed by (seed, split, i) alone: byte-identical output for equal
/// arguments, whatever the thread count, and the first scenes of a split do not change when the count grows.
/// </summary>
public static class SceneDatasetWriter
{
    /// <summary>Name of scene <paramref name="index"/> without extension.</summary>
    public static string Stem(int index) => "scene_" + index.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>The random stream of scene <paramref name="index"/> of <paramref name="split"/>.</summary>
    public static DataRng SceneRng(ulong seed, SegmentationSplit split, int index) =>
        DataRng.For(seed, RandomStream.Synthetic, (long)SplitMix64.Hash("scenes/" + Ade20kLayout.FolderName(split)), index);

    /// <summary>
    /// Fashion-MNIST scenes as <c>mimscale data scenes</c> writes them: <paramref name="totalImages"/> scenes, of which
    /// <paramref name="validationImages"/> (default: a tenth, at least 1 when there are 2 or more) are validation
    /// scenes made of Fashion-MNIST test items and the rest training scenes made of train items.
    /// </summary>
    public static SceneDatasetSummary WriteFashionMnist(string outDir, int totalImages, int? validationImages, SceneOptions options,
        ulong seed, string fashionMnistFolder = FashionMnist.DebianPath)
    {
        if (totalImages <= 0) throw new ArgumentException($"--images must be positive, got {totalImages}");
        int val = validationImages ?? (totalImages >= 2 ? Math.Max(1, totalImages / 10) : 0);
        if (val < 0 || val > totalImages) throw new ArgumentException($"--split-val must be in 0..{totalImages} (--images), got {val}");
        var train = FashionMnistItems.Open(FashionMnistSplit.Train, fashionMnistFolder);
        var test = FashionMnistItems.Open(FashionMnistSplit.Test, fashionMnistFolder);
        return Write(outDir, train, test, totalImages - val, val, options, seed);
    }

    /// <summary>
    /// Writes both splits into <paramref name="outDir"/>, which must be new or empty (a larger earlier set would
    /// leave stale scenes behind that the layout reader would pair).
    /// </summary>
    public static SceneDatasetSummary Write(string outDir, ISceneItems trainItems, ISceneItems validationItems,
        int trainingImages, int validationImages, SceneOptions options, ulong seed, int maxThreads = 0)
    {
        options = options.Validated();
        if (trainingImages < 0 || validationImages < 0 || trainingImages + validationImages == 0)
            throw new ArgumentException($"need a positive number of scenes, got {trainingImages} training + {validationImages} validation");
        if (!trainItems.ClassNames.SequenceEqual(validationItems.ClassNames))
            throw new ArgumentException("training and validation items must have the same classes");
        if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any())
            throw new IOException($"{outDir}: not empty; scenes are written into a new or empty folder");
        var classes = trainItems.ClassNames;
        int trainAnns = WriteSplit(outDir, SegmentationSplit.Training, trainItems, trainingImages, options, seed, maxThreads);
        int valAnns = WriteSplit(outDir, SegmentationSplit.Validation, validationItems, validationImages, options, seed, maxThreads);
        var summary = new SceneDatasetSummary(trainingImages, validationImages, trainAnns, valAnns, classes.Count + 1);
        WriteMeta(Path.Combine(outDir, "scenes.json"), summary, classes, options, seed);
        return summary;
    }

    private static int WriteSplit(string outDir, SegmentationSplit split, ISceneItems items, int count, SceneOptions options, ulong seed, int maxThreads)
    {
        string name = Ade20kLayout.FolderName(split);
        string imageDir = Path.Combine(outDir, "images", name), annDir = Path.Combine(outDir, "annotations", name);
        Directory.CreateDirectory(imageDir);
        Directory.CreateDirectory(annDir);
        var entries = new SceneCocoWriter.Entry[count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = maxThreads > 0 ? maxThreads : Environment.ProcessorCount };
        Parallel.For(0, count, parallel, i =>
        {
            var rng = SceneRng(seed, split, i);
            var scene = SceneComposer.Compose(items, options, ref rng);
            string stem = Stem(i);
            File.WriteAllBytes(Path.Combine(imageDir, stem + ".jpg"),
                SyntheticImageFolder.Encode(scene.ToRgba(), scene.Size, scene.Size, SKEncodedImageFormat.Jpeg, options.JpegQuality));
            LabelMapPngWriter.Write(Path.Combine(annDir, stem + ".png"), scene.Semantic());
            entries[i] = new SceneCocoWriter.Entry(stem + ".jpg", scene);
        });
        return SceneCocoWriter.Write(Path.Combine(outDir, "annotations", $"instances_{name}.json"), entries, items.ClassNames,
            $"MimScale Fashion-MNIST scenes, {name} split, seed {seed}");
    }

    private static void WriteMeta(string path, SceneDatasetSummary s, IReadOnlyList<string> classes, SceneOptions o, ulong seed)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        w.WriteString("format", "mimscale-scenes/1");
        w.WriteNumber("seed", seed);
        w.WriteNumber("size", o.Size);
        w.WriteNumber("training_images", s.TrainingImages);
        w.WriteNumber("validation_images", s.ValidationImages);
        w.WriteNumber("training_instances", s.TrainingInstances);
        w.WriteNumber("validation_instances", s.ValidationInstances);
        w.WriteNumber("num_classes", s.NumClasses);
        w.WriteBoolean("reduce_zero_label", false);
        w.WriteStartArray("classes");
        w.WriteStringValue("background");
        foreach (var c in classes) w.WriteStringValue(c);
        w.WriteEndArray();
        w.WriteString("semantic_convention", "annotations/*/*.png: 0 = background (a real class), c+1 = item class c; equals the COCO category_id");
        w.WriteString("coco_images_root", "images/{split}/");
        w.WriteString("foreground_rule", $"bilinearly resized item intensity > {o.Threshold}");
        w.WriteNumber("min_items", o.MinItems);
        w.WriteNumber("max_items", o.MaxItems);
        w.WriteNumber("min_item_side", o.MinSide);
        w.WriteNumber("max_item_side", o.MaxSide);
        w.WriteNumber("jpeg_quality", o.JpegQuality);
        w.WriteEndObject();
    }
}
