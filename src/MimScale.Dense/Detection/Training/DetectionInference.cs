using System.Diagnostics;
using MimScale.Dense.Coco;
using MimScale.Dense.Detection.Data;
using MimScale.Dense.Detection.Model;
using MimScale.Dense.Detection.Roi;
using static TorchSharp.torch;

namespace MimScale.Dense.Detection.Training;

/// <summary>What <see cref="DetectionInference.Run"/> produced: COCO results and the time the network took.</summary>
public sealed record InferenceOutput(IReadOnlyList<CocoDetection> Detections, int Images, double Seconds)
{
    /// <summary>Images per second of the whole path (transform, network, NMS, mask pasting, RLE).</summary>
    public double ImagesPerSecond => Images / Math.Max(Seconds, 1e-9);
}

/// <summary>
/// Mask R-CNN on a data set, as mmdet's test loop: each image resized to fit S x S (<see cref="DetectionTransform.Test"/>),
/// detections rescaled to the original image (boxes / scale_factor), masks pasted at the original size and thresholded
/// (<see cref="MaskPaster"/>), written as COCO results: bbox [x, y, w, h], compressed-RLE segmentation, score,
/// category_id of the class.
/// </summary>
public static class DetectionInference
{
    /// <summary>Detections of every image of <paramref name="data"/> (model in eval mode for the call).</summary>
    public static InferenceOutput Run(MaskRcnn model, DetectionDataset data, DetectionTransform transform, int batchSize = 8)
    {
        bool wasTraining = model.training;
        model.eval();
        var clock = Stopwatch.StartNew();
        var results = new List<CocoDetection>();
        try
        {
            for (int start = 0; start < data.Images.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var images = data.Images.Skip(start).Take(batchSize).ToList();
                using var batch = new DetectionBatch(images.Select(transform.Test).ToList());
                var outputs = model.Predict(batch.Images, batch.ImageHws);
                for (int i = 0; i < images.Count; i++)
                    results.AddRange(ToCoco(outputs[i].Detections, outputs[i].MaskProbs, batch.Samples[i], data.CategoryIds, model.Options.MaskThreshold));
            }
        }
        finally { if (wasTraining) model.train(); }
        return new InferenceOutput(results, data.Images.Count, clock.Elapsed.TotalSeconds);
    }

    /// <summary>One image's detections as COCO results, in the original image's coordinates.</summary>
    public static IEnumerable<CocoDetection> ToCoco(Detections det, Tensor maskProbs, DetectionSample sample, IReadOnlyList<long> categoryIds, double maskThreshold)
    {
        using var scope = NewDisposeScope();
        long d = det.Boxes.shape[0];
        if (d == 0) return Array.Empty<CocoDetection>();
        var scale = tensor(new float[] { (float)sample.ScaleFactor.W, (float)sample.ScaleFactor.H, (float)sample.ScaleFactor.W, (float)sample.ScaleFactor.H }).view(1, 4);
        var boxes = det.Boxes.div(scale);                                                   // original coordinates
        var (h, w) = sample.OriginalHw;
        var masks = MaskPaster.Paste(maskProbs, boxes, h, w, maskThreshold).to_type(ScalarType.Byte).contiguous(); // [D, h, w]
        var b = boxes.data<float>().ToArray();
        var s = det.Scores.data<float>().ToArray();
        var l = det.Labels.data<long>().ToArray();
        var m = masks.data<byte>().ToArray();
        var list = new List<CocoDetection>();
        for (int k = 0; k < d; k++)
        {
            var rle = Rle.Encode(m.AsSpan(k * h * w, h * w), h, w);
            var box = new CocoBox(b[4 * k], b[4 * k + 1], b[4 * k + 2] - b[4 * k], b[4 * k + 3] - b[4 * k + 1]);
            list.Add(new CocoDetection(sample.ImageId, categoryIds[(int)l[k]], s[k], box, CocoSegmentation.FromRle(rle)));
        }
        return list;
    }
}
