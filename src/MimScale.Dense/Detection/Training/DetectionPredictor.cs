using System.Globalization;
using MimScale.Dense.Coco;
using MimScale.Dense.Detection.Data;
using MimScale.Models.TensorFiles;
using MimScale.Training.Runs;
using TorchSharp;

namespace MimScale.Dense.Detection.Training;

/// <summary>
/// `mimscale detect predict`: a trained run's newest checkpoint on the images of a COCO instances file, written as a COCO
/// results file that `detect evaluate` reads.
/// </summary>
public static class DetectionPredictor
{
    /// <summary>
    /// Predicts every image of <paramref name="annotationsPath"/> (from <paramref name="imageDir"/>) with the run in
    /// <paramref name="runDir"/> and writes the detections to <paramref name="outputPath"/>.
    /// </summary>
    public static InferenceOutput Run(string runDir, string annotationsPath, string imageDir, string outputPath, TextWriter log)
    {
        string yaml = Path.Combine(runDir, "run.yaml");
        if (!File.Exists(yaml)) throw new FileNotFoundException($"{runDir}: no run.yaml (not a `detect train` run folder)", yaml);
        var config = DetectionConfigYaml.Load(yaml);
        // The run's thread count: libtorch's reductions are ordered per thread, so another count moves scores in the last bits.
        if (config.Threads > 0) torch.set_num_threads(config.Threads);
        var checkpoint = new CheckpointStore(runDir, config.KeepCheckpoints).Latest()
            ?? throw new InvalidDataException($"{runDir}: the run has no checkpoint yet");
        var data = DetectionDataset.Load(annotationsPath, imageDir);
        // The classes are the training file's; the data to predict must use the same categories.
        var (trainAnn, _, _, _) = config.DataPaths();
        var trainCats = CocoDataset.Read(trainAnn).Categories.Select(c => c.Id).ToList();
        if (!trainCats.SequenceEqual(data.CategoryIds))
            throw new InvalidDataException($"{annotationsPath}: categories differ from the training file {trainAnn}");
        // Built from scratch (no need for the pre-trained file), then every weight from the checkpoint (strict).
        var (model, _) = DetectionRun.Build(config with { Pretrained = null }, trainCats.Count, null);
        using (model)
        {
            ModelWeights.Load(model, checkpoint.ModelFile);
            var output = DetectionInference.Run(model, data, DetectionRun.Transform(config));
            string? dir = Path.GetDirectoryName(Path.GetFullPath(outputPath));
            if (dir is not null) Directory.CreateDirectory(dir);
            CocoResults.Write(output.Detections, outputPath);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"predict: step {checkpoint.Step} of {runDir} on {data.Images.Count} images: {output.Detections.Count} detections, {output.ImagesPerSecond:F2} img/s -> {outputPath}"));
            return output;
        }
    }
}
