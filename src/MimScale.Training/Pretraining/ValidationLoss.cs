using MimScale.Data.Loading;
using MimScale.Data.Sources;
using MimScale.Data.Transforms;
using MimScale.Models.SimMim;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Training.Pretraining;

/// <summary>
/// The deterministic SimMIM validation loss, the instrument of the paper's third finding (SPEC §8, a MimScale choice
/// since the official code has none): resize + centre crop, a FIXED mask per validation image derived from
/// (mask seed, image index), and the official loss; the result is the mean over images of the per-image loss, which
/// equals the loss of all images as one batch because every image has the same number of masked patches.
/// It is the same number for the same weights in any process, batch size or worker count.
/// </summary>
public sealed class ValidationLoss
{
    private readonly IImageSource source;
    private readonly ValidationTransform transform;
    private readonly int batchSize, workers;

    public ValidationLoss(IImageSource source, ValidationTransform transform, int batchSize, int workers)
    {
        this.source = source;
        this.transform = transform;
        this.batchSize = batchSize;
        this.workers = workers;
    }

    public int Count => source.Count;

    public double Evaluate(SimMimModel model)
    {
        bool wasTraining = model.training;
        model.eval();
        double sum = 0;
        long n = 0;
        try
        {
            using var loader = new SimMimLoader(source, transform, LoaderOptions.Evaluation(batchSize, workers));
            using var _ = torch.no_grad();
            foreach (var batch in loader.ReadToEnd())
            {
                using var b = batch;
                using var scope = NewDisposeScope();
                var xRec = model.ForwardDecoder(model.ForwardEncoder(b.Images, b.Masks));
                var (_, perImage) = model.ForwardLossPerImage(b.Images, xRec, b.Masks);
                sum += perImage.to_type(ScalarType.Float64).sum().item<double>();
                n += b.Count;
            }
        }
        finally { model.train(wasTraining); }
        return n == 0 ? double.NaN : sum / n;
    }
}
