using System.Text.Json;
using static MimScale.Dense.Coco.CocoJsonFields;

namespace MimScale.Dense.Coco;

/// <summary>An entry of <c>images</c>.</summary>
public sealed record CocoImage(long Id, int Width, int Height, string? FileName = null);

/// <summary>An entry of <c>categories</c>; ids are arbitrary integers (COCO's run 1..90 with gaps).</summary>
public sealed record CocoCategory(long Id, string Name, string? Supercategory = null);

/// <summary>
/// An entry of <c>annotations</c>. <see cref="Area"/> is the file's own <c>area</c> field: COCOeval uses it, not
/// the box or mask, to put an object in the small/medium/large ranges, for box AP too.
/// </summary>
public sealed record CocoAnnotation(long Id, long ImageId, long CategoryId, CocoBox Box, double Area, bool IsCrowd,
                                    CocoSegmentation? Segmentation = null)
{
    /// <summary>
    /// An instance given by its mask, as COCO writes one: segmentation = the RLE, area = its pixel count,
    /// box = its tight box (rleToBbox).
    /// </summary>
    public static CocoAnnotation FromMask(long id, long imageId, long categoryId, Rle mask, bool isCrowd = false) =>
        new(id, imageId, categoryId, mask.ToBox(), mask.Area, isCrowd, CocoSegmentation.FromRle(mask));
}

/// <summary>
/// A COCO instances file (<c>instances_*.json</c> as distributed): images, categories, annotations. Reading checks
/// what COCOeval relies on and names the entry that breaks it: unique ids, known image and category ids, a box and
/// an area on every annotation, well-formed polygons and RLEs whose size is the image's.
/// </summary>
public sealed class CocoDataset
{
    private readonly Dictionary<long, CocoImage> images;
    private readonly Dictionary<long, CocoCategory> categories;

    /// <summary>Builds a data set in code (e.g. synthetic scenes) with the same checks as reading one.</summary>
    public CocoDataset(IReadOnlyList<CocoImage> images, IReadOnlyList<CocoCategory> categories,
                       IReadOnlyList<CocoAnnotation> annotations, string source = "dataset")
    {
        Source = source;
        Images = images;
        Categories = categories;
        Annotations = annotations;
        this.images = new Dictionary<long, CocoImage>(images.Count);
        for (int i = 0; i < images.Count; i++)
            if (!this.images.TryAdd(images[i].Id, images[i])) throw Error(Entry(source, "images", i, images[i].Id), "duplicate image id");
        this.categories = new Dictionary<long, CocoCategory>(categories.Count);
        for (int i = 0; i < categories.Count; i++)
            if (!this.categories.TryAdd(categories[i].Id, categories[i])) throw Error(Entry(source, "categories", i, categories[i].Id), "duplicate category id");
        var ids = new HashSet<long>(annotations.Count);
        for (int i = 0; i < annotations.Count; i++)
        {
            var a = annotations[i];
            string where = Entry(source, "annotations", i, a.Id);
            if (!ids.Add(a.Id)) throw Error(where, "duplicate annotation id");
            if (!this.images.TryGetValue(a.ImageId, out var img)) throw Error(where, $"image_id {a.ImageId} is not in images");
            if (!this.categories.ContainsKey(a.CategoryId)) throw Error(where, $"category_id {a.CategoryId} is not in categories");
            if (a.Segmentation?.Mask is Rle m && (m.Height != img.Height || m.Width != img.Width))
                throw Error(where, $"bad RLE: size [{m.Height}, {m.Width}] differs from image {img.Id}'s [{img.Height}, {img.Width}]");
        }
    }

    /// <summary>Where the data came from (the file path when read), for error messages.</summary>
    public string Source { get; }

    public IReadOnlyList<CocoImage> Images { get; }
    public IReadOnlyList<CocoCategory> Categories { get; }
    public IReadOnlyList<CocoAnnotation> Annotations { get; }

    /// <summary>The image with this id, or null.</summary>
    public CocoImage? FindImage(long id) => images.GetValueOrDefault(id);

    /// <summary>True if a category has this id.</summary>
    public bool HasCategory(long id) => categories.ContainsKey(id);

    /// <summary>Reads an instances JSON file.</summary>
    /// <exception cref="InvalidDataException">malformed JSON or a bad entry (the message names the file and entry).</exception>
    public static CocoDataset Read(string path)
    {
        using var doc = CocoJsonFields.ParseFile(path);
        return FromJson(doc.RootElement, path);
    }

    /// <summary>Writes the data set as COCO instances JSON (masks as compressed RLE strings).</summary>
    public void Write(string path) => CocoJsonWriter.WriteDataset(this, path);

    /// <summary>Parses instances JSON text; <paramref name="source"/> names it in error messages.</summary>
    public static CocoDataset Parse(string json, string source)
    {
        using var doc = CocoJsonFields.Parse(json, source);
        return FromJson(doc.RootElement, source);
    }

    private static CocoDataset FromJson(JsonElement root, string source)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw Error(source, $"a COCO instances file is an object with images, categories and annotations, not {Kind(root)}");

        var images = new List<CocoImage>();
        int i = 0;
        foreach (var e in CocoJsonFields.Array(root, "images", source))
        {
            string where = Entry(source, "images", i++);
            long id = Id(e, "id", where);
            where = Entry(source, "images", i - 1, id);
            int w = PositiveInt(e, "width", where), h = PositiveInt(e, "height", where);
            if ((long)w * h > int.MaxValue) throw Error(where, $"{w} x {h} is too large");
            images.Add(new CocoImage(id, w, h, OptionalString(e, "file_name", where)));
        }

        var categories = new List<CocoCategory>();
        i = 0;
        foreach (var e in CocoJsonFields.Array(root, "categories", source))
        {
            long id = Id(e, "id", Entry(source, "categories", i));
            string where = Entry(source, "categories", i++, id);
            categories.Add(new CocoCategory(id, OptionalString(e, "name", where) ?? "", OptionalString(e, "supercategory", where)));
        }

        var annotations = new List<CocoAnnotation>();
        if (Has(root, "annotations"))
        {
            i = 0;
            foreach (var e in CocoJsonFields.Array(root, "annotations", source))
            {
                long id = Id(e, "id", Entry(source, "annotations", i));
                string where = Entry(source, "annotations", i++, id);
                var box = CocoJsonFields.Box(e, where) ?? throw Error(where, "has no 'bbox' [x, y, w, h]");
                annotations.Add(new CocoAnnotation(id, Id(e, "image_id", where), Id(e, "category_id", where), box,
                    Number(e, "area", where), Flag(e, "iscrowd", where), CocoJsonFields.Segmentation(e, where)));
            }
        }
        return new CocoDataset(images, categories, annotations, source);
    }
}
