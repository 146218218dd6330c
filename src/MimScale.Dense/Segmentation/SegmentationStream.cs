using MimScale.Data.Random;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Dense.Segmentation;

/// <summary>
/// The training batches as a pure function of the iteration: each epoch is a permutation of the training split keyed
/// by (seed, epoch) (drop-last: epoch = k / iterations_per_epoch); sample j of an epoch is augmented with its own
/// stream keyed by (seed, epoch, j). So a resumed run needs only the iteration to draw exactly the batches the
/// killed one would have drawn, and the worker count never changes a pixel.
/// </summary>
public sealed class SegmentationStream
{
    private readonly Ade20kLayout split;
    private readonly SegmentationAugment augment;
    private readonly PixelNorm norm;
    private readonly ulong seed;
    private readonly int batchSize, accumulation, workers;
    private int cachedEpoch = -1;
    private int[] order = Array.Empty<int>();

    public SegmentationStream(Ade20kLayout split, SegmentationAugment augment, PixelNorm norm, ulong seed, int batchSize, int accumulation, int workers)
    {
        this.split = split; this.augment = augment; this.norm = norm; this.seed = seed;
        this.batchSize = batchSize; this.accumulation = accumulation; this.workers = workers;
        IterationsPerEpoch = split.Samples.Count / (batchSize * accumulation);
        if (IterationsPerEpoch <= 0)
            throw new ArgumentException($"{split.Root}: {split.Samples.Count} training images give no full update of {batchSize * accumulation}");
    }

    public long IterationsPerEpoch { get; }

    /// <summary>(epoch, update within the epoch) of iteration <paramref name="k"/>.</summary>
    public (int Epoch, int Batch) Position(long k) => ((int)(k / IterationsPerEpoch), (int)(k % IterationsPerEpoch));

    /// <summary>Micro-batch <paramref name="micro"/> of iteration <paramref name="k"/>: (B, 3, crop, crop) images, (B, crop, crop) labels.</summary>
    public (Tensor Images, Tensor Labels) Batch(long k, int micro)
    {
        var (epoch, batch) = Position(k);
        if (epoch != cachedEpoch) { order = DataRng.For(seed, RandomStream.Order, epoch).Permutation(split.Samples.Count); cachedEpoch = epoch; }
        var samples = new (RgbImage, LabelMap)[batchSize];
        int first = (batch * accumulation + micro) * batchSize;
        Parallel.For(0, batchSize, new ParallelOptions { MaxDegreeOfParallelism = workers }, i =>
        {
            int position = first + i, index = order[position];
            var rng = DataRng.For(seed, RandomStream.Augment, epoch, position);
            samples[i] = augment.Apply(RgbImage.Load(split.Samples[index].ImagePath), split.LoadLabel(index), ref rng);
        });
        return SegmentationTensors.Batch(samples, augment.CropHeight, augment.CropWidth, norm);
    }
}
