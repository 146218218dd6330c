using MimScale.Cli.Commands;
using MimScale.Tests.Models.TensorFiles;

namespace MimScale.Tests.Cli;

public class InspectCommandTests
{
    static (int Code, string Out, string Err) Run(string path, bool all)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = InspectCommand.Run(path, all, output, error);
        return (code, output.ToString().Replace("\r", ""), error.ToString());
    }

    [Fact]
    public void ClassifierSummary()
    {
        var (code, text, _) = Run(TensorFileFixtureTests.Fixture("swinv2-cls-a", "wrapped.pth"), all: false);
        Assert.Equal(0, code);
        Assert.Contains("format        PyTorchZip (state dict under 'model')", text);
        Assert.Contains("tensors       171", text);
        Assert.Contains("  patch_embed.proj.weight", text);
        Assert.Contains("(10, 3, 4, 4)", text);
        Assert.Contains("... 131 more (--all lists every key)", text);
        Assert.DoesNotContain("head.bias", text);
        Assert.Contains("parameters    269,228", text);
        Assert.Contains("kind            Classifier", text);
        Assert.Contains("num_heads       [2,4,8,16]", text);
        Assert.Contains("window (eff.)   [4,4,4,2]", text);
    }

    [Fact]
    public void AllListsEveryKeyWithDtype()
    {
        var (code, text, _) = Run(TensorFileFixtureTests.Fixture("simmim-a", "model.pth"), all: true);
        Assert.Equal(0, code);
        var keyLines = text.Split('\n').Where(l => l.StartsWith("  ", StringComparison.Ordinal) && (l.Contains("float32") || l.Contains("int64"))).ToList();
        Assert.Equal(172, keyLines.Count);
        Assert.Contains(keyLines, l => l.Contains("encoder.layers.0.blocks.0.attn.relative_position_index") && l.EndsWith("int64", StringComparison.Ordinal));
        Assert.Contains("parameters    372,318", text);
        Assert.Contains("Conv2d(64, 3072, 1) + PixelShuffle(32) (encoder_stride 32)", text);
    }

    [Fact]
    public void BadFileExitsOneWithTheFileName()
    {
        using var dir = new TempFolder();
        File.WriteAllBytes(dir["broken.pth"], new byte[] { 1, 2, 3 });
        var (code, text, err) = Run(dir["broken.pth"], all: false);
        Assert.Equal(1, code);
        Assert.Equal("", text);
        Assert.StartsWith("error: broken.pth: unrecognised format", err);
    }

    [Fact]
    public void NpyShowsShapeAndDtype()
    {
        var (code, text, _) = Run(TensorFileFixtureTests.Fixture("simmim-a", "mask.npy"), all: false);
        Assert.Equal(0, code);
        Assert.Contains("shape         (4, 16, 16)", text);
        Assert.Contains("dtype         int64", text);
    }

    [Fact]
    public void RegisteredInTheCatalog() =>
        Assert.Contains(CommandCatalog.All(), c => c.Name == "inspect");
}
