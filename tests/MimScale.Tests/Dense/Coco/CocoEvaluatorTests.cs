using MimScale.Dense.Coco;

namespace MimScale.Tests.Dense.Coco;

/// <summary>
/// COCOeval semantics: hand-built cases whose 12 numbers follow from the definition (and agree with pycocotools),
/// and a randomised set (20 images, 3 categories, polygons / RLE / crowd, noisy and duplicate detections, one
/// image over 100 detections) against pycocotools 2.0.11 for boxes and masks.
/// </summary>
public class CocoEvaluatorTests
{
    const double Tol = 1e-12;

    public static TheoryData<string, double[]> HandCases() => new()
    {
        { "perfect", [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1] },
        { "all_missed", [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] },
        // Two objects; detections A .9, A again .8, B .7 -> TP FP TP: recall .5 .5 1, precision 1 .5 .667, envelope
        // 1 .667 .667. Recall points 0.00..0.50 (51) read 1, the other 50 read 2/3. maxDets 1: only A -> recall .5.
        // Both objects are 50x50 (medium): small and large are undefined (-1).
        { "duplicate", [(51 + 50 * 2.0 / 3) / 101, (51 + 50 * 2.0 / 3) / 101, (51 + 50 * 2.0 / 3) / 101, -1, (51 + 50 * 2.0 / 3) / 101, -1, .5, 1, 1, -1, 1, -1] },
        // The higher-scored detection lies inside a crowd region: intersection / its own area = 1, so it matches the
        // crowd and is ignored; the other detection is a perfect TP. With maxDets 1 only the ignored one is kept: AR1 0.
        { "crowd", [1, 1, 1, -1, 1, -1, 0, 1, 1, -1, 1, -1] },
        // The same detection outside the crowd is an FP ranked first: precision 0 then .5 -> AP .5. In the medium
        // range it is unmatched and small (area 100) -> ignored, so APm is 1.
        { "crowd_outside", [.5, .5, .5, -1, 1, -1, 0, 1, 1, -1, 1, -1] },
        // Ground truths: 20x20 (small), 50x50 (medium), a 100x100 box whose area field says 500 (small: the field
        // decides). Detections: the first two (TP TP) and a 30x30 FP. All: recall 1/3, 2/3, 2/3 with precision
        // 1, 1, 2/3 -> 1 at recall points 0..0.66 (67 of 101). Small: the medium match is ignored, the FP (900) is
        // small -> TP, ignored, FP over 2 objects -> 51/101. Medium: the small match is ignored, the FP is out of
        // range and unmatched -> ignored -> 1. No large ground truth -> -1.
        { "areas", [67.0 / 101, 67.0 / 101, 67.0 / 101, 51.0 / 101, 1, -1, 1.0 / 3, 2.0 / 3, 2.0 / 3, .5, 1, -1] },
        // 12 perfect detections on one image: maxDets 1/10/100 recall 1/12, 10/12, 12/12.
        { "max_dets", [1, 1, 1, 1, -1, -1, 1.0 / 12, 10.0 / 12, 1, 1, -1, -1] },
        // IoU exactly 0.75 matches thresholds .50 .. .75 (6 of 10); 100x100 is large.
        { "iou_ladder", [.6, 1, 1, -1, -1, .6, .6, .6, .6, -1, -1, .6] },
        // IoU exactly 0.6 matches .50, .55, .60 (iou >= t).
        { "iou_point_six", [.3, 1, 0, -1, -1, .3, .3, .3, .3, -1, -1, .3] },
        // A ground truth with id 0: dtMatches stores the id, so accumulate sees "unmatched": an FP, recall 0.
        { "gt_id_zero", [0, 0, 0, -1, 0, -1, 0, 0, 0, -1, 0, -1] },
        // An FP on another image ranked first (.9), then the TP: AP .5. A category without ground truth is skipped.
        { "fp_other_image", [.5, .5, .5, -1, .5, -1, 1, 1, 1, -1, 1, -1] },
    };

