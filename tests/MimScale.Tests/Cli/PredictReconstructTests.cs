using System.Globalization;
using System.Text.Json;
using MimScale.Cli;
using MimScale.Models.Checkpoints;

namespace MimScale.Tests.Cli;

/// <summary>The two fixed-interface commands reproduce the official fixtures from the command line.</summary>
public class PredictReconstructTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("mimscale-cli-").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    string Images(string fixture)
    {
        string images = Path.Combine(dir, "img");
        Directory.CreateDirectory(images);
        foreach (var f in Directory.GetFiles(Fixtures.Dir(fixture), "img*.png")) File.Copy(f, Path.Combine(images, Path.GetFileName(f)), true);
        return images;
    }

    [Theory]
    [InlineData("model.pth")]
    [InlineData("wrapped.pth")]
    [InlineData("model.safetensors")]
    public void PredictWritesTheOfficialLogits(string checkpoint)
    {
        string model = Path.Combine(dir, "model.json");
        File.WriteAllText(model, """{"img_size": 64, "patch_size": 4, "in_chans": 3, "num_classes": 10, "embed_dim": 10, "depths": [2,2,2,2], "num_heads": [2,4,8,16], "window_size": 4, "mlp_ratio": 4.0, "qkv_bias": true, "drop_path_rate": 0.0, "ape": false, "patch_norm": true, "pretrained_window_sizes": [0,0,0,0]}""");
        string csv = Path.Combine(dir, "out.csv");
        Assert.Equal(0, CliApp.Run("predict", "--model", model, "--checkpoint", Path.Combine(Fixtures.Dir("swinv2-cls-a"), checkpoint),
            "--images", Images("swinv2-cls-a"), "--output", csv));
        var lines = File.ReadAllLines(csv);
        Assert.Equal("image,class," + string.Join(",", Enumerable.Range(0, 10).Select(i => $"logit_{i}")), lines[0]);
        var expected = Npy.Read(Path.Combine(Fixtures.Dir("swinv2-cls-a"), "logits.npy")).data<float>().ToArray();
        for (int n = 0; n < 4; n++)
        {
            var cells = lines[n + 1].Split(',');
            Assert.Equal($"img{n}.png", cells[0]);
            var logits = cells.Skip(2).Select(c => double.Parse(c, CultureInfo.InvariantCulture)).ToArray();
            for (int k = 0; k < 10; k++) Assert.True(Math.Abs(logits[k] - expected[n * 10 + k]) <= 1e-5, $"image {n} logit {k}");
            Assert.Equal(Array.IndexOf(logits, logits.Max()), int.Parse(cells[1]));
        }
    }

    [Fact]
    public void ReconstructWritesTheOfficialLossAndPanels()
    {
        string model = Path.Combine(dir, "simmim.json");
        File.WriteAllText(model, """{"img_size": 64, "patch_size": 4, "embed_dim": 8, "depths": [2,2,2,2], "num_heads": [1,2,4,8], "window_size": 4, "drop_path_rate": 0.0, "encoder_stride": 32, "mask_patch_size": 16, "mask_ratio": 0.6, "norm_target_window": 47}""");
        string outDir = Path.Combine(dir, "rec");
        var fx = Fixtures.Dir("simmim-a");
        Assert.Equal(0, CliApp.Run("reconstruct", "--model", model, "--checkpoint", Path.Combine(fx, "model.safetensors"),
            "--images", Images("simmim-a"), "--output", outDir, "--mask", Path.Combine(fx, "mask.npy")));
        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json"))).RootElement;
        double loss = summary.GetProperty("loss").GetDouble();
        Assert.True(Math.Abs(loss - 0.8189169764518738) <= 1e-5 * 0.819, $"loss {loss}");
        var perImage = summary.GetProperty("per_image").EnumerateArray().Select(e => e.GetProperty("loss").GetDouble()).ToArray();
        Assert.Equal(4, perImage.Length);
        // Every image has the same masked count, so the batch loss is the mean of the per-image losses.
        Assert.Equal(loss, perImage.Average(), 5);
        for (int i = 0; i < 4; i++)
        {
            var png = File.ReadAllBytes(Path.Combine(outDir, $"img{i}.png"));
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png.Take(4).ToArray());
        }
    }

    [Fact]
    public void UnknownModelKeyIsAClearErrorNamingTheFile()
    {
        string model = Path.Combine(dir, "bad.json");
        File.WriteAllText(model, """{"img_size": 64, "embed_dims": 10}""");
        var err = new StringWriter();
        var old = Console.Error;
        Console.SetError(err);
        try
        {
            Assert.Equal(1, CliApp.Run("predict", "--model", model, "--checkpoint", "x.pth", "--images", dir, "--output", "o.csv"));
        }
        finally { Console.SetError(old); }
        Assert.Contains("bad.json", err.ToString());
        Assert.Contains("embed_dims", err.ToString());
    }
}
