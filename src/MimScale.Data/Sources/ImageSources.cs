using MimScale.Data.Errors;
using MimScale.Data.Subsets;

namespace MimScale.Data.Sources;

/// <summary>
/// Opens a source from a specification string, as the CLI and study files give it:
/// <list type="bullet">
/// <item><c>fashion-mnist[:DIR][@train|@test]</c>: IDX files (default DIR = Debian's path, default split train);</item>
/// <item><c>folder:DIR[@split]</c>: ImageNet layout; with a split (train/val) it reads DIR/split;</item>
/// <item><c>flat:DIR</c>: unlabelled image folder; <c>list:FILE</c>: list file;</item>
/// <item><c>manifest:FILE@BASE</c>: the manifest's images out of the source BASE (any spec above);</item>
/// <item>a bare path: a folder with IDX files is Fashion-MNIST train, a folder with a <c>train/</c> sub-folder is its
/// train split, another folder is an ImageNet-layout folder, a file is a list file.</item>
/// </list>
/// </summary>
public static class ImageSources
{
    /// <summary>Opens <paramref name="spec"/> (see the type summary).</summary>
    public static IImageSource Open(string spec, ImageDecodeOptions? decode = null)
    {
        if (spec.StartsWith("manifest:", StringComparison.Ordinal))
        {
            var rest = spec["manifest:".Length..];
            int at = rest.IndexOf('@');
            if (at < 0) throw new ArgumentException($"'{spec}': expected manifest:FILE@BASE-SOURCE");
            var file = rest[..at];
            return FromManifest(Manifest.Load(file), Open(rest[(at + 1)..], decode), file);
        }
        if (spec.StartsWith("fashion-mnist", StringComparison.Ordinal))
        {
            var rest = spec["fashion-mnist".Length..];
            var split = FashionMnistSplit.Train;
            int at = rest.LastIndexOf('@');
            if (at >= 0)
            {
                split = rest[(at + 1)..] switch
                {
                    "train" => FashionMnistSplit.Train,
                    "test" or "t10k" or "val" => FashionMnistSplit.Test,
                    var s => throw new ArgumentException($"'{spec}': unknown Fashion-MNIST split '{s}' (train or test)"),
                };
                rest = rest[..at];
            }
            var dir = rest.StartsWith(':') ? rest[1..] : FashionMnist.DebianPath;
            return FashionMnist.Open(dir, split);
        }
        if (spec.StartsWith("folder:", StringComparison.Ordinal))
        {
            var rest = spec["folder:".Length..];
            int at = rest.LastIndexOf('@');
            var root = at >= 0 ? Path.Combine(rest[..at], rest[(at + 1)..]) : rest;
            return ImageFileSource.FromImageFolder(root, decode);
        }
        if (spec.StartsWith("flat:", StringComparison.Ordinal)) return ImageFileSource.FromFlatFolder(spec[5..], decode);
        if (spec.StartsWith("list:", StringComparison.Ordinal)) return ImageFileSource.FromListFile(spec[5..], null, decode);

        if (File.Exists(spec)) return ImageFileSource.FromListFile(spec, null, decode);
        if (!Directory.Exists(spec)) throw new DataSourceException(spec, "source not found (no such file or folder)");
        if (FashionMnist.LooksLikeIdxFolder(spec)) return FashionMnist.Open(spec, FashionMnistSplit.Train);
        var train = Path.Combine(spec, "train");
        return ImageFileSource.FromImageFolder(Directory.Exists(train) ? train : spec, decode);
    }

    /// <summary>
    /// The manifest's images. For a file source they are resolved directly under its root (no re-listing of a large
    /// tree is needed if the manifest is trusted: pass the root folder instead with <see cref="FromManifest(Manifest, string, ImageDecodeOptions?)"/>).
    /// </summary>
    public static IImageSource FromManifest(Manifest manifest, IImageSource baseSource, string manifestName = "manifest") =>
        SubsetSource.FromManifest(baseSource, manifest, manifestName);

    /// <summary>The manifest's images as files under <paramref name="root"/>, without listing the folder.</summary>
    public static ImageFileSource FromManifest(Manifest manifest, string root, ImageDecodeOptions? decode = null) =>
        new(root, manifest.Entries.Select(e => e.Id).ToArray(), manifest.Entries.Select(e => e.Label).ToArray(),
            manifest.ClassNames, $"manifest:{manifest.Hash[..12]}@{Path.GetFullPath(root)}", decode);
}
