using System.Text;
using MimScale.Analysis.Findings;

namespace MimScale.Analysis.Report;

/// <summary>Plain-text rendering of an analysis for the console (no colours or box drawing, so it survives redirection).</summary>
public static class TextReport
{
    /// <summary>The findings table, then each finding with its selection and every sub-claim's rule, numbers and evidence.</summary>
    public static string Findings(StudyAnalysis a)
    {
        var sb = new StringBuilder();
        const string title = "Findings";
        sb.AppendLine(title).AppendLine(new string('=', title.Length));
        if (a.Metric is null) sb.AppendLine($"(no run reports the metric '{a.RequestedMetric}'; metric-based rules fall back or report NotEnoughData)");
        sb.AppendLine(ReportTables.Findings(a).ToText());
        foreach (var f in a.Findings.All)
        {
            sb.AppendLine($"[{Finding.Words(f.Verdict)}] Finding {f.Number}: {f.Title}");
            sb.AppendLine($"  Claim:     {f.Statement}");
            sb.AppendLine($"  Selection: {f.Selection}");
            foreach (var s in f.SubClaims)
            {
                sb.AppendLine($"  ({s.Id}) [{Finding.Words(s.Verdict)}] {s.Claim}");
                sb.AppendLine($"      Rule:    {s.Rule}");
                sb.AppendLine($"      Numbers: {s.Numbers}");
                foreach (var e in s.Evidence) sb.AppendLine($"      - {e}");
            }
            foreach (var e in f.Evidence) sb.AppendLine($"  - {e}");
            sb.AppendLine();
        }
        return sb.ToString();
    }

    /// <summary>Header, findings and every table.</summary>
    public static string Full(StudyAnalysis a)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"Study '{a.Results.Name}': {a.Results.Runs.Count} runs, {a.Grid.Models.Count} models, " +
                      $"{a.Grid.DataLabels.Count} data sizes, {a.Grid.Lengths.Count} lengths; metric: {a.Metric ?? "(none)"}");
        sb.AppendLine();
        sb.Append(Findings(a));
        foreach (var t in ReportTables.All(a)) sb.AppendLine(t.ToText());
        return sb.ToString();
    }
}
