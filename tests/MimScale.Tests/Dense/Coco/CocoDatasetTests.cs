using MimScale.Dense.Coco;

namespace MimScale.Tests.Dense.Coco;

/// <summary>Reading COCO instances and results files, and the errors that name the bad entry.</summary>
public class CocoDatasetTests
{
    const string Images = """ "images": [{"id": 7, "width": 10, "height": 8, "file_name": "a.png"}] """;
    const string Categories = """ "categories": [{"id": 90, "name": "thing"}, {"id": 3, "name": "other"}] """;

    static CocoDataset Gt(string annotations) => CocoDataset.Parse($$"""{{{Images}}, {{Categories}}, "annotations": [{{annotations}}]}""", "GT.json");

    static InvalidDataException Bad(string annotations) => Assert.Throws<InvalidDataException>(() => Gt(annotations));

    [Fact]
    public void ReadsTheThreeSegmentationFormsAndArbitraryCategoryIds()
    {
        var gt = Gt("""
            {"id": 1, "image_id": 7, "category_id": 90, "bbox": [1, 1, 3, 3], "area": 9, "iscrowd": 0,
             "segmentation": [[1, 1, 4, 1, 4, 4, 1, 4]]},
            {"id": 2, "image_id": 7, "category_id": 3, "bbox": [0, 0, 1, 2], "area": 2, "iscrowd": 1,
             "segmentation": {"size": [8, 10], "counts": [0, 2, 78]}},
            {"id": 3, "image_id": 7, "category_id": 3, "bbox": [1, 1, 2, 2], "area": 4,
             "segmentation": {"size": [8, 10], "counts": "9260g1"}}
            """);
        Assert.Equal(3, gt.Annotations.Count);
        Assert.Equal([90L, 3L], gt.Categories.Select(c => c.Id));
        Assert.Equal(9, gt.Annotations[0].Segmentation!.ToRle(8, 10).Area);
        Assert.True(gt.Annotations[1].IsCrowd);
        Assert.Equal(new uint[] { 0, 2, 78 }, gt.Annotations[1].Segmentation!.Mask!.Counts.ToArray());
        Assert.False(gt.Annotations[2].IsCrowd); // iscrowd absent = 0
        Assert.Equal(new CocoBox(1, 1, 2, 2), gt.Annotations[2].Box);
    }

    [Fact]
    public void ReadsTheFixtureSet()
    {
        var gt = CocoDataset.Read(CocoFixture.PathOf("random/gt.json"));
        Assert.Equal(20, gt.Images.Count);
        Assert.Equal([3L, 17L, 90L], gt.Categories.Select(c => c.Id));
        Assert.Equal(64, gt.Annotations.Count);
        Assert.Equal(4, gt.Annotations.Count(a => a.IsCrowd));
        Assert.Equal(7, gt.Annotations.Count(a => a.Segmentation!.Mask is not null && !a.IsCrowd));
        var dt = CocoResults.Read(CocoFixture.PathOf("random/dt_segm.json"), gt);
        Assert.All(dt, d => Assert.NotNull(d.Segmentation!.Mask));
    }

