using System.Globalization;
using MimScale.Data.Random;
using MimScale.Data.Sources;

namespace MimScale.Data.Subsets;

/// <summary>
/// A fixed, class-balanced (stratified) subset of N images of an evaluation source: what <c>val_images: N</c> means.
/// Taking the first N images instead is biased on any source sorted by class (an ImageFolder: ImageNet's first 2,000
/// validation images are 40 of its 1,000 classes). The draw depends only on the source and N (the seed is a fixed
/// constant, never the run seed), so every run that validates on N images of one source sees the same images.
/// </summary>
public static class StratifiedSubset
{
    /// <summary>The seed of every validation subset: a constant, so that runs with other seeds share their validation images.</summary>
    public const ulong FixedSeed = 0;

    /// <summary>The allocation rule, recorded in every stratified manifest.</summary>
    public const string Rule = "n_c = N div C per class; a class smaller than its share gives all its images and the rest is " +
                               "shared equally among the others; the N mod C leftover images go one each to the first classes of a seeded class order";

    /// <summary>
    /// Images per class for <paramref name="count"/> images over classes of <paramref name="classSizes"/> images
    /// (water-filling): equal shares, capped at each class's size, the shortfall re-shared among the classes that
    /// still have images; a leftover smaller than the number of open classes goes one image each to the first open
    /// classes in <paramref name="classOrder"/>. The quotas sum to min(count, total images).
    /// </summary>
    /// <param name="classSizes">Images per class (index = group).</param>
    /// <param name="count">Images wanted.</param>
    /// <param name="classOrder">A permutation of the group indices: who receives the leftover first.</param>
    public static int[] Quotas(IReadOnlyList<int> classSizes, int count, IReadOnlyList<int> classOrder)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "must be >= 0");
        if (classOrder.Count != classSizes.Count || classOrder.Distinct().Count() != classSizes.Count || classOrder.Any(c => c < 0 || c >= classSizes.Count))
            throw new ArgumentException("classOrder must be a permutation of the class indices", nameof(classOrder));
        var quota = new int[classSizes.Count];
        long remaining = Math.Min(count, classSizes.Sum(s => (long)s));
        while (remaining > 0)
        {
            var open = classOrder.Where(c => quota[c] < classSizes[c]).ToList();
            long share = remaining / open.Count;
            if (share == 0)
            {
                // Fewer images left than open classes: one more each for the first classes of the seeded order.
                foreach (var c in open.Take((int)remaining)) quota[c]++;
                break;
            }
            foreach (var c in open)
            {
                int add = (int)Math.Min(share, classSizes[c] - quota[c]);
                quota[c] += add;
                remaining -= add;
            }
        }
        return quota;
    }

    /// <summary>
    /// The stratified subset of <paramref name="count"/> images of <paramref name="source"/> (all of it when count is 0
    /// or at least its size): per class, its images sorted by id are shuffled by the stream (seed, ValidationSubset,
    /// hash(class name)) and the first <see cref="Quotas"/> kept. Unlabelled sources are one group.
    /// </summary>
    public static Manifest Draw(IImageSource source, int count, ulong seed = FixedSeed)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "val_images must be >= 0");
        var groups = SubsetSampler.GroupByLabel(source);
        var labels = groups.Keys.ToArray();
        var sizes = groups.Values.Select(g => g.Count).ToArray();
        int wanted = count == 0 ? source.Count : Math.Min(count, source.Count);
        var order = DataRng.For(seed, RandomStream.ValidationSubset, -1).Permutation(labels.Length);
        var quotas = Quotas(sizes, wanted, order);
        var entries = new List<ManifestEntry>(wanted);
        for (int g = 0; g < labels.Length; g++)
        {
            int label = labels[g];
            string name = label >= 0 && label < source.ClassNames.Count ? source.ClassNames[label] : label.ToString(CultureInfo.InvariantCulture);
            var perm = groups[label].ToArray();
            DataRng.For(seed, RandomStream.ValidationSubset, (long)SplitMix64.Hash(name)).Shuffle<int>(perm);
            for (int k = 0; k < quotas[g]; k++) entries.Add(new ManifestEntry(source.GetId(perm[k]), label));
        }
        return new Manifest(entries, source.ClassNames,
        [
            new("source", source.Description),
            new("subset", "stratified validation subset"),
            new("images", wanted.ToString(CultureInfo.InvariantCulture)),
            new("seed", seed.ToString(CultureInfo.InvariantCulture)),
            new("rule", Rule),
        ]);
    }
}
