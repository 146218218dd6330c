
using MimScale.Analysis.Io;
using MimScale.Analysis.Report;
using MimScale.Analysis.Results;
using MimScale.Study.Store;

namespace MimScale.Study.Running;

/// <summary>Writes a study's results.json and its analysis report (report.md, report.html, plots/) into the study folder.</summary>
public static class StudyReport
{
    /// <summary>
    /// Builds <see cref="StudyResults"/> from <paramref name="cells"/> and writes results.json and the report; returns null
    /// (and says so in the log) when no cell is pre-trained yet.
    /// </summary>
    public static ReportFiles? Write(string studyName, IReadOnlyList<StoredCell> cells, StudyFolder folder, AnalysisOptions options, StudyLog? log = null)
    {
        var results = StudyResultsBuilder.Build(studyName, cells);
        if (results.Runs.Count == 0)
        {
            log?.Line("report: no cell is pre-trained yet, nothing to report");
            return null;
        }
        StudyResultsJson.Save(results, folder.ResultsJsonPath);
        var files = ReportWriter.Write(results, folder.Root, options);
        if (files.PlotNote is not null) log?.Line("report: " + files.PlotNote);
        log?.Line($"report: {files.MarkdownPath} ({results.Runs.Count} of {cells.Count} cells)");
        log?.Line($"report: {files.HtmlPath}");
        return files;
    }
}