    [Fact]
    public void MalformedJsonNamesTheFileAndLine()
    {
        var e = Assert.Throws<InvalidDataException>(() => CocoDataset.Parse("{\"images\": [\n{\"id\": 1,,}]}", "GT.json"));
        Assert.StartsWith("GT.json: malformed JSON at line 2, byte 10: ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void BadEntriesAreNamed()
    {
        const string ok = "\"image_id\": 7, \"category_id\": 90, \"bbox\": [1, 1, 3, 3], \"area\": 9";
        Assert.Equal("GT.json: annotations[1] (id 5): image_id 8 is not in images",
            Bad($$"""{"id": 4, {{ok}}}, {"id": 5, "image_id": 8, "category_id": 90, "bbox": [0, 0, 1, 1], "area": 1}""").Message);
        Assert.Equal("GT.json: annotations[0] (id 4): category_id 1 is not in categories",
            Bad("""{"id": 4, "image_id": 7, "category_id": 1, "bbox": [0, 0, 1, 1], "area": 1}""").Message);
        Assert.Equal("GT.json: annotations[1] (id 4): duplicate annotation id", Bad($$$"""{"id": 4, {{{ok}}}}, {"id": 4, {{{ok}}}}""").Message);
        Assert.Equal("GT.json: annotations[0] (id 4): has no 'area'",
            Bad("""{"id": 4, "image_id": 7, "category_id": 90, "bbox": [1, 1, 3, 3]}""").Message);
        Assert.Equal("GT.json: annotations[0] (id 4): 'bbox' must be 4 numbers [x, y, w, h], got 3",
            Bad("""{"id": 4, "image_id": 7, "category_id": 90, "bbox": [1, 1, 3], "area": 1}""").Message);
        Assert.Contains("annotations[0] (id 4): bad RLE: RLE counts sum to 79",
            Bad($$$"""{"id": 4, {{{ok}}}, "segmentation": {"size": [8, 10], "counts": [1, 78]}}""").Message);
        Assert.Contains("annotations[0] (id 4): bad RLE: compressed RLE string has '~'",
            Bad($$$"""{"id": 4, {{{ok}}}, "segmentation": {"size": [8, 10], "counts": "9~"}}""").Message);
        Assert.Contains("annotations[0] (id 4): bad RLE: size [4, 20] differs from image 7's [8, 10]",
            Bad($$$"""{"id": 4, {{{ok}}}, "segmentation": {"size": [4, 20], "counts": [80]}}""").Message);
        Assert.Contains("annotations[0] (id 4): bad polygon segmentation: polygon 0 has 5 coordinates",
            Bad($$"""{"id": 4, {{ok}}, "segmentation": [[1, 2, 3, 4, 5]]}""").Message);
        Assert.Equal("GT.json: annotations[0] (id 4): 'image_id' must be an integer, not \"7\"",
            Bad("""{"id": 4, "image_id": "7", "category_id": 90, "bbox": [1, 1, 3, 3], "area": 9}""").Message);
        var noImages = Assert.Throws<InvalidDataException>(() => CocoDataset.Parse("""{"categories": []}""", "GT.json"));
        Assert.Equal("GT.json: has no 'images'", noImages.Message);
    }

    [Fact]
    public void ResultsAreCheckedAgainstTheGroundTruth()
    {
        var gt = Gt("""{"id": 1, "image_id": 7, "category_id": 90, "bbox": [1, 1, 3, 3], "area": 9}""");
        var ok = CocoResults.Parse("""[{"image_id": 7, "category_id": 3, "bbox": [1, 2, 3, 4], "score": 0.5}]""", "DT.json", gt);
        Assert.Equal(new CocoBox(1, 2, 3, 4), ok[0].Box);
        InvalidDataException Bad(string json) => Assert.Throws<InvalidDataException>(() => CocoResults.Parse(json, "DT.json", gt));
        Assert.Equal("DT.json: results[1]: image_id 9 is not in the ground truth's images",
            Bad("""[{"image_id": 7, "category_id": 3, "bbox": [1, 2, 3, 4], "score": 0.5}, {"image_id": 9, "category_id": 3, "bbox": [1, 2, 3, 4], "score": 0.5}]""").Message);
        Assert.Equal("DT.json: results[0]: category_id 0 is not in the ground truth's categories",
            Bad("""[{"image_id": 7, "category_id": 0, "bbox": [1, 2, 3, 4], "score": 0.5}]""").Message);
        Assert.Equal("DT.json: results[0]: has no 'score'", Bad("""[{"image_id": 7, "category_id": 3, "bbox": [1, 2, 3, 4]}]""").Message);
        Assert.Equal("DT.json: results[0]: has neither 'bbox' nor 'segmentation'", Bad("""[{"image_id": 7, "category_id": 3, "score": 1}]""").Message);
        Assert.Equal("DT.json: a COCO results file is a list of detections, not an object", Bad("""{"annotations": []}""").Message);
        Assert.StartsWith("DT.json: malformed JSON at line 1", Bad("""[{"image_id": 7""").Message);
    }

    [Fact]
    public void WrittenFilesReadBackToTheSameAnnotationsAndAp()
    {
        var gt = CocoDataset.Read(CocoFixture.PathOf("random/gt.json"));
        var dt = CocoResults.Read(CocoFixture.PathOf("random/dt_segm_with_boxes.json"), gt);
        using var tmp = new MimScale.Tests.TempFolder();
        gt.Write(tmp["sub/gt.json"]);
        CocoResults.Write(dt, tmp["dt.json"]);
        var gt2 = CocoDataset.Read(tmp["sub/gt.json"]);
        var dt2 = CocoResults.Read(tmp["dt.json"], gt2);
        Assert.Equal(gt.Images, gt2.Images);
        Assert.Equal(gt.Categories, gt2.Categories);
        for (int i = 0; i < gt.Annotations.Count; i++)
        {
            var (a, b) = (gt.Annotations[i], gt2.Annotations[i]);
            Assert.Equal((a.Id, a.ImageId, a.CategoryId, a.Box, a.Area, a.IsCrowd), (b.Id, b.ImageId, b.CategoryId, b.Box, b.Area, b.IsCrowd));
            var img = gt.FindImage(a.ImageId)!;
            Assert.Equal(a.Segmentation!.ToRle(img.Height, img.Width), b.Segmentation!.ToRle(img.Height, img.Width));
        }
        Assert.Equal(CocoEvaluator.Evaluate(gt, dt, CocoIouType.Segm).Stats, CocoEvaluator.Evaluate(gt2, dt2, CocoIouType.Segm).Stats);
    }

    [Fact]
    public void AnAnnotationFromAMaskTakesItsAreaAndBox()
    {
        var mask = new bool[6, 8];
        for (int y = 2; y < 5; y++) for (int x = 1; x < 7; x++) mask[y, x] = true;
        var a = CocoAnnotation.FromMask(4, 1, 2, Rle.Encode(mask));
        Assert.Equal(18, a.Area);
        Assert.Equal(new CocoBox(1, 2, 6, 3), a.Box);
        Assert.False(a.IsCrowd);
        Assert.Equal(Rle.Encode(mask), a.Segmentation!.Mask);
    }
}
