using MimScale.Dense.Segmentation;

namespace MimScale.Dense.Scenes;

/// <summary>One item pasted into a scene, in paste order (later items occlude earlier ones).</summary>
/// <param name="ItemIndex">Index into the item source.</param>
/// <param name="Class">Item class, 0-based (semantic id and COCO category id are Class + 1).</param>
/// <param name="X">Left column of the resized item.</param>
/// <param name="Y">Top row of the resized item.</param>
/// <param name="Side">Side of the resized item in pixels.</param>
/// <param name="Tint">Item colour (R, G, B) in [0, 1], multiplied by the item's intensity.</param>
public sealed record ScenePlacement(int ItemIndex, int Class, int X, int Y, int Side, (double R, double G, double B) Tint);

/// <summary>
/// A composed scene: the RGB canvas, the placements, the instance map (0 background, k = the k-th placement, 1-based,
/// after occlusion) and the semantic map (0 background, Class + 1 for items).
/// </summary>
public sealed class Scene
{
    /// <summary>Canvas side.</summary>
    public int Size { get; }
    /// <summary>Size*Size*3 bytes, RGB, row-major.</summary>
    public byte[] Rgb { get; }
    /// <summary>Items in paste order.</summary>
    public IReadOnlyList<ScenePlacement> Placements { get; }
    /// <summary>Size*Size: which placement (1-based) is visible at each pixel, 0 for background.</summary>
    public ushort[] InstanceMap { get; }

    internal Scene(int size, byte[] rgb, IReadOnlyList<ScenePlacement> placements, ushort[] instanceMap)
    {
        Size = size;
        Rgb = rgb;
        Placements = placements;
        InstanceMap = instanceMap;
    }

    /// <summary>The semantic map: 0 = background, c + 1 = an item of class c.</summary>
    public LabelMap Semantic()
    {
        var v = new ushort[InstanceMap.Length];
        for (int i = 0; i < v.Length; i++)
            v[i] = InstanceMap[i] == 0 ? (ushort)0 : (ushort)(Placements[InstanceMap[i] - 1].Class + 1);
        return new LabelMap(Size, Size, v);
    }

    /// <summary>Visible pixel count of each placement (0 when fully occluded), in paste order.</summary>
    public int[] VisibleAreas()
    {
        var areas = new int[Placements.Count];
        foreach (ushort k in InstanceMap)
            if (k != 0) areas[k - 1]++;
        return areas;
    }

    /// <summary>RGBA copy of the canvas (alpha 255), for encoders that take four channels.</summary>
    public byte[] ToRgba()
    {
        var rgba = new byte[Size * Size * 4];
        for (int i = 0, j = 0; i < Rgb.Length; i += 3, j += 4)
        {
            rgba[j] = Rgb[i];
            rgba[j + 1] = Rgb[i + 1];
            rgba[j + 2] = Rgb[i + 2];
            rgba[j + 3] = 255;
        }
        return rgba;
    }
}
