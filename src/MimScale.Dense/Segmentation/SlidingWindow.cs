using MimScale.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Dense.Segmentation;

/// <summary>One crop of a sliding-window pass: rows [Y1, Y2) and columns [X1, X2) of the image.</summary>
public readonly record struct CropWindow(int Y1, int Y2, int X1, int X2);

/// <summary>
/// Test-time inference as mmseg's <c>EncoderDecoder</c> runs it (mmseg/models/segmentors/encoder_decoder.py):
/// <c>whole_inference</c> (the model on the whole image) and <c>slide_inference</c> (crops on a grid; the logits of
/// each crop are added into their place, a count per pixel is kept, and the sum is divided by the count). A crop
/// larger than the image is cut to the image (mmseg decodes "the small patch without padding").
/// </summary>
public static class SlidingWindow
{
    /// <summary>
    /// The crops of slide_inference over an h x w image, row-major:
    /// <c>grids = max(size - crop + stride - 1, 0) // stride + 1</c>; crop i starts at i*stride, ends at
    /// min(start + crop, size), and is moved back to start at max(end - crop, 0), so the last crop is flush with the
    /// border and every crop has the crop size (or the image size when smaller).
    /// </summary>
    public static IReadOnlyList<CropWindow> Grid(int height, int width, int cropH, int cropW, int strideH, int strideW)
    {
        if (height <= 0 || width <= 0) throw new ArgumentException($"image size must be positive, got {height}x{width}");
        if (cropH <= 0 || cropW <= 0 || strideH <= 0 || strideW <= 0)
            throw new ArgumentException($"crop ({cropH}x{cropW}) and stride ({strideH}x{strideW}) must be positive");
        int hGrids = Math.Max(height - cropH + strideH - 1, 0) / strideH + 1;
        int wGrids = Math.Max(width - cropW + strideW - 1, 0) / strideW + 1;
        var list = new List<CropWindow>(hGrids * wGrids);
        for (int i = 0; i < hGrids; i++)
            for (int j = 0; j < wGrids; j++)
            {
                int y2 = Math.Min(i * strideH + cropH, height), x2 = Math.Min(j * strideW + cropW, width);
                list.Add(new CropWindow(Math.Max(y2 - cropH, 0), y2, Math.Max(x2 - cropW, 0), x2));
            }
        return list;
    }

    /// <summary>
    /// slide_inference: the mean over overlapping crops of <paramref name="encodeDecode"/>'s logits.
    /// </summary>
    /// <param name="encodeDecode">Crop (B, 3, h, w) -> logits (B, K, h, w) at the crop's size.</param>
    /// <param name="images">(B, 3, H, W).</param>
    /// <param name="numClasses">K, the logit channels.</param>
    /// <param name="cropH">Crop height.</param>
    /// <param name="cropW">Crop width.</param>
    /// <param name="strideH">Vertical step between crops.</param>
    /// <param name="strideW">Horizontal step between crops.</param>
    /// <returns>(B, K, H, W): per pixel, the sum of the logits of the crops covering it divided by their number.</returns>
    public static Tensor Slide(Func<Tensor, Tensor> encodeDecode, Tensor images, int numClasses, int cropH, int cropW, int strideH, int strideW)
    {
        using var scope = NewDisposeScope();
        long b = images.shape[0];
        int h = (int)images.shape[2], w = (int)images.shape[3];
        var preds = torch.zeros(new[] { b, numClasses, (long)h, w }, dtype: images.dtype);
        var count = torch.zeros(new[] { b, 1L, h, w }, dtype: images.dtype);
        foreach (var c in Grid(h, w, cropH, cropW, strideH, strideW))
        {
            using var inner = NewDisposeScope();
            var crop = images[.., .., c.Y1..c.Y2, c.X1..c.X2];
            var logits = encodeDecode(crop);                                                  // (B, K, y2-y1, x2-x1)
            if (logits.shape[1] != numClasses || logits.shape[2] != c.Y2 - c.Y1 || logits.shape[3] != c.X2 - c.X1)
                throw new InvalidOperationException($"the model gave logits [{string.Join(", ", logits.shape)}] for a {c.Y2 - c.Y1}x{c.X2 - c.X1} crop of {numClasses} classes");
            preds[.., .., c.Y1..c.Y2, c.X1..c.X2].PlusInPlace(logits);
            count[.., .., c.Y1..c.Y2, c.X1..c.X2].PlusInPlace(1.0);
        }
        return preds.div(count).MoveToOuterDisposeScope();
    }

    /// <summary>whole_inference: the logits of the whole image, (B, K, H, W).</summary>
    public static Tensor Whole(Func<Tensor, Tensor> encodeDecode, Tensor images) => encodeDecode(images);
}
