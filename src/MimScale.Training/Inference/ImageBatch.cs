using MimScale.Data.Sources;
using MimScale.Data.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Training.Inference;

/// <summary>
/// The images of a folder as one normalised batch, the way <c>predict</c> and <c>reconstruct</c> read them: every PNG/JPEG
/// in ordinal file-name order; an image already of the model's size is only converted (uint8/255, ImageNet mean/std),
/// any other is resized (shorter side to size*256/224, bicubic) and centre-cropped.
/// </summary>
public static class ImageBatch
{
    static readonly string[] Extensions = { ".png", ".jpg", ".jpeg" };

    public static IReadOnlyList<string> List(string dir)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{dir}: no such folder");
        var files = Directory.EnumerateFiles(dir)
            .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new InvalidDataException($"{dir}: no PNG or JPEG images");
        return files;
    }

    /// <returns>(N, 3, H, W) float32, normalised.</returns>
    public static Tensor Load(IReadOnlyList<string> files, int height, int width)
    {
        if (height != width) throw new NotSupportedException($"only square model inputs are supported here, got {height}x{width}");
        var data = new float[files.Count * 3 * height * width];
        var eval = new ValidationTransform(new CentreCropConfig
        {
            ImageSize = height, ResizeSize = height * 256 / 224, Interpolation = Interpolation.Bicubic,
        });
        for (int i = 0; i < files.Count; i++)
        {
            using var image = ImageDecoder.DecodeFile(files[i]);
            var chw = data.AsSpan(i * 3 * height * width, 3 * height * width);
            if (image.Width == width && image.Height == height) PixelOps.ToTensorNormalize(image, Normalization.ImageNet, chw);
            else eval.Apply(image, new SampleContext(0, 0, i, i), chw, Span<long>.Empty);
        }
        return torch.tensor(data, new long[] { files.Count, 3, height, width });
    }
}
