using MimScale.Dense.Coco;

namespace MimScale.Tests.Dense.Coco;

/// <summary>Box and mask IoU matrices (maskApi.c bbIou / rleIou) with the crowd rule, against pycocotools.</summary>
public class CocoIouTests
{
    [Fact]
    public void ACrowdRegionDividesByTheDetectionsAreaOnly()
    {
        CocoBox[] dt = [new(10, 10, 5, 5)];
        CocoBox[] gt = [new(8, 8, 10, 10), new(8, 8, 10, 10)];
        var iou = CocoIou.Boxes(dt, gt, [false, true]);
        Assert.Equal(25.0 / 100, iou[0]); // normal: 25 / (25 + 100 - 25)
        Assert.Equal(1.0, iou[1]);        // crowd: 25 / 25
        // Touching edges do not overlap (no +1 convention).
        Assert.Equal(0.0, CocoIou.Boxes([new CocoBox(0, 0, 4, 4)], [new CocoBox(4, 0, 4, 4)], [false])[0]);
    }

    [Fact]
    public void BoxIouMatchesPycocotools()
    {
        var c = CocoFixture.MaskApi.GetProperty("iou").GetProperty("boxes");
        var dt = c.GetProperty("dt").EnumerateArray().Select(CocoFixture.Box).ToArray();
        var gt = c.GetProperty("gt").EnumerateArray().Select(CocoFixture.Box).ToArray();
        var crowd = c.GetProperty("iscrowd").EnumerateArray().Select(v => v.GetInt32() == 1).ToArray();
        var iou = CocoIou.Boxes(dt, gt, crowd);
        var expected = c.GetProperty("iou").EnumerateArray().Select(CocoFixture.Doubles).ToArray();
        for (int d = 0; d < dt.Length; d++)
            for (int g = 0; g < gt.Length; g++)
                Assert.Equal(expected[d][g], iou[d * gt.Length + g]);
        Assert.Contains(expected.SelectMany(r => r), v => v > 0 && v < 1); // the fixture is not all 0 / 1
    }

    [Fact]
    public void MaskIouMatchesPycocotools()
    {
        var c = CocoFixture.MaskApi.GetProperty("iou").GetProperty("masks");
        int h = c.GetProperty("h").GetInt32(), w = c.GetProperty("w").GetInt32();
        var dt = c.GetProperty("dt").EnumerateArray().Select(s => Rle.FromCompressedString(s.GetString()!, h, w)).ToArray();
        var gt = c.GetProperty("gt").EnumerateArray().Select(s => Rle.FromCompressedString(s.GetString()!, h, w)).ToArray();
        var crowd = c.GetProperty("iscrowd").EnumerateArray().Select(v => v.GetInt32() == 1).ToArray();
        var iou = CocoIou.Masks(dt, gt, crowd);
        var expected = c.GetProperty("iou").EnumerateArray().Select(CocoFixture.Doubles).ToArray();
        for (int d = 0; d < dt.Length; d++)
            for (int g = 0; g < gt.Length; g++)
                Assert.Equal(expected[d][g], iou[d * gt.Length + g]);
        Assert.Equal(1.0, iou[4 * gt.Length + 3]); // the square inside the crowd square
        Assert.Equal(0.0, iou[4 * gt.Length + 4]); // and far from the triangle
    }

    [Fact]
    public void MasksOfDifferentSizesGiveMinusOne()
    {
        var a = Rle.Encode(new bool[,] { { true, true }, { true, true } });
        var b = Rle.Encode(new bool[,] { { true, true, true }, { true, true, true } });
        Assert.Equal(-1.0, CocoIou.Masks([a], [b], [false])[0]);
    }
}
