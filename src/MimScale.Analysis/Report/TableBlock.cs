using System.Net;
using System.Text;

namespace MimScale.Analysis.Report;

/// <summary>A titled table of pre-formatted cells, printable as plain text, Markdown or HTML.</summary>
/// <param name="Title">Section title.</param>
/// <param name="Note">Explanation shown under the title (rule, units), may be empty.</param>
/// <param name="Headers">Column headers.</param>
/// <param name="Rows">Cells, one array per row, as long as <paramref name="Headers"/>.</param>
public sealed record TableBlock(string Title, string Note, IReadOnlyList<string> Headers, IReadOnlyList<string[]> Rows)
{
    /// <summary>Cells to highlight as (row, column) indices into <see cref="Rows"/>: bold in Markdown, shaded in HTML,
    /// followed by '*' in plain text.</summary>
    public IReadOnlySet<(int Row, int Column)> Highlights { get; init; } = new HashSet<(int, int)>();

    // A column with a highlight pads its other numbers by one space, so the decimal points stay aligned.
    private string Text(int row, int column) => Rows[row][column] +
        (Highlights.Contains((row, column)) ? "*" : Highlights.Any(h => h.Column == column) && IsNumeric(Rows[row][column]) ? " " : "");

    /// <summary>Fixed-width text with padded columns (numbers right-aligned), readable when redirected to a file.</summary>
    public string ToText()
    {
        var widths = Headers.Select((h, i) => Enumerable.Range(0, Rows.Count).Select(r => Text(r, i).Length).Append(h.Length).Max()).ToArray();
        var sb = new StringBuilder();
        sb.AppendLine(Title).AppendLine(new string('=', Title.Length));
        if (Note.Length > 0) sb.AppendLine(Note);
        if (Rows.Count == 0) return sb.AppendLine("(no rows)").ToString();
        string Line(IReadOnlyList<string> cells) => string.Join("  ", cells.Select((c, i) =>
            IsNumeric(c) ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd();
        sb.AppendLine(Line(Headers));
        sb.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        for (int r = 0; r < Rows.Count; r++) sb.AppendLine(Line(Enumerable.Range(0, Headers.Count).Select(i => Text(r, i)).ToList()));
        return sb.ToString();
    }

    /// <summary>GitHub-flavoured Markdown table under a level-3 heading.</summary>
    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"### {Title}").AppendLine();
        if (Note.Length > 0) sb.AppendLine(Note).AppendLine();
        if (Rows.Count == 0) return sb.AppendLine("_(no rows)_").AppendLine().ToString();
        static string Cell(string c) => c.Replace("|", "\\|");
        sb.AppendLine("| " + string.Join(" | ", Headers.Select(Cell)) + " |");
        sb.AppendLine("|" + string.Concat(Headers.Select(_ => "---|")));
        for (int r = 0; r < Rows.Count; r++)
            sb.AppendLine("| " + string.Join(" | ", Rows[r].Select((c, i) => Highlights.Contains((r, i)) ? $"**{Cell(c)}**" : Cell(c))) + " |");
        return sb.AppendLine().ToString();
    }

    /// <summary>HTML table under an h3 heading.</summary>
    public string ToHtml()
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var sb = new StringBuilder();
        sb.AppendLine($"<h3>{E(Title)}</h3>");
        if (Note.Length > 0) sb.AppendLine($"<p class=\"note\">{E(Note)}</p>");
        if (Rows.Count == 0) return sb.AppendLine("<p><em>(no rows)</em></p>").ToString();
        sb.AppendLine("<table><thead><tr>" + string.Concat(Headers.Select(h => $"<th>{E(h)}</th>")) + "</tr></thead><tbody>");
        for (int r = 0; r < Rows.Count; r++)
        {
            int row = r;
            sb.AppendLine("<tr>" + string.Concat(Rows[r].Select((c, i) =>
            {
                var classes = string.Join(' ', new[] { IsNumeric(c) ? "num" : "", Highlights.Contains((row, i)) ? "hl" : "" }.Where(x => x.Length > 0));
                return classes.Length > 0 ? $"<td class=\"{classes}\">{E(c)}</td>" : $"<td>{E(c)}</td>";
            })) + "</tr>");
        }
        return sb.AppendLine("</tbody></table>").ToString();
    }

    // Trailing '*' and ' ' are the highlight marker and its alignment pad, not part of the value.
    private static bool IsNumeric(string raw)
    {
        var cell = raw.TrimEnd(' ', '*');
        return cell == "-" || cell == "n/a" || cell.Length > 0 && (char.IsDigit(cell[0]) || ((cell[0] == '-' || cell[0] == '+') && cell.Length > 1 && char.IsDigit(cell[1])));
    }
}
