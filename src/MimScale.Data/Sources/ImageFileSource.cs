using MimScale.Data.Errors;

namespace MimScale.Data.Sources;

/// <summary>
/// Images stored as individual files under a root folder: an ImageNet-style class-folder tree, an unlabelled flat
/// folder, a list file, or a manifest. Holds only relative paths and labels; pixels are decoded on demand.
/// </summary>
public sealed class ImageFileSource : IImageSource
{
    /// <summary>File extensions recognised as images (case-insensitive).</summary>
    public static readonly IReadOnlySet<string> ImageExtensions =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".png", ".bmp", ".webp" };

    private readonly string[] ids;
    private readonly int[] labels;

    /// <summary>Folder that the relative ids are resolved against.</summary>
    public string Root { get; }
    /// <summary>Decode limits.</summary>
    public ImageDecodeOptions DecodeOptions { get; }
    /// <inheritdoc />
    public IReadOnlyList<string> ClassNames { get; }
    /// <inheritdoc />
    public string Description { get; }
    /// <inheritdoc />
    public int Count => ids.Length;

    /// <summary>Builds a source from relative ids ('/'-separated) and labels (-1 = unlabelled).</summary>
    public ImageFileSource(string root, IReadOnlyList<string> ids, IReadOnlyList<int> labels,
        IReadOnlyList<string> classNames, string description, ImageDecodeOptions? decodeOptions = null)
    {
        if (ids.Count != labels.Count) throw new ArgumentException("ids and labels differ in length.");
        Root = Path.GetFullPath(root);
        this.ids = ids.ToArray();
        this.labels = labels.ToArray();
        ClassNames = classNames.ToArray();
        Description = description;
        DecodeOptions = decodeOptions ?? ImageDecodeOptions.Default;
    }

    /// <inheritdoc />
    public int GetLabel(int index) => labels[index];
    /// <inheritdoc />
    public string GetId(int index) => ids[index];
    /// <inheritdoc />
    public string Describe(int index) => FullPath(index);
    /// <summary>Absolute path of image <paramref name="index"/>.</summary>
    public string FullPath(int index) => Path.Combine(Root, ids[index]);
    /// <inheritdoc />
    public DecodedImage Load(int index) => ImageDecoder.DecodeFile(FullPath(index), DecodeOptions);

    /// <summary>
    /// torchvision ImageFolder semantics: each sub-folder of <paramref name="root"/> is a class (sorted by ordinal name,
    /// label = position), its image files (searched recursively, sorted) are the samples. Missing root, no class
    /// folders, or an empty class (unless <paramref name="allowEmptyClasses"/>) throw <see cref="DataSourceException"/>.
    /// </summary>
    public static ImageFileSource FromImageFolder(string root, ImageDecodeOptions? decodeOptions = null, bool allowEmptyClasses = false)
    {
        RequireFolder(root);
        var classDirs = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>()
            .OrderBy(n => n, StringComparer.Ordinal).ToArray();
        if (classDirs.Length == 0) throw new DataSourceException(root, "no class folders (expected root/<class>/<image>)");
        var ids = new List<string>();
        var labels = new List<int>();
        for (int c = 0; c < classDirs.Length; c++)
        {
            var classDir = Path.Combine(root, classDirs[c]);
            var files = ListImages(root, classDir);
            if (files.Count == 0 && !allowEmptyClasses)
                throw new DataSourceException(classDir, $"class folder '{classDirs[c]}' contains no images ({string.Join(", ", ImageExtensions)})");
            ids.AddRange(files);
            labels.AddRange(Enumerable.Repeat(c, files.Count));
        }
        if (ids.Count == 0) throw new DataSourceException(root, "no images in any class folder");
        return new ImageFileSource(root, ids, labels, classDirs, $"folder:{Path.GetFullPath(root)}", decodeOptions);
    }

    /// <summary>All image files under <paramref name="root"/> (recursive, sorted), unlabelled (label -1).</summary>
    public static ImageFileSource FromFlatFolder(string root, ImageDecodeOptions? decodeOptions = null)
    {
        RequireFolder(root);
        var files = ListImages(root, root);
        if (files.Count == 0) throw new DataSourceException(root, "folder contains no images");
        return new ImageFileSource(root, files, Enumerable.Repeat(-1, files.Count).ToArray(), Array.Empty<string>(),
            $"flat:{Path.GetFullPath(root)}", decodeOptions);
    }

    /// <summary>
    /// A list file: one image per line, <c>path label</c> (split at the last whitespace; a line with no label is
    /// unlabelled), '#' comments and blank lines skipped. Relative paths resolve against <paramref name="root"/>
    /// (default: the list file's folder). Class names are the label numbers 0..max.
    /// </summary>
    public static ImageFileSource FromListFile(string listPath, string? root = null, ImageDecodeOptions? decodeOptions = null)
    {
        if (!File.Exists(listPath)) throw new DataSourceException(listPath, "list file not found");
        root ??= Path.GetDirectoryName(Path.GetFullPath(listPath))!;
        var ids = new List<string>();
        var labels = new List<int>();
        int lineNo = 0;
        foreach (var raw in File.ReadLines(listPath))
        {
            lineNo++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            int cut = line.LastIndexOfAny([' ', '\t']);
            string path = line;
            int label = -1;
            if (cut > 0 && int.TryParse(line.AsSpan(cut + 1), System.Globalization.NumberStyles.Integer,
                    System.Globalization.CultureInfo.InvariantCulture, out int parsed))
            {
                if (parsed < 0) throw new DataSourceException(listPath, $"line {lineNo}: negative label {parsed}");
                path = line[..cut].TrimEnd();
                label = parsed;
            }
            ids.Add(path.Replace('\\', '/'));
            labels.Add(label);
        }
        if (ids.Count == 0) throw new DataSourceException(listPath, "list file has no entries");
        bool anyLabel = labels.Any(l => l >= 0), allLabel = labels.All(l => l >= 0);
        if (anyLabel && !allLabel) throw new DataSourceException(listPath, "some lines have labels and some do not");
        int classes = anyLabel ? labels.Max() + 1 : 0;
        var names = Enumerable.Range(0, classes).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return new ImageFileSource(root, ids, labels, names, $"list:{Path.GetFullPath(listPath)}", decodeOptions);
    }

    private static void RequireFolder(string root)
    {
        if (File.Exists(root)) throw new DataSourceException(root, "expected a folder, found a file");
        if (!Directory.Exists(root)) throw new DataSourceException(root, "folder not found");
    }

    private static List<string> ListImages(string root, string folder)
    {
        try
        {
            return Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Where(f => ImageExtensions.Contains(Path.GetExtension(f)))
                .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
                .OrderBy(f => f, StringComparer.Ordinal)
                .ToList();
        }
        catch (UnauthorizedAccessException e) { throw new DataSourceException(folder, "permission denied while listing", e); }
        catch (IOException e) { throw new DataSourceException(folder, $"cannot list folder: {e.Message}", e); }
    }
}
