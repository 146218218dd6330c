using MimScale.Dense.Coco;

namespace MimScale.Tests.Dense.Coco;

/// <summary>Polygon rasterisation (maskApi.c rleFrPoly) pixel for pixel against pycocotools.</summary>
public class PolygonRasterizerTests
{
    [Fact]
    public void AnIntegerSquareCoversThePixelsWhoseCentresItContains()
    {
        // Corners (1,1)-(4,4): pixel centres x, y in {1.5, 2.5, 3.5}... rleFrPoly's rule keeps columns 1..3 and
        // rows 1..3 (pycocotools: 9 pixels, box [1, 1, 3, 3]).
        var rle = PolygonRasterizer.FromPolygon([1, 1, 4, 1, 4, 4, 1, 4], 6, 6);
        Assert.Equal(9, rle.Area);
        Assert.Equal(new CocoBox(1, 1, 3, 3), rle.ToBox());
        var m = rle.ToMask();
        Assert.True(m[1, 1] && m[3, 3] && !m[4, 4] && !m[0, 0]);
    }

    [Fact]
    public void PolygonsMatchPycocotoolsPixelForPixel()
    {
        int n = 0;
        foreach (var c in CocoFixture.MaskApi.GetProperty("polygons").EnumerateArray())
        {
            int h = c.GetProperty("h").GetInt32(), w = c.GetProperty("w").GetInt32();
            var polys = c.GetProperty("polygons").EnumerateArray().Select(CocoFixture.Doubles).ToArray();
            var parts = c.GetProperty("parts").EnumerateArray().Select(p => p.GetString()).ToArray();
            for (int i = 0; i < polys.Length; i++)
                Assert.True(parts[i] == PolygonRasterizer.FromPolygon(polys[i], h, w).ToCompressedString(), $"case {n} polygon {i}");
            var merged = CocoSegmentation.FromPolygons(polys).ToRle(h, w);
            Assert.Equal(c.GetProperty("string").GetString(), merged.ToCompressedString());
            Assert.Equal(c.GetProperty("area").GetInt64(), merged.Area);
            Assert.Equal(CocoFixture.Box(c.GetProperty("bbox")), merged.ToBox());
            n++;
        }
        Assert.Equal(36, n);
    }

    [Fact]
    public void ABoxIsRasterisedAsItsFourCorners()
    {
        var box = PolygonRasterizer.FromBox(new CocoBox(2, 3, 4, 2), 8, 8);
        Assert.Equal(PolygonRasterizer.FromPolygon([2, 3, 2, 5, 6, 5, 6, 3], 8, 8), box);
        Assert.Equal(8, box.Area);
        Assert.Equal(new CocoBox(2, 3, 4, 2), box.ToBox());
    }

    [Fact]
    public void MalformedPolygonsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => PolygonRasterizer.FromPolygon([1, 2, 3], 5, 5));
        Assert.Throws<ArgumentException>(() => PolygonRasterizer.FromPolygon([1, 2, double.NaN, 4, 5, 6], 5, 5));
        Assert.Throws<ArgumentException>(() => CocoSegmentation.FromPolygons([]));
    }
}
