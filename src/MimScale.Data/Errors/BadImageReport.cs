using System.Collections.Concurrent;
using System.Text;

namespace MimScale.Data.Errors;

/// <summary>One image that could not be decoded.</summary>
/// <param name="Index">Index in the source.</param>
/// <param name="Id">Source id (relative path or IDX id).</param>
/// <param name="Reason">The decode error message.</param>
public sealed record BadImage(int Index, string Id, string Reason);

/// <summary>
/// Thread-safe record of the images skipped under <see cref="BadImagePolicy.Skip"/>. Each image is listed once however
/// often it was hit; <see cref="Substitutions"/> counts how many samples were replaced.
/// </summary>
public sealed class BadImageReport
{
    private readonly ConcurrentDictionary<int, BadImage> images = new();
    private long substitutions;

    /// <summary>Distinct bad images, ordered by source index.</summary>
    public IReadOnlyList<BadImage> Images => images.Values.OrderBy(b => b.Index).ToList();

    /// <summary>Number of distinct bad images.</summary>
    public int Count => images.Count;

    /// <summary>How many samples were served by a substitute image.</summary>
    public long Substitutions => Interlocked.Read(ref substitutions);

    /// <summary>True when <paramref name="index"/> is already known to be bad (no second decode attempt).</summary>
    public bool IsKnownBad(int index) => images.ContainsKey(index);

    internal void Add(BadImage image) => images.TryAdd(image.Index, image);

    internal void CountSubstitution() => Interlocked.Increment(ref substitutions);

    /// <summary>Human-readable summary for the end of a run.</summary>
    public override string ToString()
    {
        if (Count == 0) return "bad images: none";
        var sb = new StringBuilder();
        sb.AppendLine($"bad images: {Count} skipped, {Substitutions} samples substituted");
        foreach (var b in Images) sb.AppendLine($"  [{b.Index}] {b.Id}: {b.Reason}");
        return sb.ToString().TrimEnd();
    }
}
