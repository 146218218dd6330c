using MimScale.Dense.Segmentation;

namespace MimScale.Tests.Dense.Segmentation;

/// <summary>
/// The PNG label-map codec reads stored values exactly (palette indices, not colours) from files written by PIL and
/// by a hand-written encoder using each of the five row filters (tests/fixtures/seg-png/gen.py).
/// </summary>
public class LabelMapPngTests
{
    const int W = 37, H = 23;
    static string Fx(string name) => Path.Combine(Fixtures.Dir("seg-png"), name);

    /// <summary>gen.py's V8: (7x + 13y + xy) % 151, and 255 where (x + 2y) % 11 == 0.</summary>
    static int V8(int x, int y) => (x + 2 * y) % 11 == 0 ? 255 : (7 * x + 13 * y + x * y) % 151;
    static int V16(int x, int y) => (977 * x + 4099 * y) % 65536;

    static void AssertValues(LabelMap map, Func<int, int, int> expected)
    {
        Assert.Equal((W, H), (map.Width, map.Height));
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                Assert.True(expected(x, y) == map[x, y], $"({x},{y}): expected {expected(x, y)}, read {map[x, y]}");
    }

    [Theory]
    [InlineData("pil_palette8.png")]
    [InlineData("pil_gray8.png")]
    [InlineData("filter0.png")]
    [InlineData("filter1.png")]
    [InlineData("filter2.png")]
    [InlineData("filter3.png")]
    [InlineData("filter4.png")]
    public void EightBitPaletteAndGrayMapsGiveTheStoredValues(string file) =>
        AssertValues(LabelMapPngReader.Read(Fx(file)), V8);

    [Fact]
    public void FourBitPaletteGivesIndicesAndSixteenBitGrayGivesFullValues()
    {
        AssertValues(LabelMapPngReader.Read(Fx("pil_palette4.png")), (x, y) => V8(x, y) % 16);
        AssertValues(LabelMapPngReader.Read(Fx("pil_gray16.png")), V16);
    }

    [Fact]
    public void WrittenMapsReadBackIdenticallyAndDeterministically()
    {
        var values = new ushort[W * H];
        for (int i = 0; i < values.Length; i++) values[i] = (ushort)V8(i % W, i / W);
        var map = new LabelMap(W, H, values);
        byte[] gray = LabelMapPngWriter.Encode(map);
        Assert.Equal(values, LabelMapPngReader.Decode(gray, "gray").Values);
        Assert.Equal(gray, LabelMapPngWriter.Encode(map));
        Assert.Equal(0, gray[25]); // IHDR colour type 0 (grayscale), bit depth 8 at byte 24
        Assert.Equal(8, gray[24]);

        var palette = Enumerable.Range(0, 256).Select(i => ((byte)i, (byte)(255 - i), (byte)(i / 2))).ToArray();
        byte[] indexed = LabelMapPngWriter.Encode(map, palette);
        Assert.Equal(3, indexed[25]);
        Assert.Equal(values, LabelMapPngReader.Decode(indexed, "indexed").Values);

        var wide = new LabelMap(2, 1, [300, 65535]);
        byte[] sixteen = LabelMapPngWriter.Encode(wide);
        Assert.Equal(16, sixteen[24]);
        Assert.Equal(new ushort[] { 300, 65535 }, LabelMapPngReader.Decode(sixteen, "wide").Values);
    }

    [Fact]
    public void ColourOrCorruptFilesAreRefusedNamingTheFile()
    {
        var rgb = Assert.Throws<InvalidDataException>(() => LabelMapPngReader.Read(Fx("rgb.png")));
        Assert.StartsWith(Fx("rgb.png") + ": colour type 2 (RGB)", rgb.Message);

        byte[] bytes = File.ReadAllBytes(Fx("filter4.png"));
        bytes[bytes.Length - 20] ^= 0x55; // inside the IDAT data: its CRC no longer matches
        var crc = Assert.Throws<InvalidDataException>(() => LabelMapPngReader.Decode(bytes, "x.png"));
        Assert.Equal("x.png: CRC mismatch in chunk IDAT (corrupt file)", crc.Message);

        var notPng = Assert.Throws<InvalidDataException>(() => LabelMapPngReader.Decode("GIF89a....."u8, "y.png"));
        Assert.Equal("y.png: not a PNG file (bad signature)", notPng.Message);
    }
}
