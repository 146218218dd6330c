using MimScale.Data.Errors;
using MimScale.Data.Random;
using MimScale.Data.Sources;

namespace MimScale.Tests.Data;

/// <summary>In-memory source: image i is a seeded synthetic picture (size varies with i); listed indices fail to decode.</summary>
internal sealed class PatternSource(int count, int classes, params int[] bad) : IImageSource
{
    private readonly HashSet<int> bad = [.. bad];
    public int Loads;

    public int Count => count;
    public IReadOnlyList<string> ClassNames { get; } = Enumerable.Range(0, classes).Select(c => $"k{c}").ToArray();
    public string Description => "pattern";
    public int GetLabel(int index) => index % classes;
    public string GetId(int index) => $"p/{index:D5}";
    public string Describe(int index) => GetId(index);

    public DecodedImage Load(int index)
    {
        Interlocked.Increment(ref Loads);
        if (bad.Contains(index)) throw new ImageDecodeException(GetId(index), "corrupt image data");
        int w = 40 + index % 7 * 5, h = 30 + index % 5 * 6;
        var rng = DataRng.For(123, RandomStream.Synthetic, index);
        return DecodedImage.Wrap(SyntheticImageFolder.Render(ref rng, w, h), w, h, 4);
    }
}
