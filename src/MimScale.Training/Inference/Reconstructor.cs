using System.Text.Json;
using MimScale.Data.Masking;
using MimScale.Data.Random;
using MimScale.Models.Checkpoints;
using MimScale.Models.SimMim;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Training.Inference;

/// <summary>
/// `mimscale reconstruct`: SimMIM reconstructions of a folder of images, with the official loss over all images as one
/// batch and per image, and one PNG per image (original | masked input | reconstruction) for the paper's Figure 5.
/// </summary>
public static class Reconstructor
{
    static readonly float[] Mean = { 0.485f, 0.456f, 0.406f }, Std = { 0.229f, 0.224f, 0.225f };

    /// <param name="maskFile">int64 [N, H/patch, W/patch] .npy, 1 = masked; or null to draw masks from <paramref name="maskSeed"/>.</param>
    public static void Run(SimMimOptions options, string checkpoint, string imagesDir, string outDir, string? maskFile, ulong maskSeed, TextWriter log)
    {
        using var scope = NewDisposeScope();
        var model = new SimMimModel(options);
        log.WriteLine(ModelWeights.Load(model, checkpoint));
        model.eval();
        var files = ImageBatch.List(imagesDir);
        var enc = options.Encoder;
        var x = ImageBatch.Load(files, enc.ImgSize[0], enc.ImgSize[1]);
        var (th, tw) = enc.PatchesResolution;
        var mask = maskFile is null ? DrawMasks(options, files.Count, maskSeed) : Npy.Read(maskFile);
        if (!mask.shape.SequenceEqual(new long[] { files.Count, th, tw }) || mask.dtype != ScalarType.Int64)
            throw new InvalidDataException($"{maskFile}: mask must be int64 [{files.Count}, {th}, {tw}], got {mask.dtype} [{string.Join(", ", mask.shape)}]");

        Tensor xRec, loss, perImage;
        using (torch.no_grad())
        {
            xRec = model.ForwardDecoder(model.ForwardEncoder(x, mask));
            (loss, perImage) = model.ForwardLossPerImage(x, xRec, mask);
        }
        Directory.CreateDirectory(outDir);
        var display = ToPixelSpace(options, x, xRec);
        var maskPx = mask.repeat_interleave(enc.PatchSize, 1).repeat_interleave(enc.PatchSize, 2).unsqueeze(1).to_type(ScalarType.Float32);
        var masked = x * (1 - maskPx) + maskPx * torch.tensor(new[] { -Mean[0] / Std[0], -Mean[1] / Std[1], -Mean[2] / Std[2] }).view(1, 3, 1, 1) * 0.5f;
        var perImageValues = perImage.to_type(ScalarType.Float64).data<double>().ToArray();
        for (int i = 0; i < files.Count; i++)
            WritePanel(Path.Combine(outDir, Path.GetFileNameWithoutExtension(files[i]) + ".png"), new[] { x[i], masked[i], display[i] });
        var summary = new
        {
            loss = (double)loss.item<float>(),
            per_image = files.Select((f, i) => new { image = Path.GetFileName(f), loss = perImageValues[i] }).ToArray(),
            norm_target_window = options.NormTargetWindow,
            mask = maskFile ?? $"seed {maskSeed}",
        };
        string path = Path.Combine(outDir, "summary.json");
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
        File.Move(path + ".tmp", path, overwrite: true);
        log.WriteLine($"reconstruct: {files.Count} images, loss {loss.item<float>():R} -> {outDir}");
    }

    /// <summary>Masks of the official generator, image i from the (seed, validation-mask stream, i) generator.</summary>
    public static Tensor DrawMasks(SimMimOptions o, int count, ulong seed)
    {
        var gen = new MaskGenerator(o.Encoder.ImgSize[0], o.MaskPatchSize, o.Encoder.PatchSize, o.MaskRatio);
        var data = new long[count * gen.OutputLength];
        for (int i = 0; i < count; i++)
        {
            var rng = DataRng.For(seed, RandomStream.ValidationMask, i);
            gen.Generate(ref rng, data.AsSpan(i * gen.OutputLength, gen.OutputLength));
        }
        return torch.tensor(data, new long[] { count, gen.OutputSize, gen.OutputSize });
    }

    // A normalised-target prediction is mapped back with the original's local mean/std (as SimMIM visualisations do).
    static Tensor ToPixelSpace(SimMimOptions o, Tensor x, Tensor xRec)
    {
        if (o.NormTargetWindow <= 0) return xRec;
        var (mean, std) = NormTargets.LocalStats(x, o.NormTargetWindow);
        return (xRec.to_type(ScalarType.Float64) * std + mean).to_type(ScalarType.Float32);
    }

    static void WritePanel(string path, Tensor[] images)
    {
        int h = (int)images[0].shape[1], w = (int)images[0].shape[2], gap = 2;
        using var bitmap = new SKBitmap(images.Length * w + (images.Length - 1) * gap, h, SKColorType.Rgba8888, SKAlphaType.Opaque);
        bitmap.Erase(SKColors.White);
        for (int k = 0; k < images.Length; k++)
        {
            var chw = images[k].data<float>().ToArray();
            for (int y = 0; y < h; y++)
                for (int xx = 0; xx < w; xx++)
                {
                    byte C(int c) => (byte)Math.Clamp(MathF.Round((chw[(c * h + y) * w + xx] * Std[c] + Mean[c]) * 255f), 0, 255);
                    bitmap.SetPixel(k * (w + gap) + xx, y, new SKColor(C(0), C(1), C(2)));
                }
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        using (var f = File.Create(path + ".tmp")) data.SaveTo(f);
        File.Move(path + ".tmp", path, overwrite: true);
    }
}
