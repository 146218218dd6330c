using MimScale.Data.Sources;

namespace MimScale.Dense.Scenes;

/// <summary>Fashion-MNIST (or any square IDX set) as scene items: the 28x28 pictures and their ten classes.</summary>
public sealed class FashionMnistItems : ISceneItems
{
    private readonly IdxSource source;

    /// <summary>Wraps an opened IDX source; its images must be square.</summary>
    public FashionMnistItems(IdxSource source)
    {
        if (source.Rows != source.Cols) throw new ArgumentException($"{source.Description}: items must be square, got {source.Rows}x{source.Cols}");
        this.source = source;
    }

    /// <summary>One split of Fashion-MNIST from <paramref name="folder"/> (default: the Debian package's folder).</summary>
    public static FashionMnistItems Open(FashionMnistSplit split, string folder = FashionMnist.DebianPath) =>
        new(FashionMnist.Open(folder, split));

    /// <inheritdoc />
    public int Count => source.Count;
    /// <inheritdoc />
    public int Side => source.Rows;
    /// <inheritdoc />
    public IReadOnlyList<string> ClassNames => source.ClassNames;
    /// <inheritdoc />
    public int Label(int index) => source.GetLabel(index);
    /// <inheritdoc />
    public ReadOnlySpan<byte> Pixels(int index) => source.Pixels(index);
}
