using MimScale.Data.Errors;
using MimScale.Data.Loading;
using MimScale.Data.Sources;
using MimScale.Data.Transforms;
using SkiaSharp;

namespace MimScale.Tests.Data.Sources;

/// <summary>Every bad-input case gives a clear error naming the file; a loader skips bad images by default.</summary>
public class BadInputTests
{
    [Fact]
    public void Folders_MissingEmptyOrWithoutClasses()
    {
        using var tmp = new TempFolder();
        var missing = tmp["nope"];
        var e = Assert.Throws<DataSourceException>(() => ImageFileSource.FromImageFolder(missing));
        Assert.Equal(missing, e.Path);
        Assert.Contains("folder not found", e.Message);

        Directory.CreateDirectory(tmp["empty"]);
        Assert.Contains("no class folders", Assert.Throws<DataSourceException>(() => ImageFileSource.FromImageFolder(tmp["empty"])).Message);
        Assert.Contains("contains no images", Assert.Throws<DataSourceException>(() => ImageFileSource.FromFlatFolder(tmp["empty"])).Message);

        SyntheticImageFolder.Write(tmp["ds"], classes: 2, perClass: 2, width: 16, height: 12);
        Directory.CreateDirectory(tmp["ds/class_002"]);
        File.WriteAllText(tmp["ds/class_002/readme.txt"], "not an image");
        var empty = Assert.Throws<DataSourceException>(() => ImageFileSource.FromImageFolder(tmp["ds"]));
        Assert.Equal(tmp["ds/class_002"], empty.Path);
        Assert.Contains("class folder 'class_002' contains no images", empty.Message);
        var ok = ImageFileSource.FromImageFolder(tmp["ds"], allowEmptyClasses: true);
        Assert.Equal((4, 3), (ok.Count, ok.ClassNames.Count));

        File.WriteAllText(tmp["file.txt"], "x");
        Assert.Contains("expected a folder", Assert.Throws<DataSourceException>(() => ImageFileSource.FromImageFolder(tmp["file.txt"])).Message);
    }

    [Fact]
    public void ListFiles_ParseAndReportBadLines()
    {
        using var tmp = new TempFolder();
        File.WriteAllText(tmp["list.txt"], "# comment\nimgs/a b.jpg 2\nimgs/c.png\t0\n\n");
        var src = ImageFileSource.FromListFile(tmp["list.txt"]);
        Assert.Equal(["imgs/a b.jpg", "imgs/c.png"], new[] { src.GetId(0), src.GetId(1) });
        Assert.Equal((2, 0, 3), (src.GetLabel(0), src.GetLabel(1), src.ClassNames.Count));
        Assert.Equal(Path.Combine(tmp.Path, "imgs/c.png"), src.Describe(1));

        File.WriteAllText(tmp["mixed.txt"], "a.jpg 1\nb.jpg\n");
        Assert.Contains("some lines have labels", Assert.Throws<DataSourceException>(() => ImageFileSource.FromListFile(tmp["mixed.txt"])).Message);
        File.WriteAllText(tmp["neg.txt"], "a.jpg -1\n");
        Assert.Contains("line 1: negative label", Assert.Throws<DataSourceException>(() => ImageFileSource.FromListFile(tmp["neg.txt"])).Message);
        Assert.Equal(tmp["none.txt"], Assert.Throws<DataSourceException>(() => ImageFileSource.FromListFile(tmp["none.txt"])).Path);
    }

    [Fact]
    public void ImageFiles_EachFailureNamesTheFileAndTheReason()
    {
        using var tmp = new TempFolder();
        var good = SyntheticImageFolder.Encode(new byte[64 * 48 * 4], 64, 48, SKEncodedImageFormat.Jpeg);

        File.WriteAllBytes(tmp["zero.jpg"], []);
        AssertDecodeError(tmp["zero.jpg"], "zero-byte file");

        // Cut inside the entropy-coded data of a busy picture: the header parses, the scan ends early.
        var rng = new MimScale.Data.Random.DataRng(5);
        var busy = SyntheticImageFolder.Encode(SyntheticImageFolder.Render(ref rng, 160, 120), 160, 120, SKEncodedImageFormat.Jpeg);
        File.WriteAllBytes(tmp["trunc.jpg"], busy[..(busy.Length * 4 / 5)]);
        AssertDecodeError(tmp["trunc.jpg"], "truncated image data");

        File.WriteAllText(tmp["text.jpg"], "this is not a JPEG");
        AssertDecodeError(tmp["text.jpg"], "not a decodable image");

        AssertDecodeError(tmp["missing.jpg"], "file not found");

        // Unreadable: mode 000 stops any non-root user; root reads everything, so also check a path that cannot be
        // read as a file by anyone (a folder named like an image) through the same error path.
        File.WriteAllBytes(tmp["locked.jpg"], good);
        File.SetUnixFileMode(tmp["locked.jpg"], UnixFileMode.None);
        if (Environment.UserName != "root") AssertDecodeError(tmp["locked.jpg"], "permission denied");
        Directory.CreateDirectory(tmp["folder.jpg"]);
        AssertDecodeError(tmp["folder.jpg"], "permission denied");

        var big = SyntheticImageFolder.Encode(new byte[300 * 200 * 4], 300, 200, SKEncodedImageFormat.Png);
        File.WriteAllBytes(tmp["big.png"], big);
        var tooBig = Assert.Throws<ImageDecodeException>(() => ImageDecoder.DecodeFile(tmp["big.png"], new ImageDecodeOptions(MaxPixels: 50_000)));
        Assert.Contains("300x200 = 60000 pixels exceeds the limit of 50000", tooBig.Message);
        Assert.Contains("big.png", tooBig.Message);
        using var fits = ImageDecoder.DecodeFile(tmp["big.png"], new ImageDecodeOptions(MaxPixels: 60_000));
        Assert.Equal((300, 200), (fits.Width, fits.Height));
    }

