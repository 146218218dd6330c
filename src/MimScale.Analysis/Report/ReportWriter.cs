using MimScale.Analysis.Plots;
using MimScale.Analysis.Results;
using MimScale.Files;
namespace MimScale.Analysis.Report;

/// <summary>Paths written by <c>ReportWriter.Write</c>.</summary>
/// <param name="MarkdownPath">report.md.</param>
/// <param name="HtmlPath">report.html (self-contained).</param>
/// <param name="PlotPaths">PNG files under plots/.</param>
/// <param name="PlotNote">Why plots are missing or incomplete (rendering failure, no font), or null.</param>
/// <param name="Analysis">The analysis the report shows.</param>
public sealed record ReportFiles(string MarkdownPath, string HtmlPath, IReadOnlyList<string> PlotPaths, string? PlotNote, StudyAnalysis Analysis);

/// <summary>Writes a study's report: report.md, report.html and plots/*.png, each file atomically (temporary file + rename).</summary>
public static class ReportWriter
{
    /// <summary>Analyses <paramref name="results"/> and writes the report into <paramref name="outDir"/> (created if needed).</summary>
    public static ReportFiles Write(StudyResults results, string outDir, AnalysisOptions? options = null) =>
        Write(StudyAnalysis.Analyze(results, options), outDir, options);

    /// <summary>Writes the report of an existing analysis.</summary>
    public static ReportFiles Write(StudyAnalysis analysis, string outDir, AnalysisOptions? options = null)
    {
        options ??= new AnalysisOptions();
        Directory.CreateDirectory(outDir);
        IReadOnlyList<PlotImage> plots = [];
        string? note = null;
        if (options.Plots)
        {
            try
            {
                plots = [.. StudyPlots.Render(analysis, options.PlotWidth, options.PlotHeight),
                         .. ReconstructionFigure.Render(analysis) is { } recon ? [recon] : Array.Empty<PlotImage>()];
                if (PlotFonts.FontFile is null)
                    note = "No TrueType font was found (set MIMSCALE_PLOT_FONT to a .ttf file): the plots have no text.";
            }
            catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException
                                          or BadImageFormatException or MissingMethodException)
            {
                // The Skia native library could not be used; the tables and findings are still worth writing.
                note = $"Plots were not rendered: ScottPlot/SkiaSharp failed ({e.GetType().Name}: {e.Message}).";
            }
        }
        else note = "Plots disabled.";

        var plotPaths = new List<string>();
        foreach (var p in plots)
        {
            var path = Path.Combine(outDir, "plots", p.FileName);
            AtomicFile.WriteAllBytes(path, p.Png);
            plotPaths.Add(path);
        }
        var md = Path.Combine(outDir, "report.md");
        var html = Path.Combine(outDir, "report.html");
        AtomicFile.WriteAllText(md, MarkdownReport.Build(analysis, plots, note));
        AtomicFile.WriteAllText(html, HtmlReport.Build(analysis, plots, note));
        return new ReportFiles(md, html, plotPaths, note, analysis);
    }
}
