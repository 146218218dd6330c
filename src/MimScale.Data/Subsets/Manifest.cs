using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MimScale.Data.Errors;
using MimScale.Data.Sources;
using MimScale.Files;

namespace MimScale.Data.Subsets;

/// <summary>One manifest line: a source id (relative path or IDX id) and its label (-1 = unlabelled).</summary>
public sealed record ManifestEntry(string Id, int Label);

/// <summary>
/// A dataset (sub)set as data: entries sorted by ordinal id, each <c>id TAB label</c>. The canonical text is exactly
/// those lines, each ended by '\n', UTF-8; <see cref="Hash"/> is its SHA-256 (lower-case hex), so two manifests with
/// the same images and labels have the same hash whatever their comments. The file adds '#' header lines: the
/// hash, free metadata (<c># key: value</c>) and the class names (<c># class: k TAB name</c>).
/// </summary>
public sealed class Manifest
{
    /// <summary>First line of every manifest file.</summary>
    public const string FormatLine = "# mimscale-manifest 1";

    /// <summary>Entries, sorted by ordinal id, ids unique.</summary>
    public IReadOnlyList<ManifestEntry> Entries { get; }
    /// <summary>Class names of the source the labels refer to (may be empty).</summary>
    public IReadOnlyList<string> ClassNames { get; }
    /// <summary>Free metadata (source, subset kind, fraction, seed, count rule), in insertion order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Metadata { get; }
    /// <summary>SHA-256 of <see cref="CanonicalText"/>, lower-case hex.</summary>
    public string Hash { get; }

    /// <summary>Sorts the entries and computes the hash; ids must be unique and free of tabs/newlines.</summary>
    public Manifest(IEnumerable<ManifestEntry> entries, IReadOnlyList<string>? classNames = null,
        IEnumerable<KeyValuePair<string, string>>? metadata = null)
    {
        var sorted = entries.OrderBy(e => e.Id, StringComparer.Ordinal).ToArray();
        for (int i = 0; i < sorted.Length; i++)
        {
            if (sorted[i].Id.Length == 0 || sorted[i].Id.AsSpan().IndexOfAny('\t', '\n', '\r') >= 0)
                throw new ArgumentException($"manifest id '{sorted[i].Id}' is empty or contains a tab/newline");
            if (i > 0 && sorted[i].Id == sorted[i - 1].Id) throw new ArgumentException($"duplicate manifest id '{sorted[i].Id}'");
        }
        Entries = sorted;
        ClassNames = classNames?.ToArray() ?? [];
        Metadata = metadata?.ToArray() ?? [];
        Hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalText)));
    }

    /// <summary>Number of entries.</summary>
    public int Count => Entries.Count;

    /// <summary>The hashed text: <c>id\tlabel\n</c> per entry, in order.</summary>
    public string CanonicalText
    {
        get
        {
            var sb = new StringBuilder(Entries.Count * 32);
            foreach (var e in Entries) sb.Append(e.Id).Append('\t').Append(e.Label.ToString(CultureInfo.InvariantCulture)).Append('\n');
            return sb.ToString();
        }
    }

    /// <summary>Value of metadata <paramref name="key"/>, or null.</summary>
    public string? Get(string key) => Metadata.FirstOrDefault(kv => kv.Key == key).Value;

    /// <summary>Every image of <paramref name="source"/> as a manifest.</summary>
    public static Manifest FromSource(IImageSource source, IEnumerable<KeyValuePair<string, string>>? metadata = null) =>
        new(Enumerable.Range(0, source.Count).Select(i => new ManifestEntry(source.GetId(i), source.GetLabel(i))),
            source.ClassNames, metadata ?? [new("source", source.Description)]);

    /// <summary>Writes the manifest file (header comments, then the canonical lines).</summary>
    public void Save(string path)
    {
        AtomicFile.Write(path, stream => WriteTo(stream));
    }

    private void WriteTo(Stream stream)
    {
        using var w = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true) { NewLine = "\n" };
        w.WriteLine(FormatLine);
        w.WriteLine($"# sha256: {Hash}");
        w.WriteLine($"# count: {Count}");
        foreach (var kv in Metadata) w.WriteLine($"# {kv.Key}: {kv.Value}");
        for (int k = 0; k < ClassNames.Count; k++) w.WriteLine($"# class: {k}\t{ClassNames[k]}");
        w.Write(CanonicalText);
    }

    /// <summary>Reads a manifest file, checking every line and, when the header records one, the hash.</summary>
    public static Manifest Load(string path)
    {
        if (!File.Exists(path)) throw new DataSourceException(path, "manifest file not found");
        var entries = new List<ManifestEntry>();
        var classes = new SortedDictionary<int, string>();
        var meta = new List<KeyValuePair<string, string>>();
        string? recordedHash = null;
        int lineNo = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            if (line.Length == 0) continue;
            if (line[0] == '#')
            {
                if (line == FormatLine) continue;
                int colon = line.IndexOf(':');
                if (colon < 0) continue;
                string key = line[1..colon].Trim(), value = line[(colon + 1)..].Trim();
                if (key == "sha256") recordedHash = value;
                else if (key == "count") { }
                else if (key == "class")
                {
                    var parts = value.Split('\t', 2);
                    if (parts.Length != 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out int k))
                        throw new DataSourceException(path, $"line {lineNo}: malformed class line");
                    classes[k] = parts[1];
                }
                else meta.Add(new(key, value));
                continue;
            }
            int tab = line.LastIndexOf('\t');
            if (tab <= 0 || !int.TryParse(line.AsSpan(tab + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int label))
                throw new DataSourceException(path, $"line {lineNo}: expected 'id<TAB>label', got '{line}'");
            entries.Add(new ManifestEntry(line[..tab], label));
        }
        if (entries.Count == 0) throw new DataSourceException(path, "manifest has no entries");
        Manifest m;
        try { m = new Manifest(entries, classes.Values.ToArray(), meta); }
        catch (ArgumentException e) { throw new DataSourceException(path, e.Message, e); }
        if (recordedHash is not null && !string.Equals(recordedHash, m.Hash, StringComparison.OrdinalIgnoreCase))
            throw new DataSourceException(path, $"content hash {m.Hash} does not match the recorded sha256 {recordedHash} (file edited or damaged)");
        return m;
    }
}
