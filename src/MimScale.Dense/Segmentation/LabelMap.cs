namespace MimScale.Dense.Segmentation;

/// <summary>
/// A semantic label map: one class id per pixel, row-major (<c>Values[y * Width + x]</c>). Values are the raw
/// stored numbers (a palette PNG gives its palette indices, not colours); 255 is the ignore value of mmseg.
/// </summary>
public sealed class LabelMap
{
    /// <summary>The value mmseg ignores in losses and metrics (<c>ignore_index=255</c>).</summary>
    public const int Ignore = 255;

    /// <summary>Width in pixels.</summary>
    public int Width { get; }
    /// <summary>Height in pixels.</summary>
    public int Height { get; }
    /// <summary>Height*Width class ids, row-major.</summary>
    public ushort[] Values { get; }

    /// <summary>Wraps <paramref name="values"/> (not copied); its length must be width*height.</summary>
    public LabelMap(int width, int height, ushort[] values)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"a label map needs positive sizes, got {width}x{height}");
        if (values.Length != (long)width * height)
            throw new ArgumentException($"{values.Length} values for a {width}x{height} label map");
        Width = width;
        Height = height;
        Values = values;
    }

    /// <summary>A map of <paramref name="width"/> x <paramref name="height"/> zeros.</summary>
    public static LabelMap Zeros(int width, int height) => new(width, height, new ushort[checked(width * height)]);

    /// <summary>The value at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    public ushort this[int x, int y] => Values[y * Width + x];

    /// <summary>
    /// ADE20K's <c>reduce_zero_label</c> as mmseg's <c>LoadAnnotations</c> applies it to the ground truth:
    /// <c>gt[gt == 0] = 255; gt = gt - 1; gt[gt == 254] = 255</c>. Class 0 ("other objects") becomes ignored,
    /// 1..150 become 0..149, and 255 stays ignored. Returns a new map.
    /// </summary>
    public LabelMap ReduceZeroLabel()
    {
        var v = new ushort[Values.Length];
        for (int i = 0; i < v.Length; i++)
        {
            int x = Values[i];
            v[i] = (ushort)(x == 0 || x == Ignore ? Ignore : x - 1);
        }
        return new LabelMap(Width, Height, v);
    }

    /// <summary>
    /// The first value that is neither a class id below <paramref name="numClasses"/> nor (when
    /// <paramref name="allowIgnore"/>) 255, as (value, x, y); null when every value is valid.
    /// </summary>
    public (int Value, int X, int Y)? FirstInvalid(int numClasses, bool allowIgnore)
    {
        for (int i = 0; i < Values.Length; i++)
        {
            int v = Values[i];
            if (v < numClasses || (allowIgnore && v == Ignore)) continue;
            return (v, i % Width, i / Width);
        }
        return null;
    }
}
