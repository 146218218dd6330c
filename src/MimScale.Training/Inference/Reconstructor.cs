using System.Text.Json;
using MimScale.Data.Masking;
using MimScale.Data.Random;
using MimScale.Data.Transforms;
using MimScale.Files;
using MimScale.Models.Config;
using MimScale.Models.SimMim;
using MimScale.Models.TensorFiles;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Training.Inference;

/// <summary>
/// `mimscale reconstruct`: SimMIM reconstructions of a folder of images, with the official loss over all images as one
/// batch and per image, and one PNG per image (original | masked input | reconstruction) for the paper's Figure 5.
/// </summary>
public static class Reconstructor
{
    /// <param name="file">The SIMMIM.json: the model, and the masking drawn masks use.</param>
    /// <param name="checkpoint">The pre-trained SimMIM checkpoint.</param>
    /// <param name="imagesDir">The images to reconstruct.</param>
    /// <param name="outDir">Where the panels go.</param>
    /// <param name="maskFile">int64 [N, H/patch, W/patch] .npy, 1 = masked; or null to draw masks from <paramref name="maskSeed"/>.</param>
    /// <param name="maskSeed">Seed of the drawn masks (when no <paramref name="maskFile"/>).</param>
    /// <param name="log">Progress lines.</param>
    public static void Run(SimMimJson file, string checkpoint, string imagesDir, string outDir, string? maskFile, ulong maskSeed, TextWriter log)
    {
        using var scope = NewDisposeScope();
        var options = file.Model;
        var masks = Masks(file);   // a bad mask setting fails before the checkpoint is read
        var model = new SimMimModel(options);
        log.WriteLine(ModelWeights.Load(model, checkpoint));
        model.eval();
        var files = ImageBatch.List(imagesDir);
        var enc = options.Encoder;
        var x = ImageBatch.Load(files, enc.ImgSize[0], enc.ImgSize[1]);
        var (th, tw) = enc.PatchesResolution;
        var mask = maskFile is null ? DrawMasks(masks, files.Count, maskSeed) : Npy.Read(maskFile);
        if (!mask.shape.SequenceEqual(new long[] { files.Count, th, tw }) || mask.dtype != ScalarType.Int64)
            throw new InvalidDataException($"{maskFile}: mask must be int64 [{files.Count}, {th}, {tw}], got {mask.dtype} [{string.Join(", ", mask.shape)}]");

        Tensor xRec, loss, perImage;
        using (torch.no_grad())
        {
            xRec = model.ForwardDecoder(model.ForwardEncoder(x, mask));
            (loss, perImage) = model.ForwardLossPerImage(x, xRec, mask);
        }
        Directory.CreateDirectory(outDir);
        var display = ReconstructionPanels.ToPixelSpace(options, x, xRec);
        var masked = ReconstructionPanels.MaskedInput(x, mask, enc.PatchSize);
        var perImageValues = perImage.to_type(ScalarType.Float64).data<double>().ToArray();
        for (int i = 0; i < files.Count; i++)
            ReconstructionPanels.WritePanel(Path.Combine(outDir, Path.GetFileNameWithoutExtension(files[i]) + ".png"), new[] { x[i], masked[i], display[i] }, Normalization.ImageNet);
        var summary = new
        {
            loss = (double)loss.item<float>(),
            per_image = files.Select((f, i) => new { image = Path.GetFileName(f), loss = perImageValues[i] }).ToArray(),
            norm_target_window = options.NormTargetWindow,
            mask = maskFile ?? $"seed {maskSeed}",
        };
        string path = Path.Combine(outDir, "summary.json");
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
        log.WriteLine($"reconstruct: {files.Count} images, loss {loss.item<float>():R} -> {outDir}");
    }

    /// <summary>
    /// The generator of the file's mask settings for its model's input, errors naming the file. Both sides of img_size
    /// are checked (as the model options did before issue 12); the generator draws square masks, so a non-square input
    /// needs a mask file (the shape check in <see cref="Run"/> says so).
    /// </summary>
    static MaskGenerator Masks(SimMimJson file)
    {
        var enc = file.Model.Encoder;
        try
        {
            var settings = new MaskSettings(file.MaskRatio, file.MaskPatchSize);
            settings.CheckFits(enc.ImgSize[1], enc.PatchSize);
            return new MaskGenerator(enc.ImgSize[0], enc.PatchSize, settings);
        }
        catch (ArgumentException e) { throw new InvalidDataException($"{file.Path}: {e.Message}", e); }
    }

    /// <summary>Masks of the official generator, image i from the (seed, validation-mask stream, i) generator.</summary>
    public static Tensor DrawMasks(MaskGenerator gen, int count, ulong seed)
    {
        var data = new long[count * gen.OutputLength];
        for (int i = 0; i < count; i++)
        {
            var rng = DataRng.For(seed, RandomStream.ValidationMask, i);
            gen.Generate(ref rng, data.AsSpan(i * gen.OutputLength, gen.OutputLength));
        }
        return torch.tensor(data, new long[] { count, gen.OutputSize, gen.OutputSize });
    }
}
