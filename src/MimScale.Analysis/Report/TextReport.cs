using System.Text;

namespace MimScale.Analysis;

/// <summary>Plain-text rendering of an analysis for the console (no colours or box drawing, so it survives redirection).</summary>
public static class TextReport
{
    /// <summary>The findings with verdict, rule and evidence.</summary>
    public static string Findings(StudyAnalysis a)
    {
        var sb = new StringBuilder();
        const string title = "Findings";
        sb.AppendLine(title).AppendLine(new string('=', title.Length));
        if (a.Metric is null) sb.AppendLine($"(no run reports the metric '{a.RequestedMetric}'; metric-based rules fall back or report NotEnoughData)");
        foreach (var f in a.Findings)
        {
            sb.AppendLine($"[{f.Verdict}] Finding {f.Number}: {f.Title}");
            sb.AppendLine($"  Claim: {f.Statement}");
            sb.AppendLine($"  Rule:  {f.Rule}");
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
