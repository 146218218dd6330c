using System.Globalization;
using MimScale.Analysis.Results;
using MimScale.Files;

namespace MimScale.Analysis.Io;

/// <summary>
/// Reads and writes flat result tables: one run per line, columns named in <see cref="ResultTableOptions"/>.
/// The format of data/modelhub-simmim-swinv2.csv is the default.
/// </summary>
public static class ResultTable
{
    /// <summary>
    /// Reads a CSV result table. Blank lines and lines starting with '#' are skipped.
    /// </summary>
    /// <exception cref="ResultTableException">A missing column or a bad cell; the message names file, line and column.</exception>
    public static StudyResults ReadCsv(string path, ResultTableOptions? options = null)
    {
        options ??= new ResultTableOptions();
        if (!File.Exists(path)) throw new ResultTableException(path, 0, null, "file not found");
        var lines = File.ReadAllLines(path);
        int headerIndex = Array.FindIndex(lines, l => !IsSkippable(l));
        if (headerIndex < 0) throw new ResultTableException(path, 0, null, "the file has no header line");
        var header = CsvFields.Split(lines[headerIndex].TrimStart('\uFEFF'))
            ?? throw new ResultTableException(path, headerIndex + 1, null, "unterminated quote in the header");
        var columns = new ColumnMap(path, headerIndex + 1, header.Select(h => h.Trim()).ToList(), options);

        var runs = new List<RunResult>();
        for (int i = headerIndex + 1; i < lines.Length; i++)
        {
            if (IsSkippable(lines[i])) continue;
            var fields = CsvFields.Split(lines[i])
                ?? throw new ResultTableException(path, i + 1, null, "unterminated quote");
            if (fields.Count != header.Count)
                throw new ResultTableException(path, i + 1, null,
                    $"expected {header.Count} comma-separated fields as in the header, found {fields.Count}");
            runs.Add(columns.ReadRow(fields, i + 1));
        }
        if (runs.Count == 0) throw new ResultTableException(path, 0, null, "the table has a header but no rows");
        return new StudyResults(options.StudyName ?? Path.GetFileNameWithoutExtension(path), runs);
    }

    /// <summary>
    /// Writes final values (no curves, compute or images) in the default column layout, so that
    /// <see cref="ReadCsv"/> reads them back. Metric columns are the union over runs. Written atomically.
    /// </summary>
    public static void WriteCsv(StudyResults results, string path)
    {
        var metrics = results.MetricNames();
        var lines = new List<string>
        {
            string.Join(',', new[] { "model", "params_backbone", "pretrain_data", "data_fraction", "images",
                "iterations", "seed", "train_loss", "val_loss" }.Concat(metrics)),
        };
        foreach (var r in results.Runs)
        {
            var cells = new List<string>
            {
                Quote(r.Model), Num(r.Parameters), Quote(r.DataLabel), Num(r.DataFraction), Num(r.ImageCount),
                r.Iterations.ToString(CultureInfo.InvariantCulture), r.Seed.ToString(CultureInfo.InvariantCulture),
                Num(r.FinalTrainLoss), Num(r.FinalValLoss),
            };
            cells.AddRange(metrics.Select(m => Num(r.Metric(m))));
            lines.Add(string.Join(',', cells));
        }
        AtomicFile.WriteAllText(path, string.Join('\n', lines) + "\n");
    }

    private static bool IsSkippable(string line) => line.Trim().Length == 0 || line.TrimStart().StartsWith('#');

    private static string Quote(string s) =>
        s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;

    private static string Num(double? v) => v?.ToString("R", CultureInfo.InvariantCulture) ?? "";

    private static string Num(long? v) => v?.ToString(CultureInfo.InvariantCulture) ?? "";
}