    [Theory]
    [MemberData(nameof(HandCases))]
    public void HandBuiltCasesGiveTheNumbersTheDefinitionGives(string name, double[] expected)
    {
        foreach (var (type, label) in new[] { (CocoIouType.Bbox, "bbox"), (CocoIouType.Segm, "segm") })
        {
            var stats = CocoFixture.Evaluate("hand_" + name, type).Stats.ToArray();
            var reference = CocoFixture.ExpectedStats("hand_" + name, label);
            for (int i = 0; i < 12; i++)
            {
                Assert.True(Math.Abs(expected[i] - stats[i]) < Tol, $"{label} {CocoStats.Keys[i]}: {stats[i]} vs hand {expected[i]}");
                Assert.True(Math.Abs(reference[i] - stats[i]) < Tol, $"{label} {CocoStats.Keys[i]}: {stats[i]} vs pycocotools {reference[i]}");
            }
        }
    }

    public static TheoryData<string, string> RandomCases() => new()
    {
        { "random", "bbox" },
        { "random_segm", "segm" },
        { "random_segm", "bbox" },                  // box AP of mask-only results: boxes come from the masks
        { "random_segm_with_boxes", "segm" },       // masks with boxes: loadRes takes areas from the boxes
        { "random_segm_with_boxes", "bbox" },
    };

    [Theory]
    [MemberData(nameof(RandomCases))]
    public void RandomisedSetMatchesPycocotools(string name, string type)
    {
        var eval = CocoFixture.Evaluate(name, type == "segm" ? CocoIouType.Segm : CocoIouType.Bbox);
        var expected = CocoFixture.Expected.GetProperty(name).GetProperty(type);
        AssertMatches(eval, expected, type);
    }

    [Fact]
    public void WithoutCategoriesDetectionsMatchAnyCategory()
    {
        var c = CocoFixture.Expected.GetProperty("random_no_categories");
        var gt = CocoDataset.Read(CocoFixture.PathOf(c.GetProperty("gt").GetString()!));
        var dt = CocoResults.Read(CocoFixture.PathOf(c.GetProperty("dt").GetString()!), gt);
        var eval = CocoEvaluator.Evaluate(gt, dt, CocoIouType.Bbox, CocoEvalParams.Default with { UseCategories = false });
        Assert.Equal([-1L], eval.CategoryIds);
        AssertMatches(eval, c.GetProperty("bbox"), "bbox");
    }

    static void AssertMatches(CocoEvaluation eval, System.Text.Json.JsonElement expected, string type)
    {
        var stats = eval.Stats.ToArray();
        var want = CocoFixture.Doubles(expected.GetProperty("stats"));
        for (int i = 0; i < 12; i++)
            Assert.True(Math.Abs(want[i] - stats[i]) < Tol, $"{type} {CocoStats.Keys[i]}: {stats[i]} vs pycocotools {want[i]}");
        Assert.Contains(want, v => v > 0.1 && v < 0.9); // a set that exercises partial matches
        Assert.Equal(expected.GetProperty("lines").EnumerateArray().Select(l => l.GetString()), eval.Stats.SummaryLines());

        // recall[t][k][a][m] over every threshold, category, area and maxDets
        var recall = expected.GetProperty("recall");
        for (int t = 0; t < 10; t++)
            for (int k = 0; k < eval.CategoryIds.Count; k++)
                for (int a = 0; a < 4; a++)
                    for (int m = 0; m < 3; m++)
                        Assert.True(Math.Abs(recall[t][k][a][m].GetDouble() - eval.Recall[t, k, a, m]) < Tol, $"recall[{t},{k},{a},{m}]");
        var catAp = CocoFixture.Doubles(expected.GetProperty("category_ap"));
        for (int k = 0; k < catAp.Length; k++)
            Assert.True(Math.Abs(catAp[k] - eval.CategoryAp(eval.CategoryIds[k])) < Tol, $"AP of category {eval.CategoryIds[k]}");
    }

