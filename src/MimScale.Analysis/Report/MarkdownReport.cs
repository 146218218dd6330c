using System.Text;
using MimScale.Analysis.Findings;
using MimScale.Analysis.Plots;
using MimScale.Analysis.Results;

namespace MimScale.Analysis.Report;

/// <summary>report.md: findings, tables and links to the PNGs in the plots folder.</summary>
internal static class MarkdownReport
{
    public static string Build(StudyAnalysis a, IReadOnlyList<PlotImage> plots, string? plotNote)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"# Data-scaling report: {a.Results.Name}").AppendLine();
        sb.AppendLine(Summary(a)).AppendLine();
        sb.AppendLine("## Findings").AppendLine();
        sb.Append(ReportTables.Findings(a).ToMarkdown());
        foreach (var f in a.Findings.All)
        {
            sb.AppendLine($"### Finding {f.Number}: {f.Title} — **{Finding.Words(f.Verdict)}**").AppendLine();
            sb.AppendLine($"> {f.Statement}").AppendLine();
            sb.AppendLine($"Selection: {f.Selection}").AppendLine();
            foreach (var s in f.SubClaims)
            {
                sb.AppendLine($"- **({s.Id}) {Finding.Words(s.Verdict)}**: {s.Claim}");
                sb.AppendLine($"  - Rule: {s.Rule}");
                sb.AppendLine($"  - Numbers: {s.Numbers}");
                foreach (var e in s.Evidence) sb.AppendLine($"  - {e}");
            }
            foreach (var e in f.Evidence) sb.AppendLine($"- {e}");
            sb.AppendLine();
        }
        sb.AppendLine("## Tables").AppendLine();
        foreach (var t in ReportTables.All(a)) sb.Append(t.ToMarkdown());
        sb.AppendLine("## Plots").AppendLine();
        if (plotNote is not null) sb.AppendLine(plotNote).AppendLine();
        foreach (var p in plots)
            sb.AppendLine($"**{p.Figure}** — {p.Title}").AppendLine().AppendLine($"![{p.Title}](plots/{p.FileName})").AppendLine();
        return sb.ToString();
    }

    internal static string Summary(StudyAnalysis a)
    {
        int arms = a.Results.Runs.Count(r => r.Arm is not null && r.Arm != RunArms.Scratch), references = a.Results.Runs.Count(r => r.Arm == RunArms.Scratch);
        var apart = new[] { arms > 0 ? $"{arms} in side-study arms" : "", references switch { 0 => "", 1 => "1 scratch reference", _ => $"{references} scratch references" } }.Where(p => p.Length > 0).ToList();
        var scratch = a.ScratchReference.Sentence();
        return $"{a.Results.Runs.Count} runs{(apart.Count > 0 ? $" ({string.Join(" and ", apart)}, apart from the grid)" : "")}; models: {string.Join(", ", a.Grid.Models)}; " +
               $"data: {string.Join(", ", a.Grid.DataLabels)}; lengths: {string.Join(", ", a.Grid.Lengths)}; " +
               $"primary metric: {a.Metric ?? $"none ('{a.RequestedMetric}' absent)"}." + (scratch.Length > 0 ? " " + scratch : "");
    }
}
