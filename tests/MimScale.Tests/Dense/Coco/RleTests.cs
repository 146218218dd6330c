using MimScale.Dense.Coco;

namespace MimScale.Tests.Dense.Coco;

/// <summary>RLE encode/decode, area, box and the compressed string codec against pycocotools (maskApi.c).</summary>
public class RleTests
{
    [Fact]
    public void EncodesColumnMajorRunsStartingWithZeros()
    {
        // 5x4 mask with a 2x2 block at rows 1-2, columns 1-2. Down column 0: 5 zeros; column 1: 1 zero, 2 ones;
        // then 2 zeros (col 1) + 1 zero (col 2), 2 ones, 2 + 5 zeros.
        var mask = new bool[5, 4];
        for (int y = 1; y <= 2; y++) for (int x = 1; x <= 2; x++) mask[y, x] = true;
        var rle = Rle.Encode(mask);
        Assert.Equal(new uint[] { 6, 2, 3, 2, 7 }, rle.Counts.ToArray());
        // 6, 2, 3 as they are; then deltas to counts[i-2]: 2-2 = 0, 7-3 = 4 (pycocotools gives b'62304').
        Assert.Equal("62304", rle.ToCompressedString());
        Assert.Equal(4, rle.Area);
        Assert.Equal(new CocoBox(1, 1, 2, 2), rle.ToBox());

        var full = Rle.Encode(new bool[,] { { true, true }, { true, true } });
        Assert.Equal(new uint[] { 0, 4 }, full.Counts.ToArray()); // a set first pixel starts with a zero-length run
    }

    [Fact]
    public void EncodeMatchesPycocotoolsCountsStringsAreasAndBoxes()
    {
        foreach (var c in CocoFixture.MaskApi.GetProperty("encode").EnumerateArray())
        {
            var mask = CocoFixture.Mask(c.GetProperty("rows"));
            int h = c.GetProperty("h").GetInt32(), w = c.GetProperty("w").GetInt32();
            var rle = Rle.Encode(mask);
            Assert.Equal(CocoFixture.Counts(c.GetProperty("counts")), rle.Counts.ToArray());
            string s = c.GetProperty("string").GetString()!;
            Assert.Equal(s, rle.ToCompressedString());
            Assert.Equal(c.GetProperty("area").GetInt64(), rle.Area);
            Assert.Equal(CocoFixture.Box(c.GetProperty("bbox")), rle.ToBox());
            Assert.Equal(rle, Rle.FromCompressedString(s, h, w));

            var rowMajor = new byte[h * w];
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) rowMajor[y * w + x] = (byte)(mask[y, x] ? 1 : 0);
            Assert.Equal(rle, Rle.Encode(rowMajor, h, w));
            Assert.Equal(rowMajor, rle.Decode());
            Assert.Equal(mask, rle.ToMask());
        }
    }

    [Fact]
    public void BoxOfARunCrossingAColumnSpansTheFullHeight()
    {
        // pycocotools 2.0.11 rleToBbox: pixels (y=3,x=0), (4,0), (0,1) are one run wrapping into column 1.
        var mask = new bool[5, 4];
        mask[3, 0] = mask[4, 0] = mask[0, 1] = true;
        Assert.Equal(new CocoBox(0, 0, 2, 5), Rle.Encode(mask).ToBox());
        Assert.Equal(new CocoBox(0, 0, 0, 0), Rle.Encode(new bool[3, 3]).ToBox());
    }

    [Fact]
    public void CompressedStringsDecodeAndEncodeAsPycocotools()
    {
        // Hand-derived: 17 = 0b10001 sets bit 4 of its only 5-bit group, so it needs a second group to say
        // "positive": 'a' (17 | 0x20, + 48) then '0'. 40 - counts[1] = 39 = 0b100111: 'W' (7 | 0x20), '1'.
        Assert.Equal("a012W1", RleString.Encode(new uint[] { 17, 1, 2, 40 }));
        Assert.Equal(new uint[] { 17, 1, 2, 40 }, RleString.Decode("a012W1"));
        foreach (var c in CocoFixture.MaskApi.GetProperty("strings").EnumerateArray())
        {
            var counts = CocoFixture.Counts(c.GetProperty("counts"));
            string s = c.GetProperty("string").GetString()!;
            Assert.Equal(s, RleString.Encode(counts));
            Assert.Equal(counts, RleString.Decode(s));
            var rle = Rle.FromCompressedString(s, c.GetProperty("h").GetInt32(), c.GetProperty("w").GetInt32());
            Assert.Equal(s, rle.ToCompressedString());
        }
    }

    [Fact]
    public void NegativeDeltasRoundTrip()
    {
        var counts = new uint[] { 1000, 3, 1, 2, 999_000, 1, 0, 5, 7 };
        string s = RleString.Encode(counts);
        Assert.Equal(counts, RleString.Decode(s));
    }

    [Fact]
    public void MergeMatchesPycocotools()
    {
        foreach (var c in CocoFixture.MaskApi.GetProperty("merge").EnumerateArray())
        {
            int h = c.GetProperty("h").GetInt32(), w = c.GetProperty("w").GetInt32();
            var inputs = c.GetProperty("inputs").EnumerateArray().Select(s => Rle.FromCompressedString(s.GetString()!, h, w)).ToArray();
            Assert.Equal(c.GetProperty("union").GetString(), Rle.Merge(inputs).ToCompressedString());
            Assert.Equal(c.GetProperty("intersection").GetString(), Rle.Merge(inputs, intersect: true).ToCompressedString());
        }
    }

    [Fact]
    public void BadRlesAreRefusedWithTheReason()
    {
        var bad = Assert.Throws<ArgumentException>(() => RleString.Decode("62{04"));
        Assert.Contains("'{' at character 2", bad.Message);
        var cut = Assert.Throws<ArgumentException>(() => RleString.Decode("6P"));  // 'P' = 32 + 48: "more follows"
        Assert.Contains("ends inside a value", cut.Message);
        var sum = Assert.Throws<ArgumentException>(() => Rle.FromCompressedString("62304", 5, 5));
        Assert.Contains("sum to 20", sum.Message);
        Assert.Throws<ArgumentException>(() => Rle.Encode(new byte[5], 2, 3));
    }
}
