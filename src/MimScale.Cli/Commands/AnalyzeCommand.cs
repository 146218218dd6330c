using System.CommandLine;
using MimScale.Analysis.Io;
using MimScale.Analysis.Report;
using MimScale.Analysis.Results;

namespace MimScale.Cli.Commands;

/// <summary>
/// `mimscale analyze --results FILE.csv|FILE.json [--metric finetune_top1] [--out DIR]`: prints the findings and tables as plain
/// text and writes report.md, report.html and plots/ to DIR (default: a folder next to the CSV named NAME-report).
/// </summary>
public static class AnalyzeCommand
{
    public static Command Create()
    {
        var results = new Option<FileInfo>("--results")
        {
            Description = "Result table: CSV (one run per line, columns as data/modelhub-simmim-swinv2.csv) or a StudyResults .json file.",
            Required = true,
        };
        var metric = new Option<string>("--metric")
        {
            Description = "Downstream metric column used for Table 3 and the findings.",
            DefaultValueFactory = _ => "finetune_top1",
        };
        var output = new Option<DirectoryInfo?>("--out") { Description = "Report folder (default: <csv folder>/<csv name>-report)." };

        var command = new Command("analyze", "Analyse a data-scaling result table: findings, Tables 3 and 7, overfitting, plots and an HTML/Markdown report.");
        command.Options.Add(results);
        command.Options.Add(metric);
        command.Options.Add(output);
        command.SetAction(parseResult => CliErrors.Run(() =>
        {
            var csv = parseResult.GetValue(results)!;
            var metricName = parseResult.GetValue(metric) ?? "finetune_top1";
            var outDir = parseResult.GetValue(output)?.FullName
                ?? Path.Combine(csv.DirectoryName ?? ".", Path.GetFileNameWithoutExtension(csv.Name) + "-report");
            {
                StudyResults study;
                if (csv.Extension.Equals(".json", StringComparison.OrdinalIgnoreCase)) study = StudyResultsJson.Load(csv.FullName);
                else
                {
                    var options = new ResultTableOptions();
                    if (!options.MetricColumns.Contains(metricName))
                        options = options with { MetricColumns = [.. options.MetricColumns, metricName] };
                    study = ResultTable.ReadCsv(csv.FullName, options);
                }
                var analysisOptions = new AnalysisOptions(Metric: metricName);
                var analysis = StudyAnalysis.Analyze(study, analysisOptions);
                Console.Write(TextReport.Full(analysis));
                var files = ReportWriter.Write(analysis, outDir, analysisOptions);
                if (files.PlotNote is not null) Console.WriteLine(files.PlotNote);
                Console.WriteLine($"report: {files.MarkdownPath}");
                Console.WriteLine($"report: {files.HtmlPath}");
                Console.WriteLine($"plots:  {files.PlotPaths.Count} PNG files in {Path.Combine(outDir, "plots")}");
                return 0;
            }
        }));
        return command;
    }
}
