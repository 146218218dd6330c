using System.Collections.Concurrent;
using System.Text;
using MimScale.Data.Errors;
using MimScale.Data.Sources;

namespace MimScale.Data.Subsets;

/// <summary>
/// Every image of a source decoded once, before statistics or subsets are made from it: a file that cannot be decoded
/// (truncated, empty, not an image, unreadable) is listed by name and left out, so it is neither counted in the
/// paper's Table 2 view nor written into a manifest that a run would later trip over. Counting files alone is not
/// enough: a cut-off JPEG has the right name and size class.
/// </summary>
/// <param name="Source">The source scanned.</param>
/// <param name="Decodable">The images that decoded (the source itself when all did), same ids and labels.</param>
/// <param name="Bad">The images that did not, ordered by index, with the decoder's reason.</param>
public sealed record DecodeScan(IImageSource Source, IImageSource Decodable, IReadOnlyList<BadImage> Bad)
{
    /// <summary>Decodes every image of <paramref name="source"/> (on <paramref name="threads"/> threads, 0 = all cores).</summary>
    public static DecodeScan Run(IImageSource source, int threads = 0)
    {
        var bad = new ConcurrentBag<BadImage>();
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount };
        Parallel.For(0, source.Count, options, i =>
        {
            try { source.Load(i).Dispose(); }
            catch (ImageDecodeException e) { bad.Add(new BadImage(i, source.GetId(i), e.Reason)); }
        });
        var sorted = bad.OrderBy(b => b.Index).ToList();
        if (sorted.Count == 0) return new DecodeScan(source, source, sorted);
        var excluded = sorted.Select(b => b.Index).ToHashSet();
        var good = Enumerable.Range(0, source.Count).Where(i => !excluded.Contains(i)).ToArray();
        // The description goes into every manifest's "source" line, so a manifest says that images were left out.
        var view = new SubsetSource(source, good, $"{source.Description} without {sorted.Count} undecodable image{(sorted.Count == 1 ? "" : "s")}");
        return new DecodeScan(source, view, sorted);
    }

    /// <summary>
    /// One line per undecodable image after a count (<c>2 of 30 images cannot be decoded and are left out:</c>), or
    /// <c>all N images decode</c>.
    /// </summary>
    public string Summary()
    {
        if (Bad.Count == 0) return $"all {Source.Count} images decode";
        var sb = new StringBuilder($"{Bad.Count} of {Source.Count} images cannot be decoded and are left out:");
        foreach (var b in Bad) sb.Append($"\n  {b.Id}: {b.Reason}");
        return sb.ToString();
    }
}
