using MimScale.Data.Sources;
using MimScale.Data.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Training.Inference;

/// <summary>
/// The images of a folder as one normalised batch, the way <c>predict</c> and <c>reconstruct</c> read them: every PNG/JPEG
/// in ordinal file-name order; an image already of the model's size is only converted (uint8/255, ImageNet mean/std),
/// any other is resized (bicubic, aspect kept) to the smallest size covering (H*256/224, W*256/224) and centre-cropped
/// to (H, W). For a square model that is the evaluation transform (shorter side to size*256/224, centre crop); for a
/// non-square one the official code has no evaluation transform (its config takes one int IMG_SIZE), so the same
/// 224/256 margin is kept on both axes.
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
        var data = new float[files.Count * 3 * height * width];
        for (int i = 0; i < files.Count; i++)
        {
            using var image = ImageDecoder.DecodeFile(files[i]);
            var chw = data.AsSpan(i * 3 * height * width, 3 * height * width);
            if (image.Width == width && image.Height == height) PixelOps.ToTensorNormalize(image, Normalization.ImageNet, chw);
            else
            {
                var (rw, rh, left, top) = ResizeThenCentreCrop(image.Width, image.Height, width, height);
                Resampler.ToNormalizedChw(image, AxisSpec.ResizeThenCrop(image.Width, rw, left, width),
                    AxisSpec.ResizeThenCrop(image.Height, rh, top, height), Interpolation.Bicubic, Normalization.ImageNet, flip: false, chw);
            }
        }
        return torch.tensor(data, new long[] { files.Count, 3, height, width });
    }

    /// <summary>
    /// Resized size (aspect kept) and crop origin for a (cropW, cropH) centre crop with the 256/224 margin. The binding
    /// axis is resized to exactly its target and the other one scales along (truncated, as torchvision Resize(int));
    /// at cropW = cropH this is <see cref="RandomResizedCrop.ResizeThenCentreCrop"/> with resize = size*256/224.
    /// </summary>
    public static (int ResizedW, int ResizedH, int Left, int Top) ResizeThenCentreCrop(int width, int height, int cropW, int cropH)
    {
        int targetW = cropW * 256 / 224, targetH = cropH * 256 / 224;
        int rw, rh;
        if ((long)targetW * height >= (long)targetH * width)   // width is the binding axis (the shorter one when square)
        {
            rw = targetW;
            rh = (int)((long)targetW * height / width);
        }
        else
        {
            rh = targetH;
            rw = (int)((long)targetH * width / height);
        }
        int left = (int)Math.Round((rw - cropW) / 2.0, MidpointRounding.ToEven);
        int top = (int)Math.Round((rh - cropH) / 2.0, MidpointRounding.ToEven);
        return (rw, rh, left, top);
    }
}
