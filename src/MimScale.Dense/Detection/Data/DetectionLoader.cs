using MimScale.Data.Loading;
using MimScale.Data.Random;

namespace MimScale.Dense.Detection.Data;

/// <summary>
/// The training stream: epochs of a seeded permutation of the images (keyed (seed, Order, epoch)), cut into full
/// batches (the last partial batch is dropped), each sample augmented with the draws keyed (seed, Augment, epoch,
/// position in the epoch). Every batch is therefore a pure function of (seed, epoch, batch index): a run resumed at a
/// <see cref="LoaderPosition"/> sees exactly the batches the uninterrupted run saw. Single-threaded: a scene batch
/// takes milliseconds next to the network's step.
/// </summary>
public sealed class DetectionLoader
{
    private readonly IReadOnlyList<DetectionImage> images;
    private readonly DetectionTransform transform;
    private readonly int batchSize;
    private readonly ulong seed;
    private int[]? order;
    private int orderEpoch = -1;

    public DetectionLoader(IReadOnlyList<DetectionImage> images, DetectionTransform transform, int batchSize, ulong seed, LoaderPosition start)
    {
        if (batchSize <= 0) throw new ArgumentException($"batch size must be positive, got {batchSize}");
        if (images.Count < batchSize) throw new ArgumentException($"{images.Count} training images cannot fill one batch of {batchSize}");
        this.images = images;
        this.transform = transform;
        this.batchSize = batchSize;
        this.seed = seed;
        Position = start;
    }

    /// <summary>Full batches per epoch.</summary>
    public int BatchesPerEpoch => images.Count / batchSize;

    /// <summary>The next batch to be produced.</summary>
    public LoaderPosition Position { get; private set; }

    /// <summary>The batch at <see cref="Position"/>; advances the position.</summary>
    public DetectionBatch Next()
    {
        var p = Position;
        if (p.BatchIndex >= BatchesPerEpoch) p = new LoaderPosition(p.Epoch + 1, 0);
        if (orderEpoch != p.Epoch)
        {
            var rng = DataRng.For(seed, RandomStream.Order, p.Epoch);
            order = rng.Permutation(images.Count);
            orderEpoch = p.Epoch;
        }
        var samples = new List<DetectionSample>();
        for (int j = 0; j < batchSize; j++)
        {
            int position = p.BatchIndex * batchSize + j;
            var rng = DataRng.For(seed, RandomStream.Augment, p.Epoch, position);
            samples.Add(transform.Train(images[order![position]], ref rng));
        }
        Position = new LoaderPosition(p.Epoch, p.BatchIndex + 1);
        return new DetectionBatch(samples);
    }
}
