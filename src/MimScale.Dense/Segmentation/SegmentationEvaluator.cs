namespace MimScale.Dense.Segmentation;

/// <summary>
/// Evaluates a folder of predicted label maps against a folder of ground-truth label maps (PNG, same file names):
/// the engine of <c>mimscale segment evaluate</c>. Predictions hold training ids 0..N-1; labels hold training ids
/// and 255 (ignore), or the data set's raw ids when <c>reduceZeroLabel</c> is set (ADE20K: 0 = "other" -> ignored,
/// 1..150 -> 0..149), exactly as mmseg loads them. Both are compared at the label's resolution.
/// </summary>
public static class SegmentationEvaluator
{
    /// <summary>Evaluates the two folders and writes <paramref name="outputJson"/> (see <see cref="SegmentationMetrics.WriteJson(string, bool)"/>).</summary>
    public static SegmentationMetrics Run(string predictionsDir, string labelsDir, int numClasses, bool reduceZeroLabel, string outputJson)
    {
        var metrics = Evaluate(predictionsDir, labelsDir, numClasses, reduceZeroLabel);
        string? parent = Path.GetDirectoryName(Path.GetFullPath(outputJson));
        if (parent is not null) Directory.CreateDirectory(parent);
        metrics.WriteJson(outputJson, reduceZeroLabel);
        return metrics;
    }

    /// <summary>
    /// Pairs the <c>*.png</c> files of both folders by name and accumulates every pair. A file present on one side
    /// only, a size mismatch, or an id out of range is an error naming the file.
    /// </summary>
    public static SegmentationMetrics Evaluate(string predictionsDir, string labelsDir, int numClasses, bool reduceZeroLabel)
    {
        var acc = new IoUAccumulator(numClasses);
        var predictions = PngNames(predictionsDir, "predictions");
        var labels = PngNames(labelsDir, "labels");
        foreach (var name in labels.Where(n => !predictions.Contains(n)).Order(StringComparer.Ordinal))
            throw new FileNotFoundException($"{Path.Combine(predictionsDir, name)}: missing prediction for label {Path.Combine(labelsDir, name)}");
        foreach (var name in predictions.Where(n => !labels.Contains(n)).Order(StringComparer.Ordinal))
            throw new FileNotFoundException($"{Path.Combine(labelsDir, name)}: missing label for prediction {Path.Combine(predictionsDir, name)}");
        if (labels.Count == 0) throw new InvalidDataException($"{labelsDir}: no .png label maps");

        foreach (var name in labels.Order(StringComparer.Ordinal))
        {
            string predPath = Path.Combine(predictionsDir, name), labelPath = Path.Combine(labelsDir, name);
            var pred = LabelMapPngReader.Read(predPath);
            var label = LabelMapPngReader.Read(labelPath);
            if (pred.Width != label.Width || pred.Height != label.Height)
                throw new InvalidDataException($"{predPath}: prediction is {pred.Width}x{pred.Height} but the label {labelPath} is {label.Width}x{label.Height}");
            if (pred.FirstInvalid(numClasses, allowIgnore: false) is var (pv, px, py))
                throw new InvalidDataException($"{predPath}: class id {pv} at (x={px}, y={py}) is outside 0..{numClasses - 1} (--classes {numClasses})");
            // Checked before the reduction, so the message names the id as stored in the file.
            int rawLimit = reduceZeroLabel ? numClasses + 1 : numClasses;
            if (label.FirstInvalid(rawLimit, allowIgnore: true) is var (lv, lx, ly))
                throw new InvalidDataException($"{labelPath}: class id {lv} at (x={lx}, y={ly}) is outside 0..{rawLimit - 1} and not the ignore id 255" +
                    (reduceZeroLabel ? $" (with --reduce-zero-label, ids 1..{numClasses} are classes and 0 is ignored)" : $" (--classes {numClasses})"));
            acc.Add(pred, reduceZeroLabel ? label.ReduceZeroLabel() : label);
        }
        return acc.Compute();
    }

    private static HashSet<string> PngNames(string dir, string role)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{dir}: {role} folder not found");
        return Directory.EnumerateFiles(dir)
            .Where(f => f.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            .Select(f => Path.GetFileName(f))
            .ToHashSet(StringComparer.Ordinal);
    }
}
