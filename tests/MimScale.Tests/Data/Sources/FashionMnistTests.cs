using MimScale.Data.Errors;
using MimScale.Data.Sources;

namespace MimScale.Tests.Data.Sources;

/// <summary>
/// Fashion-MNIST read from Debian's gzipped IDX files. Pixel sums computed independently with Python's gzip+struct
/// (Data/reference_values.py).
/// </summary>
public class FashionMnistTests
{
    private static readonly string Dir = FashionMnist.DebianPath;

    [FashionMnistFact]
    public void TrainSplit_CountsLabelsAndPixelSums()
    {
        var train = FashionMnist.Open(Dir, FashionMnistSplit.Train);
        Assert.Equal(60000, train.Count);
        Assert.Equal(28, train.Rows);
        Assert.Equal(28, train.Cols);
        Assert.Equal(10, train.ClassNames.Count);
        Assert.Equal(9, train.GetLabel(0));
        Assert.Equal("Ankle boot", train.ClassNames[train.GetLabel(0)]);
        Assert.Equal(new[] { 9, 0, 0, 3, 0, 2, 7, 2, 5, 5 }, Enumerable.Range(0, 10).Select(train.GetLabel));
        int[] sums = [76247, 84598, 28662, 46649, 61187];
        for (int i = 0; i < sums.Length; i++) Assert.Equal(sums[i], Sum(train, i));
        Assert.Equal("train/000123", train.GetId(123));
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(6000, Enumerable.Range(0, train.Count).Count(i => train.GetLabel(i) == c)));
    }

    [FashionMnistFact]
    public void TestSplit_CountsLabelsAndPixelSums()
    {
        var test = FashionMnist.Open(Dir, FashionMnistSplit.Test);
        Assert.Equal(10000, test.Count);
        Assert.Equal(9, test.GetLabel(0));
        int[] sums = [33456, 100994, 51520, 35377, 62655];
        for (int i = 0; i < sums.Length; i++) Assert.Equal(sums[i], Sum(test, i));
        Assert.Equal("test/000007", test.GetId(7));
        using var img = test.Load(1);
        Assert.Equal((28, 28, 1), (img.Width, img.Height, img.Channels));
    }

    [Fact]
    public void PlainFilesWork_AndCorruptHeadersNameTheFile()
    {
        using var tmp = new TempFolder();
        // A tiny plain (not gzipped) IDX pair: 2 images of 2x3.
        byte[] images = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60];
        byte[] labels = [0, 0, 8, 1, 0, 0, 0, 2, 4, 7];
        File.WriteAllBytes(tmp["train-images-idx3-ubyte"], images);
        File.WriteAllBytes(tmp["train-labels-idx1-ubyte"], labels);
        var src = new IdxSource(tmp["train-images-idx3-ubyte"], tmp["train-labels-idx1-ubyte"], "train", FashionMnist.ClassNames);
        Assert.Equal(2, src.Count);
        Assert.Equal((2, 3), (src.Rows, src.Cols));
        Assert.Equal(7, src.GetLabel(1));
        Assert.Equal(new byte[] { 10, 20, 30, 40, 50, 60 }, src.Pixels(1).ToArray());

        var badMagic = (byte[])images.Clone();
        badMagic[0] = 1;
        File.WriteAllBytes(tmp["bad-magic"], badMagic);
        var e1 = Assert.Throws<DataSourceException>(() => IdxReader.Read(tmp["bad-magic"], 3));
        Assert.Contains("bad-magic", e1.Message);
        Assert.Contains("corrupted IDX header", e1.Message);

        File.WriteAllBytes(tmp["truncated"], images[..^2]);
        var e2 = Assert.Throws<DataSourceException>(() => IdxReader.Read(tmp["truncated"], 3));
        Assert.Contains("truncated", e2.Message);
        Assert.Equal(tmp["truncated"], e2.Path);

        File.WriteAllBytes(tmp["rank"], labels);
        var e3 = Assert.Throws<DataSourceException>(() => IdxReader.Read(tmp["rank"], 3));
        Assert.Contains("1 dimensions, expected 3", e3.Message);

        File.WriteAllBytes(tmp["short-labels"], new byte[] { 0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3 });
        var e4 = Assert.Throws<DataSourceException>(() => new IdxSource(tmp["train-images-idx3-ubyte"], tmp["short-labels"], "train", FashionMnist.ClassNames));
        Assert.Contains("3 labels but", e4.Message);

        File.WriteAllBytes(tmp["notgzip.gz"], new byte[] { 0x1f, 0x8b, 1, 2, 3 });
        var e5 = Assert.Throws<DataSourceException>(() => IdxReader.Read(tmp["notgzip.gz"], 3));
        Assert.Contains("notgzip.gz", e5.Message);
    }

    private static long Sum(IdxSource s, int i)
    {
        long total = 0;
        foreach (var b in s.Pixels(i)) total += b;
        return total;
    }
}
