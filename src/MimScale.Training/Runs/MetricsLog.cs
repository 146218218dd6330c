using System.Globalization;
using System.Text;
using System.Text.Json;
using MimScale.Files;

namespace MimScale.Training.Runs;

/// <summary>
/// Metrics as one JSON object per line (<c>metrics.jsonl</c>), e.g. {"step":500,"train_loss":0.51,"lr":1e-4}.
/// On resume, lines past the checkpoint's step are dropped first, so the log reads as if the run was never stopped.
/// With <c>tensorboard</c>, every value also goes to TensorBoard scalars under RUN/tensorboard as KIND/KEY.
/// </summary>
public sealed class MetricsLog
{
    private readonly TorchSharp.Modules.SummaryWriter? board;

    public string Path { get; }

    public MetricsLog(string runDir, bool tensorboard = false)
    {
        Path = System.IO.Path.Combine(runDir, "metrics.jsonl");
        if (tensorboard) board = TorchSharp.torch.utils.tensorboard.SummaryWriter(System.IO.Path.Combine(runDir, "tensorboard"), "", false);
    }

    /// <summary>Keeps only lines with step &lt;= <paramref name="step"/> (and drops a torn last line).</summary>
    public void TruncateAfter(long step)
    {
        if (!File.Exists(Path)) return;
        var kept = new List<string>();
        foreach (var line in File.ReadAllLines(Path))
        {
            try
            {
                using var doc = JsonDocument.Parse(line);
                if (doc.RootElement.GetProperty("step").GetInt64() <= step) kept.Add(line);
            }
            catch (JsonException) { /* a line torn by a kill */ }
        }
        AtomicFile.WriteAllText(Path, string.Concat(kept.Select(l => l + "\n")));
    }

    public void Append(long step, IEnumerable<(string Key, double Value)> values, string? kind = null)
    {
        var sb = new StringBuilder("{\"step\":").Append(step.ToString(CultureInfo.InvariantCulture));
        if (kind is not null) sb.Append(",\"kind\":\"").Append(kind).Append('"');
        foreach (var (k, v) in values)
            sb.Append(",\"").Append(k).Append("\":").Append(double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "null");
        sb.Append("}\n");
        File.AppendAllText(Path, sb.ToString());
        if (board is not null)
            foreach (var (k, v) in values)
                if (double.IsFinite(v)) board.add_scalar($"{kind ?? "metrics"}/{k}", (float)v, (int)step);
    }

    /// <summary>The value of <paramref name="key"/> in the last record that has it, or null.</summary>
    public static double? Last(string path, string key) =>
        Read(path).Where(r => r.Values.ContainsKey(key)).Select(r => (double?)r.Values[key]).LastOrDefault();

    /// <summary>All records: (step, kind, key -> value).</summary>
    public static IReadOnlyList<(long Step, string? Kind, Dictionary<string, double> Values)> Read(string path)
    {
        var list = new List<(long, string?, Dictionary<string, double>)>();
        if (!File.Exists(path)) return list;
        foreach (var line in File.ReadAllLines(path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var doc = JsonDocument.Parse(line);
            var values = new Dictionary<string, double>();
            string? kind = null;
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "kind") kind = p.Value.GetString();
                else if (p.Name != "step" && p.Value.ValueKind == JsonValueKind.Number) values[p.Name] = p.Value.GetDouble();
            }
            list.Add((doc.RootElement.GetProperty("step").GetInt64(), kind, values));
        }
        return list;
    }
}