    private static void AssertDecodeError(string path, string reason)
    {
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.DecodeFile(path));
        Assert.Equal(path, e.Path);
        Assert.Contains(path, e.Message);
        Assert.Contains(reason, e.Reason);
    }

    [Fact]
    public void GrayRgbaAndCmyk_AreConvertedToRgbLikePil()
    {
        using var tmp = new TempFolder();
        var gray = new byte[4 * 3];
        for (int i = 0; i < gray.Length; i++) gray[i] = (byte)(20 * i);
        File.WriteAllBytes(tmp["gray.png"], SyntheticImageFolder.Encode(gray, 4, 3, SKEncodedImageFormat.Png, colorType: SKColorType.Gray8));
        using (var g = ImageDecoder.DecodeFile(tmp["gray.png"]))
        {
            var px = g.Pixels;
            Assert.Equal((byte)100, px[5 * 4]);
            Assert.Equal((byte)100, px[5 * 4 + 1]);
            Assert.Equal((byte)100, px[5 * 4 + 2]);
        }
        // RGBA with alpha 0 keeps its stored colour (PIL convert("RGB") drops alpha, no compositing).
        var rgba = new byte[] { 200, 100, 50, 0, 10, 20, 30, 128 };
        File.WriteAllBytes(tmp["rgba.png"], SyntheticImageFolder.Encode(rgba, 2, 1, SKEncodedImageFormat.Png));
        using (var a = ImageDecoder.DecodeFile(tmp["rgba.png"]))
            Assert.Equal(new byte[] { 200, 100, 50, 10, 20, 30 }, new[] { 0, 1, 2, 4, 5, 6 }.Select(i => a.Pixels[i]));
        // An 8x8 Adobe CMYK JPEG written by PIL: left half (C,M,Y,K) = (200,0,0,50), right half (0,128,255,0).
        // PIL's convert("RGB") gives (44,205,205) and (255,127,0).
        File.WriteAllBytes(tmp["cmyk.jpg"], Convert.FromBase64String(CmykJpeg));
        using var c = ImageDecoder.DecodeFile(tmp["cmyk.jpg"]);
        AssertNear(c.Pixels.Slice(0, 3), 44, 205, 205);
        AssertNear(c.Pixels.Slice((7 * 8 + 7) * 4, 3), 255, 127, 0);
    }

    private static void AssertNear(ReadOnlySpan<byte> rgb, int r, int g, int b)
    {
        Assert.InRange(rgb[0], r - 4, r + 4);
        Assert.InRange(rgb[1], g - 4, g + 4);
        Assert.InRange(rgb[2], b - 4, b + 4);
    }

    private const string CmykJpeg =
        "/9j/7gAOQWRvYmUAZAAAAAAA/9sAQwACAQEBAQECAQEBAgICAgIEAwICAgIFBAQDBAYFBgYGBQYGBgcJCAYHCQcGBggLCAkKCgoKCgYICwwLCgwJCgoK/8AAFAgACAAIBEMRAE0RAFkRAEsRAP/EAB8AAAEFAQEBAQEBAAAAAAAAAAABAgMEBQYHCAkKC//EALUQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+v/aAA4EQwBNAFkASwAAPwD2z/g0q/5r/wD9yp/7mK+/P+C6H/NLv+43/wC2FN/4PnP+bXf+52/9wFfsx+yV/wAzB/26f+1q/9k=";

    [Fact]
    public void ALoaderOverAFolderWithBadFiles_SkipsReportsAndKeepsBatchShapes()
    {
        using var tmp = new TempFolder();
        SyntheticImageFolder.Write(tmp["ds"], classes: 2, perClass: 6, width: 48, height: 36, format: SKEncodedImageFormat.Jpeg);
        File.WriteAllBytes(tmp["ds/class_000/img_0002.jpg"], []);
        File.WriteAllText(tmp["ds/class_001/img_0004.jpg"], "garbage");
        var src = ImageFileSource.FromImageFolder(tmp["ds"]);
        var t = new SimMimTransform(new SimMimTransformConfig { ImageSize = 32, Masks = new(patchSize: 8), ModelPatchSize = 4 });
        using var loader = new SimMimLoader(src, t, new LoaderOptions { BatchSize = 4, Seed = 1, Epochs = 1 });
        var shapes = loader.ReadToEnd().Select(b => { using (b) return b.Images.shape; }).ToList();
        Assert.Equal(3, shapes.Count);
        Assert.All(shapes, s => Assert.Equal(new long[] { 4, 3, 32, 32 }, s));
        Assert.Equal(2, loader.BadImages.Count);
        Assert.Equal(2, loader.BadImages.Substitutions);
        var report = loader.BadImages.ToString();
        Assert.Contains("class_000/img_0002.jpg", report);
        Assert.Contains("zero-byte file", report);
        Assert.Contains("class_001/img_0004.jpg", report);
    }
}
