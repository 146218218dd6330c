using System.Globalization;
using MimScale.Data.Sources;

namespace MimScale.Data.Subsets;

/// <summary>The paper's Table 2 view of a dataset: classes, images, images per class (min / mean / max).</summary>
public sealed record DatasetStats(int Classes, int Images, int MinPerClass, double MeanPerClass, int MaxPerClass)
{
    /// <summary>Statistics of a list of labels; classes are the distinct labels present (-1 counts as one group).</summary>
    public static DatasetStats FromLabels(IEnumerable<int> labels)
    {
        var counts = new Dictionary<int, int>();
        int images = 0;
        foreach (var l in labels)
        {
            counts[l] = counts.GetValueOrDefault(l) + 1;
            images++;
        }
        if (images == 0) return new DatasetStats(0, 0, 0, 0, 0);
        return new DatasetStats(counts.Count, images, counts.Values.Min(), (double)images / counts.Count, counts.Values.Max());
    }

    /// <summary>Statistics of a source.</summary>
    public static DatasetStats Of(IImageSource source) => FromLabels(Enumerable.Range(0, source.Count).Select(source.GetLabel));

    /// <summary>Statistics of a manifest.</summary>
    public static DatasetStats Of(Manifest manifest) => FromLabels(manifest.Entries.Select(e => e.Label));

    /// <summary>A two-line table.</summary>
    public string ToTable(string name)
    {
        var inv = CultureInfo.InvariantCulture;
        return string.Format(inv, "{0,-32} {1,8} {2,10} {3,8} {4,10} {5,8}\n", "dataset", "classes", "images", "min/cls", "mean/cls", "max/cls")
             + string.Format(inv, "{0,-32} {1,8} {2,10} {3,8} {4,10:F1} {5,8}", name, Classes, Images, MinPerClass, MeanPerClass, MaxPerClass);
    }
}
