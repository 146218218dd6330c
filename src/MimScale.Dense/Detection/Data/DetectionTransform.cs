using MimScale.Data.Random;
using MimScale.Data.Transforms;
using MimScale.Dense.Detection.Model;
using MimScale.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MimScale.Dense.Detection.Data;

/// <summary>
/// The paper's detection augmentation, large-scale jitter (SPEC: "large-scale jitter [0.1, 2.0], random crop, flip 0.5"),
/// as mmdet's LSJ pipeline runs it (configs/common/lsj-100e_coco-instance.py, image_size S):
/// 1. RandomResize scale (S, S), ratio_range (0.1, 2.0), keep_ratio: r ~ U(0.1, 2.0), target side int(S·r), factor
///    = int(S·r) / max(h, w), new size int(w·f + 0.5) x int(h·f + 0.5); image bilinear, masks nearest;
/// 2. RandomCrop crop_type absolute_range, crop_size (S, S): crop = min(h, S) x min(w, S) at a uniform offset; masks
///    cropped, boxes recomputed from the masks (recompute_bbox) and instances with an empty mask dropped
///    (FilterAnnotations min_gt_bbox_wh 0.01);
/// 3. RandomFlip 0.5 (horizontal);
/// 4. Pad to S x S with 114 (Pad pad_val img 114), then normalise.
/// Deviations: an image left without instances is kept (allow_negative_crop) rather than replaced by another random
/// image (FilterAnnotations keep_empty would return None and mmengine would draw a new index), so the data order stays
/// a pure function of the seed; resizing works on float pixels without cv2's uint8 rounding.
/// Test (<see cref="Test"/>): Resize scale (S, S) keep_ratio (factor S / max(h, w)), normalise, pad with zeros to S
/// (mmdet's DetDataPreprocessor pads the normalised batch with 0).
/// </summary>
/// <param name="Size">S: the training crop and the padded input side.</param>
/// <param name="Norm">Per-channel mean and std (of pixel values / 255).</param>
/// <param name="MinRatio">Jitter range low end (0.1).</param>
/// <param name="MaxRatio">Jitter range high end (2.0).</param>
/// <param name="FlipProbability">Horizontal flip probability (0.5).</param>
public sealed record DetectionTransform(int Size, Normalization Norm, double MinRatio = 0.1, double MaxRatio = 2.0, double FlipProbability = 0.5)
{
    static readonly Scalar PadValue = 114;

    /// <summary>A training sample of <paramref name="image"/> with the draws of <paramref name="rng"/>.</summary>
    public DetectionSample Train(DetectionImage image, ref DataRng rng)
    {
        using var scope = NewDisposeScope();
        int h = image.Height, w = image.Width;
        var img = RgbTensor(image);                                                    // [3, h, w] 0..255
        var masks = MaskTensor(image);                                                 // [G, h, w] uint8
        // 1. random resize
        double ratio = rng.NextDouble() * (MaxRatio - MinRatio) + MinRatio;
        int target = (int)(Size * ratio);
        double f = (double)target / Math.Max(h, w);
        int nh = Math.Max(1, (int)(h * f + 0.5)), nw = Math.Max(1, (int)(w * f + 0.5));
        img = Resize(img, nh, nw, InterpolationMode.Bilinear);
        masks = Resize(masks, nh, nw, InterpolationMode.Nearest);
        // 2. random crop (absolute_range: the crop is min(side, S))
        int ch = Math.Min(nh, Size), cw = Math.Min(nw, Size);
        int oy = rng.NextInt(Math.Max(nh - ch, 0) + 1), ox = rng.NextInt(Math.Max(nw - cw, 0) + 1);
        img = img.narrow(1, oy, ch).narrow(2, ox, cw);
        masks = masks.narrow(1, oy, ch).narrow(2, ox, cw);
        // 3. flip
        if (rng.Bernoulli(FlipProbability)) { img = img.flip(2); masks = masks.flip(2); }
        var (boxes, keep) = BoxesOfMasks(masks.contiguous());
        var labels = tensor(keep.Select(k => (long)image.Labels[k]).ToArray(), ScalarType.Int64);
        masks = masks.index_select(0, tensor(keep.Select(k => (long)k).ToArray(), ScalarType.Int64));
        // 4. pad
        var padded = ones(3, Size, Size).mul(PadValue);
        padded.narrow(1, 0, ch).narrow(2, 0, cw).copy_(img);
        var paddedMasks = zeros(new long[] { masks.shape[0], Size, Size }, ScalarType.Byte);
        paddedMasks.narrow(1, 0, ch).narrow(2, 0, cw).copy_(masks);
        var truth = new GroundTruth(boxes.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope(), paddedMasks.MoveToOuterDisposeScope());
        return new DetectionSample(image.Info.Id, Normalize(padded).MoveToOuterDisposeScope(), (ch, cw), (f, f), (h, w), truth);
    }

