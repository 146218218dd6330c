namespace MimScale.Dense.Coco;

/// <summary>
/// A binary mask as COCO run-length encoding: the mask is read in column-major (Fortran) order, i.e. down each
/// column from x = 0 to x = width-1, and <see cref="Counts"/> alternates run lengths of 0s and 1s, starting with 0s
/// (a mask whose first pixel is set starts with a count of 0). Immutable; the same layout as pycocotools'
/// maskApi.c <c>RLE</c>, so counts, areas, boxes and compressed strings agree with pycocotools exactly.
/// </summary>
/// <example>
/// Writing a COCO annotation for a mask held as <c>bool[height, width]</c> (<c>mask[y, x]</c>):
/// <code>
/// var rle = Rle.Encode(mask);
/// var json = new { size = new[] { rle.Height, rle.Width }, counts = rle.ToCompressedString() };
/// double area = rle.Area; CocoBox box = rle.ToBox();
/// </code>
/// </example>
public sealed class Rle : IEquatable<Rle>
{
    private readonly uint[] counts;

    /// <summary>Wraps run lengths; their sum must be <paramref name="height"/> x <paramref name="width"/>.</summary>
    /// <exception cref="ArgumentException">negative size or counts that do not cover the mask exactly.</exception>
    public Rle(int height, int width, IEnumerable<uint> counts)
    {
        if (height < 0 || width < 0) throw new ArgumentException($"RLE size [{height}, {width}] is negative");
        this.counts = counts.ToArray();
        ulong sum = 0;
        foreach (uint c in this.counts) sum += c;
        if (sum != (ulong)height * (ulong)width)
            throw new ArgumentException($"RLE counts sum to {sum} but size [{height}, {width}] has {(ulong)height * (ulong)width} pixels");
        Height = height;
        Width = width;
    }

    /// <summary>Trusted constructor for arrays built here (already covering h*w; not copied).</summary>
    internal Rle(int height, int width, uint[] counts, bool trusted)
    {
        Height = height;
        Width = width;
        this.counts = counts;
    }

    /// <summary>Mask height (rows), the first entry of the COCO <c>size</c> [h, w].</summary>
    public int Height { get; }

    /// <summary>Mask width (columns), the second entry of the COCO <c>size</c> [h, w].</summary>
    public int Width { get; }

    /// <summary>Run lengths, alternating 0s and 1s, starting with 0s, in column-major order.</summary>
    public ReadOnlySpan<uint> Counts => counts;

    internal uint[] CountsArray => counts;

    /// <summary>Number of set pixels (maskApi.c rleArea: the sum of the odd-indexed counts).</summary>
    public long Area
    {
        get
        {
            uint a = 0; // uint as in maskApi.c; a mask cannot have more than 2^32 pixels here
            for (int j = 1; j < counts.Length; j += 2) a += counts[j];
            return a;
        }
    }

    /// <summary>Encodes <c>mask[y, x]</c> (height = first dimension). True pixels are foreground.</summary>
    public static Rle Encode(bool[,] mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        int h = mask.GetLength(0), w = mask.GetLength(1);
        var runs = new RunWriter(h * w);
        for (int x = 0; x < w; x++)
            for (int y = 0; y < h; y++)
                runs.Add(mask[y, x]);
        return new Rle(h, w, runs.Finish(), trusted: true);
    }

    /// <summary>
    /// Encodes a row-major mask (<c>mask[y * width + x]</c>, the layout of an image buffer); any non-zero byte is
    /// foreground. The column-major traversal that COCO requires is done here (maskApi.c rleEncode reads a Fortran
    /// array; pycocotools users must pass <c>np.asfortranarray</c>).
    /// </summary>
    public static Rle Encode(ReadOnlySpan<byte> mask, int height, int width)
    {
        if (height < 0 || width < 0) throw new ArgumentException($"mask size [{height}, {width}] is negative");
        if (mask.Length != height * width)
            throw new ArgumentException($"mask has {mask.Length} bytes, expected {height} x {width} = {height * width}");
        var runs = new RunWriter(height * width);
        for (int x = 0; x < width; x++)
            for (int y = 0; y < height; y++)
                runs.Add(mask[y * width + x] != 0);
        return new Rle(height, width, runs.Finish(), trusted: true);
    }

    /// <summary>Decodes to a row-major byte mask (<c>[y * Width + x]</c>, 1 = foreground).</summary>
    public byte[] Decode()
    {
        var m = new byte[Height * Width];
        long p = 0;
        byte v = 0;
        foreach (uint c in counts)
        {
            if (v == 1)
                for (long k = p; k < p + c; k++)
                    m[(int)(k % Height) * Width + (int)(k / Height)] = 1;
            p += c;
            v ^= 1;
        }
        return m;
    }

    /// <summary>Decodes to <c>bool[Height, Width]</c>, indexed <c>[y, x]</c>.</summary>
    public bool[,] ToMask()
    {
        var m = new bool[Height, Width];
        long p = 0;
        bool v = false;
        foreach (uint c in counts)
        {
            if (v)
                for (long k = p; k < p + c; k++)
                    m[(int)(k % Height), (int)(k / Height)] = true;
            p += c;
            v = !v;
        }
        return m;
    }

    /// <summary>The compressed COCO string of the counts (maskApi.c rleToString).</summary>
    public string ToCompressedString() => RleString.Encode(counts);

    /// <summary>Parses a compressed COCO string (maskApi.c rleFrString) for a mask of the given size.</summary>
    /// <exception cref="ArgumentException">characters outside the codec's alphabet, or counts that do not cover h x w.</exception>
    public static Rle FromCompressedString(string counts, int height, int width) =>
        new(height, width, RleString.Decode(counts));

    /// <summary>Tight box [x, y, w, h] of the set pixels (pycocotools 2.0.11 maskApi.c rleToBbox).</summary>
    public CocoBox ToBox() => RleGeometry.ToBox(this);

    /// <summary>Union (or intersection) of masks of one size (maskApi.c rleMerge).</summary>
    public static Rle Merge(IReadOnlyList<Rle> masks, bool intersect = false) => RleGeometry.Merge(masks, intersect);

    public bool Equals(Rle? other) =>
        other is not null && Height == other.Height && Width == other.Width && counts.AsSpan().SequenceEqual(other.counts);

    public override bool Equals(object? obj) => Equals(obj as Rle);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Height); h.Add(Width);
        foreach (uint c in counts) h.Add(c);
        return h.ToHashCode();
    }

    public override string ToString() => $"Rle[{Height}x{Width}] {ToCompressedString()}";

    /// <summary>Collects run lengths from a pixel stream (maskApi.c rleEncode: runs start with 0s).</summary>
    private struct RunWriter(int capacity)
    {
        private readonly List<uint> counts = new(Math.Min(capacity + 1, 64));
        private bool value;
        private uint run;

        public void Add(bool pixel)
        {
            if (pixel != value) { counts.Add(run); run = 0; value = pixel; }
            run++;
        }

        public uint[] Finish()
        {
            counts.Add(run);
            return counts.ToArray();
        }
    }
}
