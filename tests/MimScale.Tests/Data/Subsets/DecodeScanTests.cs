using MimScale.Cli;
using MimScale.Data.Sources;
using MimScale.Data.Subsets;
using SkiaSharp;

namespace MimScale.Tests.Data.Subsets;

/// <summary>
/// `data stats` / `data subset` decode every image: corrupt files are listed by name, counted, and left out of the
/// statistics and of every manifest.
/// </summary>
[Collection(ConsoleCollection.Name)]   // the command tests read Console.Out
public class DecodeScanTests
{
    /// <summary>3 classes x 10 JPEGs; class_001/img_0003 is cut off, class_002/img_0007 is text, class_002/img_0008 is empty.</summary>
    static string DatasetWithThreeBadFiles(TempFolder tmp)
    {
        string train = tmp["ds/train"];
        SyntheticImageFolder.Write(train, classes: 3, perClass: 10, width: 8, height: 8);
        var rng = new MimScale.Data.Random.DataRng(5);
        var busy = SyntheticImageFolder.Encode(SyntheticImageFolder.Render(ref rng, 160, 120), 160, 120, SKEncodedImageFormat.Jpeg);
        File.WriteAllBytes(Path.Combine(train, "class_001", "img_0003.jpg"), busy[..(busy.Length * 4 / 5)]);
        File.WriteAllText(Path.Combine(train, "class_002", "img_0007.jpg"), "this is not a JPEG");
        File.WriteAllBytes(Path.Combine(train, "class_002", "img_0008.jpg"), []);
        return tmp["ds"];
    }

    static readonly string[] BadIds = ["class_001/img_0003.jpg", "class_002/img_0007.jpg", "class_002/img_0008.jpg"];

    [Fact]
    public void EveryImageIsDecodedAndTheBadOnesAreListedAndLeftOut()
    {
        using var tmp = new TempFolder();
        var source = ImageSources.Open(DatasetWithThreeBadFiles(tmp));
        Assert.Equal(30, source.Count);   // listing alone counts them all
        var scan = DecodeScan.Run(source, threads: 2);
        Assert.Equal(BadIds, scan.Bad.Select(b => b.Id));
        Assert.Equal(["truncated image data", "not a decodable image", "zero-byte file"], scan.Bad.Select(b => b.Reason.Split(" (")[0]));
        Assert.Equal(27, scan.Decodable.Count);
        Assert.Equal(new DatasetStats(3, 27, 8, 9, 10), DatasetStats.Of(scan.Decodable));
        var all = SubsetSampler.ClassBalancedFractions(scan.Decodable, [1.0], 0)[0];
        Assert.Equal(27, all.Count);
        Assert.DoesNotContain(all.Entries, e => BadIds.Contains(e.Id));
        Assert.EndsWith("without 3 undecodable images", all.Get("source"));
        Assert.StartsWith("3 of 30 images cannot be decoded and are left out:\n  class_001/img_0003.jpg: truncated image data", scan.Summary());

        var clean = DecodeScan.Run(ImageSources.Open(SyntheticImageFolder.Write(tmp["clean"], 2, 3, 8, 8)));
        Assert.Empty(clean.Bad);
        Assert.Equal("all 6 images decode", clean.Summary());
    }

    [Fact]
    public void TheCommandsPrintTheBadFilesAndWriteManifestsWithoutThem()
    {
        using var tmp = new TempFolder();
        string ds = DatasetWithThreeBadFiles(tmp);
        var (rc, output) = Run("data", "subset", "--source", ds, "--fractions", "0.5,1", "--seed", "0", "--out", tmp["out"]);
        Assert.Equal(0, rc);
        Assert.Contains("3 of 30 images cannot be decoded and are left out:", output);
        foreach (var id in BadIds) Assert.Contains($"  {id}: ", output);
        var full = Manifest.Load(tmp["out/fraction-1-seed0.manifest.tsv"]);
        var half = Manifest.Load(tmp["out/fraction-0.5-seed0.manifest.tsv"]);
        Assert.Equal((27, 14), (full.Count, half.Count));   // per class round(0.5 x (10, 9, 8)) = 5 + 5 + 4
        Assert.DoesNotContain(full.Entries, e => BadIds.Contains(e.Id));

        (rc, output) = Run("data", "stats", "--source", ds);
        Assert.Equal(0, rc);
        Assert.Contains("3 of 30 images cannot be decoded", output);
        Assert.Contains(new DatasetStats(3, 27, 8, 9, 10).ToTable(ds), output);
    }

    static (int Code, string Output) Run(params string[] args)
    {
        var output = new StringWriter();
        var old = Console.Out;
        Console.SetOut(output);
        try { return (CliApp.Run(args), output.ToString()); }
        finally { Console.SetOut(old); }
    }
}