    /// <summary>A test sample: resized to fit S x S keeping the aspect ratio, normalised, zero-padded.</summary>
    public DetectionSample Test(DetectionImage image)
    {
        using var scope = NewDisposeScope();
        int h = image.Height, w = image.Width;
        double f = (double)Size / Math.Max(h, w);
        int nh = (int)(h * f + 0.5), nw = (int)(w * f + 0.5);
        var img = RgbTensor(image);
        if (nh != h || nw != w) img = Resize(img, nh, nw, InterpolationMode.Bilinear);
        var padded = zeros(3, Size, Size);
        padded.narrow(1, 0, nh).narrow(2, 0, nw).copy_(Normalize(img));
        return new DetectionSample(image.Info.Id, padded.MoveToOuterDisposeScope(), (nh, nw), ((double)nw / w, (double)nh / h), (h, w), null);
    }

    Tensor Normalize(Tensor img)
    {
        var mean = tensor(new float[] { (float)(Norm.MeanR * 255), (float)(Norm.MeanG * 255), (float)(Norm.MeanB * 255) }).view(3, 1, 1);
        var std = tensor(new float[] { (float)(Norm.StdR * 255), (float)(Norm.StdG * 255), (float)(Norm.StdB * 255) }).view(3, 1, 1);
        return img.sub(mean).div(std);
    }

    static Tensor RgbTensor(DetectionImage image) =>
        tensor(image.Rgb, ScalarType.Byte).view(image.Height, image.Width, 3).permute(2, 0, 1).to_type(ScalarType.Float32);

    static Tensor MaskTensor(DetectionImage image)
    {
        var flat = new byte[image.Masks.Length * image.Height * image.Width];
        for (int k = 0; k < image.Masks.Length; k++) image.Masks[k].CopyTo(flat, k * image.Height * image.Width);
        return tensor(flat, ScalarType.Byte).view(image.Masks.Length, image.Height, image.Width);
    }

    // [C, h, w] of any dtype → [C, nh, nw] of the same dtype.
    static Tensor Resize(Tensor x, int nh, int nw, InterpolationMode mode)
    {
        if (x.shape[0] == 0) return zeros(new long[] { 0, nh, nw }, x.dtype);
        var f = x.to_type(ScalarType.Float32).unsqueeze(0);
        var r = mode == InterpolationMode.Nearest
            ? functional.interpolate(f, new long[] { nh, nw }, mode: mode)
            : functional.interpolate(f, new long[] { nh, nw }, mode: mode, align_corners: false);
        return r.squeeze(0).to_type(x.dtype);
    }

    /// <summary>
    /// Tight boxes of non-empty masks [G, h, w] (BitmapMasks.get_bboxes: x_min, y_min, x_max + 1, y_max + 1) and the
    /// indices of those masks.
    /// </summary>
    public static (Tensor Boxes, int[] Keep) BoxesOfMasks(Tensor masks)
    {
        int g = (int)masks.shape[0], h = (int)masks.shape[1], w = (int)masks.shape[2];
        var m = masks.data<byte>().ToArray();
        var boxes = new List<float>();
        var keep = new List<int>();
        for (int k = 0; k < g; k++)
        {
            int x0 = int.MaxValue, y0 = int.MaxValue, x1 = -1, y1 = -1;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    if (m[((long)k * h + y) * w + x] != 0) { x0 = Math.Min(x0, x); x1 = Math.Max(x1, x); y0 = Math.Min(y0, y); y1 = Math.Max(y1, y); }
            if (x1 < 0) continue;
            keep.Add(k);
            boxes.AddRange(new float[] { x0, y0, x1 + 1, y1 + 1 });
        }
        return (tensor(boxes.ToArray()).view(-1, 4), keep.ToArray());
    }
}
