using MimScale.Dense.Scenes;

namespace MimScale.Tests.Dense.Scenes;

/// <summary>
/// Twelve 8x8 test items in three classes (square, disk, cross), with graded intensities so the foreground
/// threshold cuts inside them; lets the scene tests run without the Fashion-MNIST package.
/// </summary>
internal sealed class SyntheticItems : ISceneItems
{
    private readonly byte[][] pixels;
    private readonly int[] labels;

    public SyntheticItems()
    {
        var pixels = new List<byte[]>();
        var labels = new List<int>();
        for (int i = 0; i < 12; i++)
        {
            int cls = i % 3;
            var p = new byte[64];
            for (int y = 0; y < 8; y++)
                for (int x = 0; x < 8; x++)
                {
                    double dx = x - 3.5, dy = y - 3.5;
                    bool inside = cls switch
                    {
                        0 => Math.Abs(dx) < 3 && Math.Abs(dy) < 3,
                        1 => dx * dx + dy * dy < 10,
                        _ => Math.Abs(dx) < 1 || Math.Abs(dy) < 1,
                    };
                    p[y * 8 + x] = inside ? (byte)(60 + 15 * i + 10 * x) : (byte)(3 * y); // dim rim below the threshold
                }
            pixels.Add(p);
            labels.Add(cls);
        }
        this.pixels = pixels.ToArray();
        this.labels = labels.ToArray();
    }

    public int Count => pixels.Length;
    public int Side => 8;
    public IReadOnlyList<string> ClassNames { get; } = ["square", "disk", "cross"];
    public int Label(int index) => labels[index];
    public ReadOnlySpan<byte> Pixels(int index) => pixels[index];
}
