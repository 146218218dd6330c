using System.CommandLine;
using System.Text.Json;
using MimScale.Analysis.Tables;
using MimScale.Training.Runs;

namespace MimScale.Cli.Commands;

/// <summary>
/// `mimscale compare RUN_DIR RUN_DIR... [--metric top1] [--markdown]`: the evaluations of several runs side by side
/// (e.g. fine-tuning from SimMIM weights vs from scratch), aligned by iteration, with best, last and the difference.
/// </summary>
public static class CompareCommand
{
    public static Command Create()
    {
        var runs = new Argument<string[]>("runs") { Description = "Run folders (pretrain or finetune output, each with metrics.jsonl)", Arity = ArgumentArity.OneOrMore };
        var metric = new Option<string?>("--metric") { Description = "Evaluation metric (default: top1 for fine-tuning runs, val_loss for pre-training runs)" };
        var markdown = new Option<bool>("--markdown") { Description = "Print Markdown tables instead of plain text" };
        var command = new Command("compare", "Compare runs' evaluations side by side: per evaluation, best and last, and the difference of two runs.");
        command.Arguments.Add(runs);
        command.Options.Add(metric);
        command.Options.Add(markdown);
        command.SetAction(r => CliErrors.Run(() => Console.Write(Render(r.GetValue(runs)!, r.GetValue(metric), r.GetValue(markdown)))));
        return command;
    }

    /// <summary>The comparison tables as text (or Markdown); throws with the file and the problem on bad input.</summary>
    public static string Render(IReadOnlyList<string> dirs, string? metric = null, bool markdown = false)
    {
        var records = dirs.Select(d => (Dir: d, Rows: ReadVal(d))).ToList();
        string name = metric ?? (records[0].Rows.Any(v => v.Values.ContainsKey("top1")) ? "top1" : "val_loss");
        var names = DisplayNames(dirs);
        var curves = records.Select((rec, i) => Curve(names[i], rec.Dir, rec.Rows, name)).ToList();
        var comparison = RunComparison.Build(name, curves);
        var text = new System.Text.StringBuilder();
        foreach (var table in new[] { comparison.CurveTable(), comparison.SummaryTable() })
            text.Append(markdown ? table.ToMarkdown() : table.ToText() + Environment.NewLine);
        return text.ToString();
    }

    static List<(long Step, Dictionary<string, double> Values)> ReadVal(string dir)
    {
        string path = Path.Combine(dir, "metrics.jsonl");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: not found ({dir} is not a run folder)");
        try
        {
            return MetricsLog.Read(path).Where(x => x.Kind == "val").Select(x => (x.Step, x.Values)).ToList();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a metrics log ({e.Message})");
        }
    }

    static RunCurve Curve(string name, string dir, List<(long Step, Dictionary<string, double> Values)> rows, string metric)
    {
        var points = rows.Where(x => x.Values.ContainsKey(metric))
            .Select(x => new EvalPoint(x.Step, x.Values.TryGetValue("epoch", out var e) ? e : null, x.Values[metric]))
            .OrderBy(p => p.Step).ToList();
        if (points.Count == 0)
        {
            var known = rows.SelectMany(x => x.Values.Keys).Distinct().Order().ToList();
            throw new InvalidDataException($"{Path.Combine(dir, "metrics.jsonl")} has no evaluation of '{metric}'" +
                (known.Count > 0 ? $"; it records: {string.Join(", ", known)}" : "; it has no evaluations yet"));
        }
        return new RunCurve(name, points, WallSeconds(dir));
    }

    static double? WallSeconds(string dir)
    {
        string path = Path.Combine(dir, "result.json");
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            return doc.RootElement.TryGetProperty("wall_seconds", out var w) && w.ValueKind == JsonValueKind.Number ? w.GetDouble() : null;
        }
        catch (JsonException) { return null; }
    }

    /// <summary>Folder names, or the paths as given where two runs share a folder name.</summary>
    static IReadOnlyList<string> DisplayNames(IReadOnlyList<string> dirs)
    {
        var leaf = dirs.Select(d => Path.GetFileName(Path.TrimEndingDirectorySeparator(d))).ToArray();
        return leaf.Distinct().Count() == leaf.Length ? leaf : dirs;
    }
}
