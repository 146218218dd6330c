using System.Net;
using System.Text;
using MimScale.Analysis.Findings;
using MimScale.Analysis.Plots;

namespace MimScale.Analysis.Report;

/// <summary>report.html: the same content as report.md in one self-contained file (PNGs as base64 data URIs, inline CSS).</summary>
internal static class HtmlReport
{
    private const string Css =
        "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}" +
        "table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:13px}th,td{border:1px solid #ccc;padding:3px 7px}" +
        "th{background:#f2f2f2}td.num{text-align:right;font-variant-numeric:tabular-nums}.note{color:#555;font-size:13px}" +
        ".verdict{padding:1px 8px;border-radius:4px;color:#fff}.Holds{background:#2e7d32}.DoesNotHold{background:#c62828}" +
        ".NotEnoughData{background:#757575}td.hl{background:#ffe082;font-weight:bold}blockquote{margin:.3em 0;color:#444;font-style:italic}img{max-width:100%;border:1px solid #ddd}";

    public static string Build(StudyAnalysis a, IReadOnlyList<PlotImage> plots, string? plotNote)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var sb = new StringBuilder();
        sb.AppendLine("<!DOCTYPE html><html><head><meta charset=\"utf-8\">");
        sb.AppendLine($"<title>Data-scaling report: {E(a.Results.Name)}</title><style>{Css}</style></head><body>");
        sb.AppendLine($"<h1>Data-scaling report: {E(a.Results.Name)}</h1><p>{E(MarkdownReport.Summary(a))}</p>");
        sb.AppendLine("<h2>Findings</h2>");
        sb.Append(ReportTables.Findings(a).ToHtml());
        foreach (var f in a.Findings.All)
        {
            sb.AppendLine($"<h3>Finding {f.Number}: {E(f.Title)} <span class=\"verdict {f.Verdict}\">{Finding.Words(f.Verdict)}</span></h3>");
            sb.AppendLine($"<blockquote>{E(f.Statement)}</blockquote><p class=\"note\">Selection: {E(f.Selection)}</p><ul>");
            foreach (var s in f.SubClaims)
            {
                sb.AppendLine($"<li><span class=\"verdict {s.Verdict}\">({s.Id}) {Finding.Words(s.Verdict)}</span> {E(s.Claim)}<ul>");
                sb.AppendLine($"<li class=\"note\">Rule: {E(s.Rule)}</li><li>Numbers: {E(s.Numbers)}</li>");
                foreach (var e in s.Evidence) sb.AppendLine($"<li>{E(e)}</li>");
                sb.AppendLine("</ul></li>");
            }
            foreach (var e in f.Evidence) sb.AppendLine($"<li>{E(e)}</li>");
            sb.AppendLine("</ul>");
        }
        sb.AppendLine("<h2>Tables</h2>");
        foreach (var t in ReportTables.All(a)) sb.Append(t.ToHtml());
        sb.AppendLine("<h2>Plots</h2>");
        if (plotNote is not null) sb.AppendLine($"<p class=\"note\">{E(plotNote)}</p>");
        foreach (var p in plots)
            sb.AppendLine($"<figure><figcaption><b>{E(p.Figure)}</b> — {E(p.Title)}</figcaption>" +
                          $"<img alt=\"{E(p.Title)}\" src=\"data:image/png;base64,{Convert.ToBase64String(p.Png)}\"></figure>");
        return sb.AppendLine("</body></html>").ToString();
    }
}
