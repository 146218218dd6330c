namespace MimScale.Dense.Segmentation;

/// <summary>The geometric transforms of mmseg's pipeline on a ground-truth label map (nearest-neighbour, never blended).</summary>
public static class LabelMapOps
{
    /// <summary>cv2.resize INTER_NEAREST (mmcv imresize 'nearest'): source index floor(d * src/dst), clamped.</summary>
    public static LabelMap ResizeNearest(this LabelMap map, int newWidth, int newHeight)
    {
        if (newWidth == map.Width && newHeight == map.Height) return new LabelMap(map.Width, map.Height, (ushort[])map.Values.Clone());
        var xs = Indices(map.Width, newWidth);
        var ys = Indices(map.Height, newHeight);
        var v = new ushort[newWidth * newHeight];
        for (int y = 0; y < newHeight; y++)
            for (int x = 0; x < newWidth; x++) v[y * newWidth + x] = map.Values[ys[y] * map.Width + xs[x]];
        return new LabelMap(newWidth, newHeight, v);
    }

    static int[] Indices(int src, int dst)
    {
        double scale = (double)src / dst;
        return Enumerable.Range(0, dst).Select(d => Math.Min((int)Math.Floor(d * scale), src - 1)).ToArray();
    }

    /// <summary>Rows [y1, y2) and columns [x1, x2).</summary>
    public static LabelMap Crop(this LabelMap map, int y1, int y2, int x1, int x2)
    {
        int w = x2 - x1, h = y2 - y1;
        var v = new ushort[w * h];
        for (int y = 0; y < h; y++) Array.Copy(map.Values, (y1 + y) * map.Width + x1, v, y * w, w);
        return new LabelMap(w, h, v);
    }

    /// <summary>Mirror left-right.</summary>
    public static LabelMap FlipHorizontal(this LabelMap map)
    {
        var v = new ushort[map.Values.Length];
        for (int y = 0; y < map.Height; y++)
            for (int x = 0; x < map.Width; x++) v[y * map.Width + x] = map.Values[y * map.Width + map.Width - 1 - x];
        return new LabelMap(map.Width, map.Height, v);
    }

    /// <summary>
    /// RandomCrop's cat_max_ratio test (mmseg transforms.py crop_bbox): the crop passes when it holds more than one
    /// non-ignored class and the largest of them covers less than <paramref name="catMaxRatio"/> of the non-ignored pixels.
    /// </summary>
    public static bool PassesCategoryRatio(this LabelMap crop, double catMaxRatio)
    {
        var counts = new Dictionary<int, int>();
        foreach (var v in crop.Values)
            if (v != LabelMap.Ignore) counts[v] = counts.GetValueOrDefault(v) + 1;
        if (counts.Count <= 1) return false;
        return (double)counts.Values.Max() / counts.Values.Sum() < catMaxRatio;
    }
}
