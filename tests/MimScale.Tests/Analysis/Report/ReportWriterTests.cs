using System.CommandLine;
using MimScale.Analysis.Report;
using MimScale.Analysis.Results;
using MimScale.Cli.Commands;

namespace MimScale.Tests.Analysis.Report;

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
        // Finding 3 has no training loss for (b) in the model-hub table, so it is "not enough data" (was Holds before sub-claims).
        Assert.Contains("### Finding 3: Validation loss predicts the downstream metric — **not enough data**", md);
        Assert.Contains("| Finding 1 | (c) | holds | best finetune_top1 of SwinV2-Huge 84.35 below SwinV2-Large's 84.71 on ImageNet-1K 20%;", md);
        Assert.Contains("| SwinV2-Huge | - | **84.35** | 85.69 | **86.34** | 86.27 |", md); // Table 3 with the inversion in bold
        Assert.Contains("| SwinV2-Base | 83.60 | 84.61 | 84.95 | 85.04 | 85.11 |", md); // Table 3 row
        Assert.Contains("![", md);

        var html = File.ReadAllText(files.HtmlPath);
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("<h2>Findings</h2>", html);
        Assert.Contains("data:image/png;base64,iVBORw0KGgo", html); // base64 of the PNG signature
        Assert.Contains("<td class=\"num hl\">84.71</td>", html);

        // 5 data sizes + 5 models (loss), 5 data sizes (metric vs length, per data size since the findings issue), Table 3, 1 scatter.
        Assert.Equal(17, files.PlotPaths.Count);
        Assert.Contains("table3-best-metric.png", files.PlotPaths.Select(Path.GetFileName));
        var png = File.ReadAllBytes(Path.Combine(dir, "plots", "valloss-vs-metric.png"));
        Assert.Equal(PngMagic, png.Take(8));
        Assert.True(png.Length > 10_000, $"PNG has only {png.Length} bytes");
        Assert.Empty(Directory.GetFiles(dir, "*.tmp-*", SearchOption.AllDirectories));
    }

    [Fact]
    public void TextReportPrintsOneRowPerSubClaimAndStarsTheInversion()
    {
        var text = TextReport.Full(StudyAnalysis.Analyze(AnalysisTestData.Modelhub()));
        Assert.Contains("Finding 3                                                   (b)        not enough data  no run records a final training loss", text);
        // Highlighted cells carry a '*'; the other numbers of those columns are padded by one space so the decimals align.
        Assert.Contains("SwinV2-Huge                 -           84.35*            85.69       86.34*         86.27", text);
        Assert.Contains("SwinV2-giant                -               -             85.76       86.46          86.53", text);
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
    public void Figure5PairsTheOverfittingRunWithTheSameModelOnMoreData()
    {
        using var tmp = new TempFolder();
        // Panels as the engine writes them: 3 tiles of 8x8 (original | masked | reconstruction), one colour per run.
        string[] Panels(string name, SkiaSharp.SKColor colour)
        {
            var dir = Path.Combine(tmp.Path, name);
            Directory.CreateDirectory(dir);
            return new[] { "train_0.png", "val_0.png" }.Select(f =>
            {
                using var bmp = new SkiaSharp.SKBitmap(24, 8);
                bmp.Erase(colour);
                var path = Path.Combine(dir, f);
                using (var data = bmp.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100)) File.WriteAllBytes(path, data.ToArray());
                return path;
            }).ToArray();
        }
        var overfit = AnalysisTestData.Run("B", "small", 300, 0.47, 70.0, 0.6) with
        {
            Curve = [new(100, 0.9, 0.50), new(200, 0.7, 0.45), new(300, 0.6, 0.47)],
            ReconstructionImages = Panels("b-small", SkiaSharp.SKColors.Red),
        };
        var fine = AnalysisTestData.Run("B", "large", 300, 0.40, 75.0, 0.5) with
        {
            Curve = [new(100, 0.9, 0.50), new(200, 0.7, 0.45), new(300, 0.6, 0.40)],
            ReconstructionImages = Panels("b-large", SkiaSharp.SKColors.Blue),
        };
        var small = AnalysisTestData.Run("A", "small", 300, 0.48, 69.0, 0.6) with { ReconstructionImages = Panels("a-small", SkiaSharp.SKColors.Green) };
        var files = ReportWriter.Write(AnalysisTestData.Study(overfit, fine, small), Path.Combine(tmp.Path, "report"));

        var path = Path.Combine(tmp.Path, "report", "plots", "reconstructions.png");
        Assert.Contains(path, files.PlotPaths);
        using var figure = SkiaSharp.SKBitmap.Decode(path);
        // Header 26 px, then per row a 22 px label and the panel scaled 4x (96 x 32) at x = 12; rows 12 px apart.
        Assert.Equal(26 + 2 * (22 + 32 + 12) + 12, figure.Height);
        Assert.Equal(SkiaSharp.SKColors.Red, figure.GetPixel(12 + 40, 26 + 22 + 16));           // first row: the overfitting run
        Assert.Equal(SkiaSharp.SKColors.Blue, figure.GetPixel(12 + 40, 26 + 22 + 32 + 12 + 22 + 16)); // then B on more data
        Assert.Contains("Figure 5", File.ReadAllText(files.MarkdownPath));
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
        // A bad table is a user error: one line and exit 1, like every command (CliErrors).
        Assert.Equal(1, root.Parse(["analyze", "--results", csv, "--out", Path.Combine(dir, "bad")]).Invoke());
    }
}
