using System.Security.Cryptography;
using System.Text.Json;
using MimScale.Dense.Scenes;
using MimScale.Dense.Segmentation;
using MimScale.Tests.Data;

namespace MimScale.Tests.Dense.Scenes;

/// <summary>
/// A written scene set agrees with itself across its two layouts (semantic PNGs and COCO instances), reads back
/// through the ADE20K layout reader, and is byte-identical for a seed whatever the thread count.
/// </summary>
public class SceneDatasetWriterTests
{
    static readonly SyntheticItems Items = new();
    static readonly SceneOptions Options = new(Size: 40, MinItems: 2, MaxItems: 6, MinScale: 0.3, MaxScale: 0.7);

    static SceneDatasetSummary WriteSet(string dir, ulong seed, int threads = 0) =>
        SceneDatasetWriter.Write(dir, Items, Items, trainingImages: 6, validationImages: 3, Options, seed, threads);

    /// <summary>Decodes the compressed RLE (the string codec is pinned against pycocotools in Coco/RleTests) to a row-major mask.</summary>
    static bool[] DecodeRle(JsonElement seg, out int h, out int w)
    {
        h = seg.GetProperty("size")[0].GetInt32();
        w = seg.GetProperty("size")[1].GetInt32();
        var rle = MimScale.Dense.Coco.Rle.FromCompressedString(seg.GetProperty("counts").GetString()!, h, w);
        return rle.Decode().Select(v => v != 0).ToArray();
    }

    [Fact]
    public void SemanticMapsAndCocoMasksAgreeAndReadBackThroughTheAde20kLayout()
    {
        using var tmp = new TempFolder();
        var summary = WriteSet(tmp.Path, seed: 3);
        Assert.Equal(4, summary.NumClasses);
        foreach (var (split, count) in new[] { (SegmentationSplit.Training, 6), (SegmentationSplit.Validation, 3) })
        {
            var layout = Ade20kLayout.Open(tmp.Path, split, numClasses: 4, reduceZeroLabel: false);
            Assert.Equal(count, layout.Samples.Count);
            using var coco = JsonDocument.Parse(File.ReadAllText(tmp[$"annotations/instances_{Ade20kLayout.FolderName(split)}.json"]));
            var root = coco.RootElement;
            Assert.Equal(new[] { "square", "disk", "cross" }, root.GetProperty("categories").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
            Assert.Equal(new[] { 1, 2, 3 }, root.GetProperty("categories").EnumerateArray().Select(c => c.GetProperty("id").GetInt32()));
            var images = root.GetProperty("images").EnumerateArray().ToArray();
            Assert.Equal(count, images.Length);
            var anns = root.GetProperty("annotations").EnumerateArray().ToArray();
            Assert.Equal(split == SegmentationSplit.Training ? summary.TrainingInstances : summary.ValidationInstances, anns.Length);
            Assert.Equal(Enumerable.Range(1, anns.Length), anns.Select(a => a.GetProperty("id").GetInt32()));

            for (int i = 0; i < count; i++)
            {
                Assert.Equal(i + 1, images[i].GetProperty("id").GetInt32());
                Assert.Equal(Path.GetFileName(layout.Samples[i].ImagePath), images[i].GetProperty("file_name").GetString());
                var semantic = layout.LoadLabel(i);
                // Rebuild the item part of the semantic map from the COCO masks: they must tile it exactly.
                var fromCoco = new int[semantic.Values.Length];
                foreach (var a in anns.Where(a => a.GetProperty("image_id").GetInt32() == i + 1))
                {
                    var mask = DecodeRle(a.GetProperty("segmentation"), out int h, out int w);
                    Assert.Equal((40, 40), (h, w));
                    int cat = a.GetProperty("category_id").GetInt32();
                    int area = 0, x0 = w, y0 = h, x1 = -1, y1 = -1;
                    for (int p = 0; p < mask.Length; p++)
                    {
                        if (!mask[p]) continue;
                        area++;
                        Assert.Equal(cat, semantic.Values[p]);   // every mask pixel has that category in the map
                        Assert.Equal(0, fromCoco[p]);            // visible masks do not overlap
                        fromCoco[p] = cat;
                        x0 = Math.Min(x0, p % w); x1 = Math.Max(x1, p % w); y0 = Math.Min(y0, p / w); y1 = Math.Max(y1, p / w);
                    }
                    Assert.True(area > 0);
                    Assert.Equal(area, a.GetProperty("area").GetInt32());
                    Assert.Equal(new[] { x0, y0, x1 - x0 + 1, y1 - y0 + 1 }, a.GetProperty("bbox").EnumerateArray().Select(v => v.GetInt32()));
                    Assert.Equal(0, a.GetProperty("iscrowd").GetInt32());
                }
                Assert.Equal(semantic.Values.Select(v => (int)v), fromCoco); // background 0 is exactly the uncovered pixels
                Assert.Contains(semantic.Values, v => v == 0);
            }
        }
        using var meta = JsonDocument.Parse(File.ReadAllText(tmp["scenes.json"]));
        Assert.Equal(4, meta.RootElement.GetProperty("num_classes").GetInt32());
        Assert.False(meta.RootElement.GetProperty("reduce_zero_label").GetBoolean());
        Assert.Equal("background", meta.RootElement.GetProperty("classes")[0].GetString());
    }

    static Dictionary<string, string> Hashes(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(dir, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    [Fact]
    public void TheSameSeedGivesIdenticalFilesWhateverTheThreadsAndAnotherSeedDiffers()
    {
        using var tmp = new TempFolder();
        WriteSet(tmp["a"], seed: 11, threads: 1);
        WriteSet(tmp["b"], seed: 11, threads: 2);
        WriteSet(tmp["c"], seed: 12);
        var a = Hashes(tmp["a"]);
        Assert.Equal(6 + 3 + 6 + 3 + 2 + 1, a.Count); // jpg + png per scene, two COCO files, scenes.json
        Assert.Equal(a, Hashes(tmp["b"]));
        var c = Hashes(tmp["c"]);
        Assert.Equal(a.Keys.Order(), c.Keys.Order());
        foreach (var name in a.Keys.Where(k => k.EndsWith(".jpg", StringComparison.Ordinal) || k.EndsWith(".png", StringComparison.Ordinal) || k.Contains("instances")))
            Assert.NotEqual(a[name], c[name]);
    }

    [Fact]
    public void BadCountsAreRefused()
    {
        using var tmp = new TempFolder();
        Assert.Contains("positive number of scenes", Assert.Throws<ArgumentException>(() =>
            SceneDatasetWriter.Write(tmp.Path, Items, Items, 0, 0, Options, 0)).Message);
        Assert.Contains("scene size must be in 16..4096", Assert.Throws<ArgumentException>(() =>
            SceneDatasetWriter.Write(tmp.Path, Items, Items, 1, 0, Options with { Size = 8 }, 0)).Message);
        WriteSet(tmp["set"], seed: 0);
        var again = Assert.Throws<IOException>(() => WriteSet(tmp["set"], seed: 0));
        Assert.Equal($"{tmp["set"]}: not empty; scenes are written into a new or empty folder", again.Message);
    }
}
