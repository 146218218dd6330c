using System.Text;

namespace MimScale.Analysis.Io;

/// <summary>
/// Splits one CSV line into fields (RFC 4180 quoting: fields in double quotes may contain commas, and "" is a quote).
/// Multi-line quoted fields are not supported: result tables are one run per line.
/// </summary>
internal static class CsvFields
{
    /// <summary>The fields of <paramref name="line"/>, or null when a quote is left open (the caller reports it).</summary>
    public static List<string>? Split(string line)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c != '"') current.Append(c);
                else if (i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(c);
        }
        if (quoted) return null;
        fields.Add(current.ToString());
        return fields;
    }
}
