using System.Net;
using System.Text;

namespace MimScale.Analysis;

/// <summary>A titled table of pre-formatted cells, printable as plain text, Markdown or HTML.</summary>
/// <param name="Title">Section title.</param>
/// <param name="Note">Explanation shown under the title (rule, units), may be empty.</param>
/// <param name="Headers">Column headers.</param>
/// <param name="Rows">Cells, one array per row, as long as <paramref name="Headers"/>.</param>
public sealed record TableBlock(string Title, string Note, IReadOnlyList<string> Headers, IReadOnlyList<string[]> Rows)
{
    /// <summary>Fixed-width text with padded columns (numbers right-aligned), readable when redirected to a file.</summary>
    public string ToText()
    {
        var widths = Headers.Select((h, i) => Rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var sb = new StringBuilder();
        sb.AppendLine(Title).AppendLine(new string('=', Title.Length));
        if (Note.Length > 0) sb.AppendLine(Note);
        if (Rows.Count == 0) return sb.AppendLine("(no rows)").ToString();
        string Line(IReadOnlyList<string> cells) => string.Join("  ", cells.Select((c, i) =>
            IsNumeric(c) ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd();
        sb.AppendLine(Line(Headers));
        sb.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in Rows) sb.AppendLine(Line(row));
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
        foreach (var row in Rows) sb.AppendLine("| " + string.Join(" | ", row.Select(Cell)) + " |");
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
        foreach (var row in Rows)
            sb.AppendLine("<tr>" + string.Concat(row.Select(c => IsNumeric(c) ? $"<td class=\"num\">{E(c)}</td>" : $"<td>{E(c)}</td>")) + "</tr>");
        return sb.AppendLine("</tbody></table>").ToString();
    }

    private static bool IsNumeric(string cell) =>
        cell == "-" || cell == "n/a" || cell.Length > 0 && (char.IsDigit(cell[0]) || ((cell[0] == '-' || cell[0] == '+') && cell.Length > 1 && char.IsDigit(cell[1])));
}
