using MimScale.Data.Loading;
using MimScale.Data.Sources;
using MimScale.Data.Transforms;
using MimScale.Models.SimMim;
using MimScale.Training.Distributed;
using MimScale.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Training.Pretraining;

/// <summary>
/// The deterministic SimMIM validation loss, the instrument of the paper's third finding (SPEC §8, a MimScale choice
/// since the official code has none): resize + centre crop, a FIXED mask per validation image derived from
/// (mask seed, image index), and the official loss; the result is the mean over images of the per-image loss, which
/// equals the loss of all images as one batch because every image has the same number of masked patches.
/// It is the same number for the same weights in any process, batch size, worker count or rank count: with several
/// ranks each evaluates its interleaved shard of the images and the sums and counts are added over ranks.
/// </summary>
public sealed class ValidationLoss
{
    private readonly IImageSource source;
    private readonly ValidationTransform transform;
    private readonly int batchSize, workers;
    private readonly ICollectives collectives;

    public ValidationLoss(IImageSource source, ValidationTransform transform, int batchSize, int workers, ICollectives? collectives = null)
    {
        this.source = source;
        this.transform = transform;
        this.batchSize = batchSize;
        this.workers = workers;
        this.collectives = collectives ?? SingleProcess.Instance;
    }

    public int Count => source.Count;

    public double Evaluate(SimMimModel model)
    {
        bool wasTraining = model.training;
        model.eval();
        var device = DevicePlacement.DeviceOf(model);
        double sum = 0;
        long n = 0;
        try
        {
            using var loader = new SimMimLoader(source, transform, LoaderOptions.Evaluation(batchSize, workers, collectives.Rank, collectives.WorldSize).Feeding(device));
            using var _ = torch.no_grad();
            foreach (var batch in loader.ReadToEnd())
            {
                using var b = batch;
                using var scope = NewDisposeScope();
                var (images, masks) = (b.Images.On(device), b.Masks.On(device));
                var xRec = model.ForwardDecoder(model.ForwardEncoder(images, masks));
                var (_, perImage) = model.ForwardLossPerImage(images, xRec, masks);
                sum += perImage.to_type(ScalarType.Float64).sum().item<double>();
                n += b.Count;
            }
        }
        finally { model.train(wasTraining); }
        var totals = new[] { sum, n };
        collectives.SumInPlace(totals);
        return totals[1] == 0 ? double.NaN : totals[0] / totals[1];
    }
}
