using System.Text;

namespace MimScale.Dense.Coco;

/// <summary>
/// COCO's compressed RLE string (pycocotools maskApi.c rleToString / rleFrString): each count, from the fourth on
/// as its difference to the count two places before (runs of the same value), is written like LEB128 but in 5-bit
/// groups, least significant first, one character per group: bits 0-4 data, bit 5 "more follows", plus 48, so the
/// alphabet is ASCII 48..111 ('0'..'o'). The last group of a value carries its sign in bit 4.
/// </summary>
public static class RleString
{
    /// <summary>Encodes run lengths (maskApi.c rleToString).</summary>
    public static string Encode(ReadOnlySpan<uint> counts)
    {
        var s = new StringBuilder(counts.Length * 2);
        for (int i = 0; i < counts.Length; i++)
        {
            long x = counts[i];
            if (i > 2) x -= counts[i - 2]; // delta to the previous run of the same value (C: i>2, not i>=2)
            bool more = true;
            while (more)
            {
                int c = (int)(x & 0x1f);
                x >>= 5; // arithmetic shift: a negative delta ends at -1
                more = (c & 0x10) != 0 ? x != -1 : x != 0;
                if (more) c |= 0x20;
                s.Append((char)(c + 48));
            }
        }
        return s.ToString();
    }

    /// <summary>Decodes run lengths (maskApi.c rleFrString).</summary>
    /// <exception cref="ArgumentException">a character outside '0'..'o', or a string that ends inside a value.</exception>
    public static uint[] Decode(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var counts = new List<uint>(s.Length);
        int p = 0;
        while (p < s.Length)
        {
            long x = 0;
            int k = 0;
            bool more = true;
            while (more)
            {
                if (p >= s.Length)
                    throw new ArgumentException($"compressed RLE string ends inside a value (at character {p})");
                int c = s[p] - 48;
                if (c < 0 || c > 63)
                    throw new ArgumentException($"compressed RLE string has '{s[p]}' at character {p}, outside '0'..'o'");
                if (k > 6) throw new ArgumentException($"compressed RLE string has a value longer than 7 characters at character {p}");
                // maskApi.c shifts an int; for the at most 32-bit values real masks have, long gives the same bits.
                x |= (long)(c & 0x1f) << (5 * k);
                more = (c & 0x20) != 0;
                p++;
                k++;
                if (!more && (c & 0x10) != 0) x |= -1L << (5 * k);
            }
            if (counts.Count > 2) x += counts[^2];
            counts.Add(unchecked((uint)x));
        }
        return counts.ToArray();
    }
}