    [Fact]
    public void EqualScoresKeepFileOrderWithinAnImageAndImageIdOrderAcrossImages()
    {
        var images = new[] { new CocoImage(1, 100, 100), new CocoImage(2, 100, 100) };
        var gt = new CocoDataset(images, [new CocoCategory(5, "x")],
            [new CocoAnnotation(10, 1, 5, new CocoBox(0, 0, 20, 20), 400, false)]);
        var tp = new CocoDetection(1, 5, 0.5, new CocoBox(0, 0, 20, 20));
        var fpSameImage = new CocoDetection(1, 5, 0.5, new CocoBox(50, 50, 20, 20));
        var fpOtherImage = new CocoDetection(2, 5, 0.5, new CocoBox(0, 0, 20, 20));
        double Ap(params CocoDetection[] d) => CocoEvaluator.Evaluate(gt, d, CocoIouType.Bbox).Stats.AP;
        Assert.Equal(1.0, Ap(tp, fpSameImage), 12);   // TP first in the file: precision 1 at recall 1
        Assert.Equal(0.5, Ap(fpSameImage, tp), 12);   // FP first: 0, then 1/2
        Assert.Equal(1.0, Ap(fpOtherImage, tp), 12);  // across images the image id decides, not the file
    }

    [Fact]
    public void SummaryLinesRoundAsPythonsFormat()
    {
        var lines = new CocoStats(0.0625, 0.5625, 1.0005, -1, 0.0005, 0.9375, 0, 1, 0.12345, -1, -1, -1).SummaryLines();
        Assert.Equal(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.062", lines[0]);
        Assert.Equal(" Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ] = 0.562", lines[1]);
        Assert.EndsWith("] = 1.000", lines[2]);   // 1.0005 is 1.000499999... in binary
        Assert.Equal(" Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = -1.000", lines[3]);
        Assert.EndsWith("] = 0.001", lines[4]);   // 0.0005 is 0.000500000...01
        Assert.EndsWith("] = 0.938", lines[5]);
        Assert.Equal(" Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 0.000", lines[6]);
        Assert.Equal(" Average Recall     (AR) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = -1.000", lines[10]);
    }

    [Fact]
    public void ThresholdsAreNumpysLinspaceBitForBit()
    {
        var p = CocoEvalParams.Default;
        Assert.Equal(0.8999999999999999, p.IouThresholds[8]);
        Assert.Equal(0.75, p.IouThresholds[5]);
        Assert.Equal(0.5700000000000001, p.RecallThresholds[57]);
        Assert.Equal(101, p.RecallThresholds.Count);
        Assert.Equal(1.0, p.RecallThresholds[100]);
    }

    [Fact]
    public void MaskEvaluationNeedsMasksAndNamesWhatIsMissing()
    {
        var gt = new CocoDataset([new CocoImage(1, 10, 10)], [new CocoCategory(1, "x")],
            [new CocoAnnotation(3, 1, 1, new CocoBox(0, 0, 2, 2), 4, false)], "GT.json");
        var dt = new[] { new CocoDetection(1, 1, 0.5, Segmentation: CocoSegmentation.FromRle(new Rle(10, 10, [100]))) };
        var e = Assert.Throws<InvalidDataException>(() => CocoEvaluator.Evaluate(gt, dt, CocoIouType.Segm));
        Assert.Equal("GT.json: annotations (id 3): has no 'segmentation', which mask AP needs", e.Message);
        var mixed = new[] { new CocoDetection(1, 1, 0.5, new CocoBox(0, 0, 2, 2)), dt[0] };
        var m = Assert.Throws<InvalidDataException>(() => CocoEvaluator.Evaluate(gt, mixed, CocoIouType.Bbox, resultsSource: "DT.json"));
        Assert.Equal("DT.json: results[1]: needs a box ('bbox'), as the first result has one", m.Message);
    }
}
