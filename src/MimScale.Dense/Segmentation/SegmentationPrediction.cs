namespace MimScale.Dense.Segmentation;

/// <summary>What `mimscale segment predict` wrote.</summary>
public sealed record PredictionSummary(int Images, string OutDir, string WeightsFile, bool Slide);

/// <summary>
/// The engine of <c>mimscale segment predict</c>: a trained run's model on every image of a folder (.jpg, .jpeg,
/// .png, sorted by name), one PNG label map per image (same stem, 8-bit gray, class ids 0..K-1) at the image's own
/// size, ready for <c>mimscale segment evaluate</c>.
/// </summary>
public static class SegmentationPrediction
{
    static readonly string[] Extensions = [".jpg", ".jpeg", ".png"];

    /// <param name="runDir">The segmentation run folder.</param>
    /// <param name="imagesDir">The images to segment.</param>
    /// <param name="outDir">Where the label maps go.</param>
    /// <param name="mode">"slide" or "whole" to override the run's test protocol; null keeps it.</param>
    /// <param name="checkpoint">A checkpoint to use instead of the run's own; null = the run's.</param>
    /// <param name="threads">Torch threads; 0 keeps the default.</param>
    public static PredictionSummary Run(string runDir, string imagesDir, string outDir, string? mode = null, string? checkpoint = null, int threads = 0)
    {
        if (!Directory.Exists(imagesDir)) throw new DirectoryNotFoundException($"{imagesDir}: images folder not found");
        var files = Directory.EnumerateFiles(imagesDir).Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new InvalidDataException($"{imagesDir}: no .jpg/.jpeg/.png images");
        if (threads > 0) TorchSharp.torch.set_num_threads(threads);
        var (model, spec, weights) = SegmentationModel.FromRun(runDir, checkpoint);
        var settings = spec.Test.ToSettings();
        if (mode is not null)
            settings = settings with { Slide = mode switch { "slide" => true, "whole" => false, _ => throw new ArgumentException($"--mode must be 'slide' or 'whole', got '{mode}'") } };
        Directory.CreateDirectory(outDir);
        foreach (var f in files)
        {
            var map = SegmentationPredictor.Predict(model, RgbImage.Load(f), settings, spec.Norm);
            LabelMapPngWriter.Write(Path.Combine(outDir, Path.GetFileNameWithoutExtension(f) + ".png"), map);
        }
        return new PredictionSummary(files.Count, outDir, weights, settings.Slide);
    }
}
