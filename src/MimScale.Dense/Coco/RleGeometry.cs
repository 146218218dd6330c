namespace MimScale.Dense.Coco;

/// <summary>Box of a mask and union/intersection of masks, computed on the runs (pycocotools maskApi.c).</summary>
internal static class RleGeometry
{
    /// <summary>
    /// maskApi.c rleToBbox as in pycocotools 2.0.11 (the ppwwyyxx/cocoapi fork that PyPI ships; the older
    /// cocodataset/cocoapi version tracked the column differently): a foreground run that crosses a column
    /// boundary makes the box span the full height. Arithmetic in uint as in C, so an RLE with only empty
    /// foreground runs gives the same (wrapped) width as pycocotools.
    /// </summary>
    public static CocoBox ToBox(Rle r)
    {
        var cnts = r.Counts;
        uint h = (uint)r.Height, w = (uint)r.Width;
        int m = cnts.Length / 2 * 2;
        if (m == 0) return new CocoBox(0, 0, 0, 0);
        uint xs = w, ys = h, xe = 0, ye = 0, cc = 0;
        unchecked
        {
            for (int j = 0; j < m; j++)
            {
                uint start = cc;
                cc += cnts[j];
                if (j % 2 == 0 || cnts[j] == 0) continue; // background run, or empty foreground run
                uint yStart = start % h, xStart = (start - yStart) / h;
                uint yEnd = (cc - 1) % h, xEnd = (cc - 1 - yEnd) / h;
                xs = Math.Min(xs, xStart);
                xe = Math.Max(xe, xEnd);
                if (xStart < xEnd) { ys = 0; ye = h - 1; }
                else { ys = Math.Min(ys, yStart); ye = Math.Max(ye, yEnd); }
            }
            return new CocoBox(xs, ys, (uint)(xe - xs + 1), (uint)(ye - ys + 1));
        }
    }

    /// <summary>maskApi.c rleMerge: walks all runs at once; a new run starts wherever the combined value changes.</summary>
    public static Rle Merge(IReadOnlyList<Rle> masks, bool intersect)
    {
        ArgumentNullException.ThrowIfNull(masks);
        if (masks.Count == 0) return new Rle(0, 0, new uint[] { 0 }, trusted: true);
        int h = masks[0].Height, w = masks[0].Width;
        if (masks.Count == 1) return masks[0];
        uint[] acc = masks[0].CountsArray;
        int accLen = acc.Length;
        for (int i = 1; i < masks.Count; i++)
        {
            var b = masks[i];
            if (b.Height != h || b.Width != w)
                throw new ArgumentException($"cannot merge masks of sizes [{h}, {w}] and [{b.Height}, {b.Width}]");
            uint[] a = acc[..accLen];
            uint[] bc = b.CountsArray;
            // every step consumes a run of a or b, so the result has at most |a| + |b| + 1 runs (C sizes it h*w+1)
            var cnts = new uint[a.Length + bc.Length + 1];
            uint ca = a[0], cb = bc[0], cc = 0, ct = 1;
            bool v = false, va = false, vb = false;
            int ia = 1, ib = 1, m = 0;
            while (ct > 0)
            {
                uint c = Math.Min(ca, cb);
                cc += c;
                ct = 0;
                ca -= c; if (ca == 0 && ia < a.Length) { ca = a[ia++]; va = !va; }
                ct += ca;
                cb -= c; if (cb == 0 && ib < bc.Length) { cb = bc[ib++]; vb = !vb; }
                ct += cb;
                bool vp = v;
                v = intersect ? va && vb : va || vb;
                if (v != vp || ct == 0) { cnts[m++] = cc; cc = 0; }
            }
            acc = cnts;
            accLen = m;
        }
        return new Rle(h, w, acc[..accLen], trusted: true);
    }
}
