using MimScale.Data.Sources;

namespace MimScale.Tests.Cli;

/// <summary>`mimscale data synthetic`: the JPEG folder of the end-to-end benchmark (bench/README.md), from the CLI.</summary>
[Collection(ConsoleCollection.Name)]
public class DataSyntheticTests
{
    [Fact]
    public void WritesAnImageNetLayoutFolderThatLoadsAndIsByteIdenticalForTheSameSeed()
    {
        using var tmp = new TempFolder();
        string a = tmp["a"], b = tmp["b"], c = tmp["c"];
        var (code, output, _) = CliRun.Invoke("data", "synthetic", "--out", a, "--classes", "2", "--per-class", "3", "--size", "40x30", "--seed", "5");
        Assert.Equal(0, code);
        Assert.Contains("6 images of 40x30 in 2 classes", output);
        Assert.Equal(0, CliRun.Invoke("data", "synthetic", "--out", b, "--classes", "2", "--per-class", "3", "--size", "40x30", "--seed", "5").Code);
        Assert.Equal(0, CliRun.Invoke("data", "synthetic", "--out", c, "--classes", "2", "--per-class", "3", "--size", "40x30", "--seed", "6").Code);

        var source = ImageSources.Open("folder:" + a);
        Assert.Equal(6, source.Count);
        Assert.Equal(new[] { 0, 0, 0, 1, 1, 1 }, Enumerable.Range(0, 6).Select(source.GetLabel).ToArray());
        using (var image = source.Load(4)) Assert.Equal((40, 30), (image.Width, image.Height));
        string file = Path.Combine("class_001", "img_0002.jpg");
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, file)), File.ReadAllBytes(Path.Combine(b, file)));
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(a, file)), File.ReadAllBytes(Path.Combine(c, file)));
    }

    [Theory]
    [InlineData("--size", "40by30", "--size '40by30'")]
    [InlineData("--format", "gif", "--format 'gif'")]
    [InlineData("--quality", "0", "--quality 0")]
    public void ABadOptionIsOneErrorLineNamingIt(string option, string value, string named)
    {
        using var tmp = new TempFolder();
        var (code, _, error) = CliRun.Invoke("data", "synthetic", "--out", tmp["x"], option, value);
        Assert.NotEqual(0, code);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(named, line);
    }
}
