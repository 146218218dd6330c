using MimScale.Data.Loading;
using MimScale.Data.Sources;
using MimScale.Data.Transforms;
using MimScale.Models.SwinV2;
using MimScale.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Training.Evaluation;

/// <summary>
/// Top-1 / top-5 / mean per-class accuracy of a classifier over a labelled source with the deterministic evaluation
/// transform (source order, every image once, no augmentation), as the official validate() does.
/// </summary>
public static class ClassifierEvaluator
{
    public static ClassificationResult Evaluate(SwinTransformerV2 model, IImageSource source, ValidationTransform transform,
        int numClasses, int batchSize = 256, int workers = 2)
    {
        var metrics = new ClassificationMetrics(numClasses);
        bool wasTraining = model.training;
        model.eval();
        var device = DevicePlacement.DeviceOf(model);
        try
        {
            using var loader = new FineTuneLoader(source, transform, LoaderOptions.Evaluation(batchSize, workers).Feeding(device));
            using var _ = torch.no_grad();
            foreach (var batch in loader.ReadToEnd())
            {
                using var b = batch;
                using var scope = NewDisposeScope();
                metrics.Add(model.forward(b.Images.On(device)).cpu(), b.Labels);
            }
        }
        finally { model.train(wasTraining); }
        return metrics.Result();
    }
}
