using System.Text.Json;
using MimScale.Cli;
using MimScale.Dense.Segmentation;
using MimScale.Tests.Data;

namespace MimScale.Tests.Dense.Scenes;

/// <summary>`mimscale data scenes` on the real Fashion-MNIST items (skipped without the Debian package).</summary>
public class FashionMnistScenesTests
{
    [FashionMnistFact]
    public void DataScenesWritesBothLayoutsWithTheFashionMnistClasses()
    {
        using var tmp = new TempFolder();
        Assert.Equal(0, CliApp.Run("data", "scenes", "--out", tmp.Path, "--images", "5", "--size", "64", "--seed", "4", "--split-val", "2"));
        var train = Ade20kLayout.Open(tmp.Path, SegmentationSplit.Training, numClasses: 11, reduceZeroLabel: false);
        var val = Ade20kLayout.Open(tmp.Path, SegmentationSplit.Validation, numClasses: 11, reduceZeroLabel: false);
        Assert.Equal((3, 2), (train.Samples.Count, val.Samples.Count));
        var map = train.LoadLabel(0);
        Assert.Equal((64, 64), (map.Width, map.Height));
        Assert.Contains(map.Values, v => v > 0);

        using var coco = JsonDocument.Parse(File.ReadAllText(tmp["annotations/instances_training.json"]));
        var cats = coco.RootElement.GetProperty("categories").EnumerateArray().ToArray();
        Assert.Equal(10, cats.Length);
        Assert.Equal((1, "T-shirt/top"), (cats[0].GetProperty("id").GetInt32(), cats[0].GetProperty("name").GetString()));
        Assert.Equal((10, "Ankle boot"), (cats[9].GetProperty("id").GetInt32(), cats[9].GetProperty("name").GetString()));
        Assert.True(coco.RootElement.GetProperty("annotations").GetArrayLength() >= 3 * 1);
    }
}
