using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Dense.Segmentation;

/// <summary>
/// Test-time prediction of one image, as mmseg 0.x's EncoderDecoder.inference with rescale: the test Resize (keep
/// ratio), normalisation, whole or slide inference, the logits resized bilinearly (align_corners=False) to the
/// original image size, argmax. (mmseg 1.x applies softmax before that resize; argmax of the resized logits is the
/// 0.x order and what the brief pins.)
/// </summary>
public static class SegmentationPredictor
{
    /// <summary>The label map of <paramref name="image"/> at its own size (class ids 0..K-1).</summary>
    public static LabelMap Predict(UPerNet model, RgbImage image, InferenceSettings settings, PixelNorm norm)
    {
        using var noGrad = torch.no_grad();
        using var scope = NewDisposeScope();
        var logits = Logits(model.EncodeDecode, image, settings, norm, model.Options.NumClasses);   // (1, K, H, W)
        var pred = logits.argmax(1).squeeze(0).to_type(ScalarType.Int32).data<int>().ToArray();      // (H * W)
        return new LabelMap(image.Width, image.Height, pred.Select(v => (ushort)v).ToArray());
    }

    /// <summary>Logits (1, K, H, W) at the original size for any encode_decode function (testable on a toy model).</summary>
    public static Tensor Logits(Func<Tensor, Tensor> encodeDecode, RgbImage image, InferenceSettings s, PixelNorm norm, int numClasses)
    {
        using var scope = NewDisposeScope();
        var (w, h) = ScaleRule.Rescale(image.Width, image.Height, s.Scale);
        var x = SegmentationTensors.Image(image.ResizeBilinear(w, h), norm);                           // (1, 3, h, w)
        var logits = s.Slide ? SlidingWindow.Slide(encodeDecode, x, numClasses, s.Crop, s.Crop, s.Stride, s.Stride)
                             : SlidingWindow.Whole(encodeDecode, x);
        return UPerHead.ResizeTo(logits, image.Height, image.Width).MoveToOuterDisposeScope();
    }

    /// <summary>mIoU / aAcc / mAcc of the model on the first <paramref name="limit"/> samples of a split (0 = all).</summary>
    public static SegmentationMetrics Evaluate(UPerNet model, Ade20kLayout split, InferenceSettings settings, PixelNorm norm, int limit = 0)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            var acc = new IoUAccumulator(split.NumClasses);
            int n = limit > 0 ? Math.Min(limit, split.Samples.Count) : split.Samples.Count;
            for (int i = 0; i < n; i++)
                acc.Add(Predict(model, RgbImage.Load(split.Samples[i].ImagePath), settings, norm), split.LoadLabel(i));
            return acc.Compute();
        }
        finally { if (wasTraining) model.train(); }
    }
}
