using MimScale.Dense.Segmentation;
using MimScale.Tests.Data;

namespace MimScale.Tests.Dense.Segmentation;

/// <summary>The ADE20K layout: images and annotations paired by stem, reduce_zero_label, named errors.</summary>
public class Ade20kLayoutTests
{
    static void Touch(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, [0xFF, 0xD8]);
    }

    static void Label(string path, params ushort[] v)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        LabelMapPngWriter.Write(path, new LabelMap(2, 2, v));
    }

    [Fact]
    public void PairsByStemInOrdinalOrderAndReducesZeroLabel()
    {
        using var tmp = new TempFolder();
        foreach (var stem in new[] { "ADE_val_2", "ADE_val_10", "ADE_val_1" })
        {
            Touch(tmp[$"images/validation/{stem}.jpg"]);
            Label(tmp[$"annotations/validation/{stem}.png"], 0, 1, 150, 255);
        }
        Touch(tmp["images/validation/notes.txt"]); // not an image: ignored
        var ds = Ade20kLayout.Open(tmp.Path, SegmentationSplit.Validation, 150, reduceZeroLabel: true);
        Assert.Equal(new[] { "ADE_val_1", "ADE_val_10", "ADE_val_2" }, ds.Samples.Select(s => s.Stem));
        Assert.Equal(tmp["annotations/validation/ADE_val_10.png"], ds.Samples[1].AnnotationPath);
        Assert.Equal(new ushort[] { 255, 0, 149, 255 }, ds.LoadLabel(0).Values);

        var plain = Ade20kLayout.Open(tmp.Path, SegmentationSplit.Validation, 151, reduceZeroLabel: false);
        Assert.Equal(new ushort[] { 0, 1, 150, 255 }, plain.LoadLabel(2).Values);
        var tooFew = Ade20kLayout.Open(tmp.Path, SegmentationSplit.Validation, 150, reduceZeroLabel: false);
        var e = Assert.Throws<InvalidDataException>(() => tooFew.LoadLabel(0));
        Assert.StartsWith(tmp["annotations/validation/ADE_val_1.png"] + ": id 150 at (x=0, y=1)", e.Message);
    }

    [Fact]
    public void AMissingPairIsAnErrorNamingTheOrphan()
    {
        using var tmp = new TempFolder();
        Touch(tmp["images/training/a.jpg"]);
        Label(tmp["annotations/training/a.png"], 1, 1, 1, 1);
        Touch(tmp["images/training/b.jpg"]);
        var noAnn = Assert.Throws<FileNotFoundException>(() => Ade20kLayout.Open(tmp.Path, SegmentationSplit.Training, 150, true));
        Assert.Equal($"{tmp["images/training/b.jpg"]}: no annotation {tmp["annotations/training/b.png"]}", noAnn.Message);

        File.Delete(tmp["images/training/b.jpg"]);
        Label(tmp["annotations/training/c.png"], 1, 1, 1, 1);
        var noImg = Assert.Throws<FileNotFoundException>(() => Ade20kLayout.Open(tmp.Path, SegmentationSplit.Training, 150, true));
        Assert.StartsWith($"{tmp["annotations/training/c.png"]}: no image", noImg.Message);

        var noSplit = Assert.Throws<DirectoryNotFoundException>(() => Ade20kLayout.Open(tmp.Path, SegmentationSplit.Validation, 150, true));
        Assert.StartsWith(tmp["images/validation"] + ": images folder not found", noSplit.Message);
    }
}
