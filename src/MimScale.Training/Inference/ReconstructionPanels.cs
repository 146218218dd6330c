using System.Globalization;
using System.Text;
using MimScale.Data.Loading;
using MimScale.Data.Sources;
using MimScale.Data.Transforms;
using MimScale.Files;
using MimScale.Models.Runtime;
using MimScale.Models.SimMim;
using MimScale.Training.Pretraining;
using MimScale.Training.Runs;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Training.Inference;

/// <summary>
/// Panels of original | masked input | reconstruction for a fixed set of training and validation images (the
/// material of the paper's Figure 5: does a model "remember" training images or "reason" about unseen ones?).
/// The images and masks are fixed for the whole run, so panels at different steps and of different runs compare.
/// </summary>
public sealed class ReconstructionPanels
{
    private readonly SimMimModel model;
    private readonly Normalization norm;
    private readonly List<(string Name, Tensor Images, Tensor Masks)> sets = new();

    public ReconstructionPanels(SimMimModel model, PretrainData data, int count)
    {
        this.model = model;
        norm = data.Transform.Config.Normalization;
        if (count <= 0) return;
        // Train images through the deterministic validation geometry, masks from a seed of their own.
        var fixedTrain = new ValidationTransform(data.ValTransform?.Config ?? new CentreCropConfig { ImageSize = data.Transform.ImageSize, ResizeSize = data.Transform.ImageSize, Normalization = norm },
            data.Transform.Masks, maskSeed: 1);
        Add("train", data.Train, fixedTrain, count);
        if (data.Val is not null) Add("val", data.Val, data.ValTransform!, count);
    }

    void Add(string name, IImageSource source, ISampleTransform transform, int count)
    {
        var first = new SubsetSource(source, Enumerable.Range(0, Math.Min(count, source.Count)).ToArray(), $"first {count} of {source.Description}");
        using var loader = new SimMimLoader(first, transform, LoaderOptions.Evaluation(count, 1));
        using var batch = loader.Next() ?? throw new InvalidOperationException($"no images for the {name} reconstruction panels");
        sets.Add((name, batch.Images.clone().DetachFromDisposeScope(), batch.Masks.clone().DetachFromDisposeScope()));
    }

    /// <summary>Writes NAME_i.png and losses.csv into <paramref name="dir"/>.</summary>
    public void Write(string dir)
    {
        if (sets.Count == 0) return;
        Directory.CreateDirectory(dir);
        bool wasTraining = model.training;
        model.eval();
        var csv = new StringBuilder("set,index,loss\n");
        try
        {
            using var _ = torch.no_grad();
            foreach (var (name, images, masks) in sets)
            {
                using var scope = NewDisposeScope();
                var device = DevicePlacement.DeviceOf(model);   // panels are drawn on the host
                var (onImages, onMasks) = (images.On(device), masks.On(device));
                var rec = model.ForwardDecoder(model.ForwardEncoder(onImages, onMasks));
                var perImage = model.ForwardLossPerImage(onImages, rec, onMasks).Item2.cpu();
                var xRec = rec.cpu();
                var display = ToPixelSpace(model.Options, images, xRec);
                var masked = MaskedInput(images, masks, model.Options.Encoder.PatchSize);
                var losses = perImage.to_type(ScalarType.Float64).data<double>().ToArray();
                for (int i = 0; i < images.shape[0]; i++)
                {
                    WritePanel(Path.Combine(dir, $"{name}_{i}.png"), new[] { images[i], masked[i], display[i] }, norm);
                    csv.Append(CultureInfo.InvariantCulture, $"{name},{i},{losses[i]:R}\n");
                }
            }
        }
        finally { model.train(wasTraining); }
        AtomicFile.WriteAllText(Path.Combine(dir, "losses.csv"), csv.ToString());
    }

    /// <summary>The input with masked patches shown as flat grey (pixel value 0.5).</summary>
    public static Tensor MaskedInput(Tensor x, Tensor mask, int patch)
    {
        var maskPx = mask.repeat_interleave(patch, 1).repeat_interleave(patch, 2).unsqueeze(1).to_type(ScalarType.Float32);
        return x * maskPx.SubtractedFrom(1);   // 0 in normalised space = the channel mean, a neutral grey
    }

    /// <summary>A normalised-target prediction mapped back with the original's local mean/std (as SimMIM visualisations do).</summary>
    public static Tensor ToPixelSpace(SimMimOptions o, Tensor x, Tensor xRec)
    {
        if (o.NormTargetWindow <= 0) return xRec;
        var (mean, std) = NormTargets.LocalStats(x, o.NormTargetWindow);
        return (xRec.to_type(ScalarType.Float64) * std).Plus(mean).to_type(ScalarType.Float32);
    }

    /// <summary>Side-by-side PNG of (3, H, W) normalised images, de-normalised with <paramref name="norm"/>; written atomically.</summary>
    public static void WritePanel(string path, Tensor[] images, Normalization norm)
    {
        float[] mean = { (float)norm.MeanR, (float)norm.MeanG, (float)norm.MeanB }, std = { (float)norm.StdR, (float)norm.StdG, (float)norm.StdB };
        int h = (int)images[0].shape[1], w = (int)images[0].shape[2], gap = 2;
        using var bitmap = new SKBitmap(images.Length * w + (images.Length - 1) * gap, h, SKColorType.Rgba8888, SKAlphaType.Opaque);
        bitmap.Erase(SKColors.White);
        for (int k = 0; k < images.Length; k++)
        {
            var chw = images[k].data<float>().ToArray();
            for (int y = 0; y < h; y++)
                for (int xx = 0; xx < w; xx++)
                {
                    byte C(int c) => (byte)Math.Clamp(MathF.Round((chw[(c * h + y) * w + xx] * std[c] + mean[c]) * 255f), 0, 255);
                    bitmap.SetPixel(k * (w + gap) + xx, y, new SKColor(C(0), C(1), C(2)));
                }
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, data.SaveTo);
    }
}
