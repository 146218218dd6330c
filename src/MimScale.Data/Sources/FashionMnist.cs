using MimScale.Data.Errors;

namespace MimScale.Data.Sources;

/// <summary>The two Fashion-MNIST splits (Xiao, Rasul, Vollgraf 2017): 60,000 train and 10,000 test images, 28x28.</summary>
public enum FashionMnistSplit { Train, Test }

/// <summary>Fashion-MNIST in its original IDX files, plain or gzipped.</summary>
public static class FashionMnist
{
    /// <summary>Where Debian's dataset-fashion-mnist package installs the gzipped files.</summary>
    public const string DebianPath = "/usr/share/datasets/fashion-mnist";

    /// <summary>The ten class names, label order.</summary>
    public static readonly IReadOnlyList<string> ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>
    /// Opens one split from <paramref name="folder"/>, which holds <c>train-images-idx3-ubyte</c>,
    /// <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c>, <c>t10k-labels-idx1-ubyte</c>, each plain or
    /// with <c>.gz</c>. Ids are <c>train/NNNNNN</c> and <c>test/NNNNNN</c>.
    /// </summary>
    public static IdxSource Open(string folder, FashionMnistSplit split)
    {
        if (!Directory.Exists(folder)) throw new DataSourceException(folder, "Fashion-MNIST folder not found");
        string stem = split == FashionMnistSplit.Train ? "train" : "t10k";
        string images = Find(folder, $"{stem}-images-idx3-ubyte");
        string labels = Find(folder, $"{stem}-labels-idx1-ubyte");
        return new IdxSource(images, labels, split == FashionMnistSplit.Train ? "train" : "test", ClassNames);
    }

    /// <summary>True when <paramref name="folder"/> holds the Fashion-MNIST/MNIST training images file.</summary>
    public static bool LooksLikeIdxFolder(string folder) =>
        File.Exists(Path.Combine(folder, "train-images-idx3-ubyte")) || File.Exists(Path.Combine(folder, "train-images-idx3-ubyte.gz"));

    private static string Find(string folder, string name)
    {
        foreach (var candidate in new[] { name, name + ".gz" })
        {
            var p = Path.Combine(folder, candidate);
            if (File.Exists(p)) return p;
        }
        throw new DataSourceException(Path.Combine(folder, name), "IDX file not found (looked for it plain and with .gz)");
    }
}
