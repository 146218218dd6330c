namespace MimScale.Data.Random;

/// <summary>
/// The independent random streams of the data layer. Each draw is keyed by (seed, stream, ...), so changing one
/// stream's consumer (say, the augmentation) never shifts another (say, the masks or the data order).
/// </summary>
public enum RandomStream : ulong
{
    /// <summary>Per-epoch shuffling of the sample order; keyed (epoch).</summary>
    Order = 1,
    /// <summary>Per-sample augmentation draws; keyed (epoch, position in the epoch's global order).</summary>
    Augment = 2,
    /// <summary>Per-sample training masks; keyed (epoch, position).</summary>
    Mask = 3,
    /// <summary>Fixed validation masks; keyed (image index).</summary>
    ValidationMask = 4,
    /// <summary>Per-batch draws such as Mixup/CutMix; keyed (epoch, batch index).</summary>
    Batch = 5,
    /// <summary>Per-class permutation for class-balanced fraction subsets; keyed (class-name hash).</summary>
    SubsetFraction = 6,
    /// <summary>Permutation of the classes for class subsets (IN100-like).</summary>
    SubsetClasses = 7,
    /// <summary>Synthetic data for benchmarks and tests.</summary>
    Synthetic = 8,
    /// <summary>Stratified validation subsets (<c>val_images: N</c>): per-class permutation keyed (class-name hash), and the
    /// class order that receives the N mod C leftover images keyed (-1).</summary>
    ValidationSubset = 9,
}
