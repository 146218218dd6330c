using MimScale.Analysis;
using MimScale.Cli.Commands;
using System.CommandLine;

namespace MimScale.Tests.Analysis;

public class ReportWriterTests
{
    private static readonly byte[] PngMagic = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public void WritesMarkdownHtmlAndPngs()
    {
        using var tmp = new TempFolder();
        var dir = tmp.Path;
        var files = ReportWriter.Write(AnalysisTestData.Modelhub(), dir);

        var md = File.ReadAllText(files.MarkdownPath);
        Assert.Contains("## Findings", md);
        Assert.Contains("### Finding 3: Validation loss predicts the downstream metric — **Holds**", md);
        Assert.Contains("| SwinV2-Base | 83.60 | 84.61 | 84.95 | 85.04 | 85.11 |", md); // Table 3 row
        Assert.Contains("![", md);

        var html = File.ReadAllText(files.HtmlPath);
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("<h2>Findings</h2>", html);
        Assert.Contains("data:image/png;base64,iVBORw0KGgo", html); // base64 of the PNG signature

        // 5 models + 5 data sizes (loss), 5 models (metric vs length), 1 scatter.
        Assert.Equal(16, files.PlotPaths.Count);
        var png = File.ReadAllBytes(Path.Combine(dir, "plots", "valloss-vs-metric.png"));
        Assert.Equal(PngMagic, png.Take(8));
        Assert.True(png.Length > 10_000, $"PNG has only {png.Length} bytes");
        Assert.Empty(Directory.GetFiles(dir, "*.tmp-*", SearchOption.AllDirectories));
    }

    [Fact]
    public void CurvesComputeAndReconstructionsAppearInTheReport()
    {
        var run = AnalysisTestData.Run("B", "small", 300, 0.47, 70.0, 0.6) with
        {
            Curve = [new(100, 0.9, 0.50), new(200, 0.7, 0.45), new(300, 0.6, 0.47)],
            Compute = new RunCompute(1.5e15, 3600, "cpu x2"),
            ReconstructionImages = ["recon/b-small-300.png"],
        };
        using var tmp = new TempFolder();
        var dir = tmp.Path;
        var files = ReportWriter.Write(AnalysisTestData.Study(run), dir);
        var md = File.ReadAllText(files.MarkdownPath);
        Assert.Contains("| B | small | 300 | 0 | 1.500e+15 | 3600.0 | cpu x2 |", md);
        Assert.Contains("| B | small | 300 | 0 | Overfitting | recon/b-small-300.png |", md);
        Assert.Contains("| B | small | 300 | 0 | Overfitting | Curve | 200 | 0.4500 | 0.4700 | 0.0200 | 4.44% | yes |", md);
        Assert.Contains("loss-model-b.png", files.PlotPaths.Select(Path.GetFileName));
    }

    [Fact]
    public void AnalyzeCommandWritesTheReportNextToTheCsv()
    {
        using var tmp = new TempFolder();
        var dir = tmp.Path;
        var csv = Path.Combine(dir, "hub.csv");
        File.Copy(AnalysisTestData.ModelhubCsv, csv);
        var root = new RootCommand();
        root.Subcommands.Add(AnalyzeCommand.Create());
        Assert.Equal(0, root.Parse(["analyze", "--results", csv]).Invoke());
        Assert.True(File.Exists(Path.Combine(dir, "hub-report", "report.html")));

        File.WriteAllText(csv, "model,pretrain_data,iterations\nS,IN1K,x\n");
        Assert.Equal(2, root.Parse(["analyze", "--results", csv, "--out", Path.Combine(dir, "bad")]).Invoke());
    }
}
