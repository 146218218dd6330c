using MimScale.Data.Sources;
using MimScale.Dense.Coco;

namespace MimScale.Dense.Detection.Data;

/// <summary>
/// A COCO instances file and its image folder, decoded into memory (the scenes are small; COCO itself would need a
/// streaming loader). Classes are the file's categories in file order (mmdet's cat2label for a custom data set);
/// crowd annotations are left out of the training targets, as mmdet keeps iscrowd instances only as ignore flags the
/// Mask R-CNN assigners do not use. Polygons, uncompressed and compressed RLE masks are all decoded through
/// <see cref="CocoSegmentation.ToRle"/>.
/// </summary>
public sealed class DetectionDataset
{
    private DetectionDataset(CocoDataset coco, IReadOnlyList<DetectionImage> images, string description)
    {
        Coco = coco;
        Images = images;
        Description = description;
    }

    /// <summary>The annotations as read (the ground truth of evaluation).</summary>
    public CocoDataset Coco { get; }

    /// <summary>The images with their non-crowd instances, in the file's image order.</summary>
    public IReadOnlyList<DetectionImage> Images { get; }

    /// <summary>Class names, index = class index.</summary>
    public IReadOnlyList<string> ClassNames => Coco.Categories.Select(c => c.Name).ToList();

    /// <summary>COCO category id of each class index.</summary>
    public IReadOnlyList<long> CategoryIds => Coco.Categories.Select(c => c.Id).ToList();

    /// <summary>Where the data came from, for logs.</summary>
    public string Description { get; }

    /// <summary>
    /// Reads <paramref name="annotationsPath"/> and decodes every image from <paramref name="imageDir"/> (by its
    /// file_name). An image that is missing or whose size differs from its entry is an error naming both.
    /// </summary>
    public static DetectionDataset Load(string annotationsPath, string imageDir)
    {
        var coco = CocoDataset.Read(annotationsPath);
        var classOf = coco.Categories.Select((c, i) => (c.Id, i)).ToDictionary(p => p.Id, p => p.i);
        var byImage = coco.Annotations.Where(a => !a.IsCrowd).GroupBy(a => a.ImageId).ToDictionary(g => g.Key, g => g.ToList());
        var images = new DetectionImage[coco.Images.Count];
        Parallel.For(0, images.Length, i =>
        {
            var info = coco.Images[i];
            string file = info.FileName ?? throw new InvalidDataException($"{annotationsPath}: image {info.Id} has no file_name");
            string path = Path.Combine(imageDir, file);
            if (!File.Exists(path)) throw new FileNotFoundException($"{annotationsPath}: image {info.Id} '{file}' not found in {imageDir}", path);
            using var decoded = ImageDecoder.DecodeFile(path);
            if (decoded.Width != info.Width || decoded.Height != info.Height)
                throw new InvalidDataException($"{path}: {decoded.Width}x{decoded.Height}, but {annotationsPath} says image {info.Id} is {info.Width}x{info.Height}");
            var anns = byImage.GetValueOrDefault(info.Id) ?? new();
            var masks = new byte[anns.Count][];
            for (int k = 0; k < anns.Count; k++)
            {
                var seg = anns[k].Segmentation ?? throw new InvalidDataException($"{annotationsPath}: annotation {anns[k].Id} has no segmentation (Mask R-CNN needs masks)");
                masks[k] = seg.ToRle(info.Height, info.Width).Decode();
            }
            images[i] = new DetectionImage(info, ToRgb(decoded), anns.Select(a => classOf[a.CategoryId]).ToArray(), masks);
        });
        return new DetectionDataset(coco, images, $"{annotationsPath} ({images.Length} images, {coco.Categories.Count} classes)");
    }

    /// <summary>The first <paramref name="count"/> images (all when fewer), with the same annotations and classes: a smaller inference pass.</summary>
    public DetectionDataset Take(int count) =>
        count >= Images.Count ? this : new DetectionDataset(Coco, Images.Take(Math.Max(count, 0)).ToList(), $"{Description}, first {count}");

    static byte[] ToRgb(DecodedImage d)
    {
        var px = d.Pixels;
        var rgb = new byte[d.Width * d.Height * 3];
        for (int p = 0; p < d.Width * d.Height; p++)
        {
            if (d.Channels == 1) { rgb[3 * p] = rgb[3 * p + 1] = rgb[3 * p + 2] = px[p]; continue; }
            rgb[3 * p] = px[4 * p]; rgb[3 * p + 1] = px[4 * p + 1]; rgb[3 * p + 2] = px[4 * p + 2];
        }
        return rgb;
    }
}
