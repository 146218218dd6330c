using System.Globalization;
using MimScale.Data.Transforms;
using MimScale.Models.Config;
using MimScale.Models.TensorFiles;
using MimScale.Training.Inference;

namespace MimScale.Tests.Training.Inference;

/// <summary>`predict` at a non-square model input (the official swinv2-cls-rect fixture, 64x128).</summary>
public class PredictorTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("mimscale-predict-").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void PredictOnANonSquareModelWritesTheOfficialLogits()
    {
        var fx = Fixtures.Dir("swinv2-cls-rect");
        string images = Path.Combine(dir, "img");
        Directory.CreateDirectory(images);
        foreach (var f in Directory.GetFiles(fx, "img*.png")) File.Copy(f, Path.Combine(images, Path.GetFileName(f)));
        string csv = Path.Combine(dir, "out.csv");
        Predictor.Run(ModelJson.ReadSwinV2(Path.Combine(fx, "model.json")), Path.Combine(fx, "model.safetensors"), images, csv, TextWriter.Null);

        var lines = File.ReadAllLines(csv);
        Assert.Equal(5, lines.Length);
        var expected = Npy.Read(Path.Combine(fx, "logits.npy")).data<float>().ToArray();
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
    public void NonSquareCropKeepsTheAspectAndThe256Over224MarginOnTheBindingAxis()
    {
        // 300x100 image into a 128 (W) x 64 (H) crop: targets 146 x 73; height binds (73*300 > 146*100),
        // so 219x73, left = round-half-even(45.5) = 46, top = round-half-even(4.5) = 4.
        Assert.Equal((219, 73, 46, 4), ImageBatch.ResizeThenCentreCrop(300, 100, 128, 64));
        // 100x300 into the same crop: width binds: 146x438, left 9, top round(187) = 187.
        Assert.Equal((146, 438, 9, 187), ImageBatch.ResizeThenCentreCrop(100, 300, 128, 64));
    }

    [Theory]
    [InlineData(300, 200, 64)]
    [InlineData(200, 300, 64)]
    [InlineData(97, 97, 32)]
    [InlineData(640, 481, 224)]
    public void SquareCropIsTheEvaluationTransformGeometry(int width, int height, int size) =>
        Assert.Equal(RandomResizedCrop.ResizeThenCentreCrop(width, height, size * 256 / 224, size),
                     ImageBatch.ResizeThenCentreCrop(width, height, size, size));
}
