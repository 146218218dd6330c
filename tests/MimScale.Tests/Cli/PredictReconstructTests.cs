using System.Globalization;
using System.Text.Json;
using MimScale.Cli;
using MimScale.Models.TensorFiles;

namespace MimScale.Tests.Cli;

/// <summary>The two fixed-interface commands reproduce the official fixtures from the command line.</summary>
[Collection(ConsoleCollection.Name)]   // swaps Console.Error
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
        // Each panel is original | masked input | reconstruction, 64 px each with 2 white columns between.
        var input = Npy.Read(Path.Combine(fx, "input.npy")).data<float>().ToArray();    // official normalised input (4, 3, 64, 64)
        var xRec = Npy.Read(Path.Combine(fx, "x_rec.npy")).data<float>().ToArray();     // official prediction, normalised targets
        var mask = Npy.Read(Path.Combine(fx, "mask.npy")).data<long>().ToArray();       // (4, 16, 16) tokens of 4 px, 1 = masked
        int maskedChecked = 0;
        for (int i = 0; i < 4; i++)
        {
            using var panel = SkiaSharp.SKBitmap.Decode(Path.Combine(outDir, $"img{i}.png"));
            Assert.NotNull(panel);
            Assert.Equal((3 * 64 + 2 * 2, 64), (panel.Width, panel.Height));
            using var original = SkiaSharp.SKBitmap.Decode(Path.Combine(Fixtures.Dir("simmim-a"), $"img{i}.png"));
            var display = PixelSpace(input, xRec, i);
            for (int y = 0; y < 64; y++)
            {
                foreach (int gap in new[] { 64, 65, 130, 131 }) Assert.Equal(SkiaSharp.SKColors.White, panel.GetPixel(gap, y));
                for (int x = 0; x < 64; x++)
                {
                    var px = original.GetPixel(x, y);
                    Assert.Equal(px, panel.GetPixel(x, y));
                    bool masked = mask[i * 256 + y / 4 * 16 + x / 4] == 1;
                    // Masked patches are 0 in normalised space: the ImageNet mean colour round(255 * (0.485, 0.456, 0.406)).
                    Assert.Equal(masked ? new SkiaSharp.SKColor(124, 116, 104) : px, panel.GetPixel(66 + x, y));
                    if (masked) maskedChecked++;
                    var rec = panel.GetPixel(132 + x, y);
                    var want = display[(y * 64) + x];
                    Assert.True(Math.Abs(rec.Red - want.R) <= 1 && Math.Abs(rec.Green - want.G) <= 1 && Math.Abs(rec.Blue - want.B) <= 1,
                        $"image {i} reconstruction pixel ({x}, {y}): {rec} vs {want}");
                }
            }
        }
        Assert.Equal(MaskedPixels, maskedChecked);
    }

    // 0.6 of the 4 x 16 mask patches (16 px) of each 64 x 64 image: 10 patches x 256 px x 4 images.
    const int MaskedPixels = 10 * 256 * 4;

    /// <summary>
    /// The official prediction turned back into 8-bit pixels, written out here without the library: target * local std +
    /// local mean over the 47 x 47 window inside the image (unbiased variance + 1e-6, as the official norm_targets), then
    /// ImageNet de-normalisation.
    /// </summary>
    static (int R, int G, int B)[] PixelSpace(float[] input, float[] xRec, int image)
    {
        const int S = 64, K = 23;   // window 47 = 2 * 23 + 1
        double[] mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
        var rgb = new int[3][];
        for (int c = 0; c < 3; c++)
        {
            int plane = (image * 3 + c) * S * S;
            rgb[c] = new int[S * S];
            for (int y = 0; y < S; y++)
                for (int x = 0; x < S; x++)
                {
                    double sum = 0, sq = 0;
                    int n = 0;
                    for (int v = Math.Max(0, y - K); v <= Math.Min(S - 1, y + K); v++)
                        for (int u = Math.Max(0, x - K); u <= Math.Min(S - 1, x + K); u++)
                        {
                            double p = input[plane + v * S + u];
                            sum += p; sq += p * p; n++;
                        }
                    double m = sum / n, variance = Math.Max(0, (sq / n - m * m) * n / (n - 1));
                    double normalised = xRec[plane + y * S + x] * Math.Sqrt(variance + 1e-6) + m;
                    rgb[c][y * S + x] = (int)Math.Clamp(Math.Round((normalised * std[c] + mean[c]) * 255), 0, 255);
                }
        }
        return Enumerable.Range(0, S * S).Select(k => (rgb[0][k], rgb[1][k], rgb[2][k])).ToArray();
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
