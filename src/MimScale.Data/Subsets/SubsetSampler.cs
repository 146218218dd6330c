using System.Globalization;
using MimScale.Data.Random;
using MimScale.Data.Sources;

namespace MimScale.Data.Subsets;

/// <summary>
/// The paper's data axis: class-balanced fractions ("uniformly sampled from each category", e.g. IN-1K 10/20/50%)
/// and class subsets (IN100-like). Deterministic in the seed (own xoshiro256** streams), identical across processes.
/// </summary>
public static class SubsetSampler
{
    /// <summary>The per-class count rule, recorded in every fraction manifest.</summary>
    public const string CountRule = "n_c' = min(n_c, max(1, round_half_away_from_zero(fraction * n_c)))";

    /// <summary>
    /// Images kept from a class of <paramref name="classSize"/> images: round(fraction*n_c) (halves away from zero),
    /// at least 1, at most n_c. Monotone in the fraction, which makes the subsets nested.
    /// </summary>
    public static int CountForFraction(double fraction, int classSize)
    {
        if (!(fraction > 0 && fraction <= 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "fraction must be in (0, 1].");
        if (classSize <= 0) return 0;
        int n = (int)Math.Round(fraction * classSize, MidpointRounding.AwayFromZero);
        return Math.Clamp(n, 1, classSize);
    }

    /// <summary>
    /// One manifest per fraction. For each class, its images sorted by id are shuffled once by the stream
    /// (seed, SubsetFraction, hash(class name)), and each fraction keeps the first <see cref="CountForFraction"/> of
    /// that one permutation, so every smaller subset is contained in every larger one (nested). Keying by the class
    /// name keeps a class's draw unchanged when other classes are added. Unlabelled sources are one group.
    /// </summary>
    public static IReadOnlyList<Manifest> ClassBalancedFractions(IImageSource source, IReadOnlyList<double> fractions, ulong seed)
    {
        foreach (var f in fractions) CountForFraction(f, 1); // validates
        var groups = GroupByLabel(source);
        var perms = new Dictionary<int, int[]>();
        foreach (var (label, members) in groups)
        {
            string name = label >= 0 && label < source.ClassNames.Count ? source.ClassNames[label] : label.ToString(CultureInfo.InvariantCulture);
            var rng = DataRng.For(seed, RandomStream.SubsetFraction, (long)SplitMix64.Hash(name));
            var perm = members.ToArray();
            rng.Shuffle<int>(perm);
            perms[label] = perm;
        }
        var result = new List<Manifest>();
        foreach (var f in fractions)
        {
            var entries = new List<ManifestEntry>();
            foreach (var (label, perm) in perms)
            {
                int keep = CountForFraction(f, perm.Length);
                for (int k = 0; k < keep; k++) entries.Add(new ManifestEntry(source.GetId(perm[k]), label));
            }
            result.Add(new Manifest(entries, source.ClassNames,
            [
                new("source", source.Description),
                new("subset", "class-balanced fraction"),
                new("fraction", f.ToString("R", CultureInfo.InvariantCulture)),
                new("seed", seed.ToString(CultureInfo.InvariantCulture)),
                new("rule", CountRule),
            ]));
        }
        return result;
    }

    /// <summary>
    /// IN100-like subset: <paramref name="classCount"/> classes drawn uniformly (first k of one seeded permutation
    /// of the class indices, stream SubsetClasses) with all their images. Labels stay those of the source.
    /// </summary>
    public static Manifest ClassSubset(IImageSource source, int classCount, ulong seed)
    {
        int total = source.ClassNames.Count;
        if (classCount <= 0 || classCount > total)
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, $"must be in 1..{total} (classes of the source)");
        var rng = DataRng.For(seed, RandomStream.SubsetClasses);
        var chosen = rng.Permutation(total).Take(classCount).ToHashSet();
        var entries = Enumerable.Range(0, source.Count).Where(i => chosen.Contains(source.GetLabel(i)))
            .Select(i => new ManifestEntry(source.GetId(i), source.GetLabel(i)));
        return new Manifest(entries, source.ClassNames,
        [
            new("source", source.Description),
            new("subset", "random classes"),
            new("classes", classCount.ToString(CultureInfo.InvariantCulture)),
            new("seed", seed.ToString(CultureInfo.InvariantCulture)),
        ]);
    }

    // Indices per label, each list sorted by id (shared with StratifiedSubset).
    internal static SortedDictionary<int, List<int>> GroupByLabel(IImageSource source)
    {
        var groups = new SortedDictionary<int, List<int>>();
        for (int i = 0; i < source.Count; i++)
        {
            int label = source.GetLabel(i);
            if (!groups.TryGetValue(label, out var list)) groups[label] = list = [];
            list.Add(i);
        }
        // Sort each class by id so the permutation does not depend on the source's enumeration order.
        foreach (var list in groups.Values) list.Sort((a, b) => string.CompareOrdinal(source.GetId(a), source.GetId(b)));
        return groups;
    }
}
