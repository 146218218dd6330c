using MimScale.Data.Loading;
using MimScale.Data.Sources;
using MimScale.Data.Transforms;
using MimScale.Models.SwinV2;
using MimScale.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Training.Evaluation;

/// <summary>Pooled encoder features of a labelled set: Features (N, C) float32 on the CPU, one label per row.</summary>
public sealed class FeatureSet : IDisposable
{
    public FeatureSet(Tensor features, long[] labels, int numClasses)
    {
        if (features.dim() != 2 || features.shape[0] != labels.Length)
            throw new ArgumentException($"features [{string.Join(",", features.shape)}] do not match {labels.Length} labels");
        Features = features;
        Labels = labels;
        NumClasses = numClasses;
    }

    /// <summary>(N, C) float32.</summary>
    public Tensor Features { get; }
    public long[] Labels { get; }
    public int NumClasses { get; }
    public int Count => Labels.Length;

    /// <summary>
    /// Runs the encoder once over <paramref name="source"/> with the evaluation transform and keeps the pooled features
    /// (final norm, token mean: <see cref="SwinTransformerV2.ForwardFeatures"/>), in source order.
    /// </summary>
    public static FeatureSet Extract(SwinTransformerV2 encoder, IImageSource source, ValidationTransform transform, int numClasses,
        int batchSize = 256, int workers = 2)
    {
        bool wasTraining = encoder.training;
        encoder.eval();
        var chunks = new List<Tensor>();
        var labels = new List<long>();
        try
        {
            using var loader = new FineTuneLoader(source, transform, LoaderOptions.Evaluation(batchSize, workers).Feeding(DevicePlacement.DeviceOf(encoder)));
            using var _ = torch.no_grad();
            foreach (var batch in loader.ReadToEnd())
            {
                using var b = batch;
                using var scope = NewDisposeScope();
                chunks.Add(encoder.ForwardFeatures(b.Images).to_type(ScalarType.Float32).MoveToOuterDisposeScope());   // (B, C)
                labels.AddRange(b.Labels.data<long>().ToArray());
            }
        }
        finally { encoder.train(wasTraining); }
        if (chunks.Count == 0) throw new ArgumentException($"{source.Description}: no images");
        var all = torch.cat(chunks, 0);
        foreach (var c in chunks) c.Dispose();
        return new FeatureSet(all, labels.ToArray(), numClasses);
    }

    public void Dispose() => Features.Dispose();
}
