using System.Globalization;
using MimScale.Analysis.Results;

namespace MimScale.Analysis.Io;

/// <summary>Header positions of the columns named in <see cref="ResultTableOptions"/> and the per-row cell parsing.</summary>
internal sealed class ColumnMap
{
    private readonly string file;
    private readonly List<string> header;
    private readonly ResultTableOptions o;
    private readonly int model, parameters, label, fraction, images, iterations, val, train, seed;
    private readonly List<(string Name, int Index)> metrics;

    public ColumnMap(string file, int headerLine, List<string> header, ResultTableOptions options)
    {
        this.file = file;
        this.header = header;
        o = options;
        model = Require(options.ModelColumn, headerLine);
        iterations = Require(options.IterationsColumn, headerLine);
        parameters = Find(options.ParamsColumn);
        label = Find(options.DataLabelColumn);
        fraction = Find(options.DataFractionColumn);
        images = Find(options.ImagesColumn);
        val = Find(options.ValLossColumn);
        train = Find(options.TrainLossColumn);
        seed = Find(options.SeedColumn);
        if (label < 0 && fraction < 0)
            throw new ResultTableException(file, headerLine, null,
                $"needs a data label column '{options.DataLabelColumn}' or a data fraction column '{options.DataFractionColumn}'; header is: {string.Join(",", header)}");
        metrics = options.MetricColumns.Select(m => (m, Find(m))).Where(m => m.Item2 >= 0).ToList();
    }

    public RunResult ReadRow(List<string> f, int line)
    {
        string model = f[this.model].Trim();
        if (model.Length == 0) throw Bad(line, this.model, "empty model name");
        long iterations = Scaled(f, this.iterations, line) is { } it && it >= 1 && it == Math.Floor(it)
            ? (long)it : throw Bad(line, this.iterations, $"'{f[this.iterations]}' is not a positive whole number of iterations");

        double? fraction = this.fraction >= 0 ? Number(f, this.fraction, line) : null;
        if (fraction is { } fr && (fr <= 0 || fr > 1)) throw Bad(line, this.fraction, $"fraction {fr} is outside (0, 1]");
        string? label = this.label >= 0 && f[this.label].Trim().Length > 0 ? f[this.label].Trim() : null;
        if (label is null && fraction is null) throw Bad(line, this.label >= 0 ? this.label : this.fraction, "neither a data label nor a data fraction");
        label ??= (fraction!.Value * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";

        double? images = this.images >= 0 ? Scaled(f, this.images, line) : null;
        long? imageCount = images is { } im ? (long)Math.Round(im)
            : o.LabelImageCounts.TryGetValue(label, out var known) ? known
            : fraction is { } fc ? (long)Math.Round(fc * o.FractionBaseImages) : null;

        double? seed = this.seed >= 0 ? Number(f, this.seed, line) : null;
        if (seed is { } s && s != Math.Floor(s)) throw Bad(line, this.seed, $"seed '{f[this.seed]}' is not an integer");

        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, index) in this.metrics)
            if (Number(f, index, line) is { } v) metrics[name] = v;

        return new RunResult(model, label, iterations)
        {
            Parameters = parameters >= 0 && Scaled(f, parameters, line) is { } p ? (long)Math.Round(p) : null,
            DataFraction = fraction,
            ImageCount = imageCount,
            Seed = seed is { } sd ? (int)sd : 0,
            FinalValLoss = val >= 0 ? Number(f, val, line) : null,
            FinalTrainLoss = train >= 0 ? Number(f, train, line) : null,
            Metrics = metrics,
        };
    }

    private int Find(string? name) =>
        name is null ? -1 : header.FindIndex(h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase));

    private int Require(string name, int headerLine)
    {
        int i = Find(name);
        return i >= 0 ? i : throw new ResultTableException(file, headerLine, name,
            $"required column is missing; header is: {string.Join(",", header)}");
    }

    /// <summary>A finite number, or null for an empty cell.</summary>
    private double? Number(List<string> f, int index, int line)
    {
        var text = f[index].Trim();
        if (text.Length == 0) return null;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)) return v;
        throw Bad(line, index, $"'{text}' is not a finite number");
    }

    /// <summary>A number with an optional K/M/B suffix ("49M", "1.06B", "125K"), or null for an empty cell.</summary>
    private double? Scaled(List<string> f, int index, int line)
    {
        var text = f[index].Trim();
        if (text.Length == 0) return null;
        double scale = char.ToUpperInvariant(text[^1]) switch { 'K' => 1e3, 'M' => 1e6, 'B' => 1e9, _ => 1 };
        var digits = scale == 1 ? text : text[..^1];
        if (double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) && v >= 0)
            return v * scale;
        throw Bad(line, index, $"'{text}' is not a non-negative number (K/M/B suffix allowed)");
    }

    private ResultTableException Bad(int line, int index, string problem) => new(file, line, header[index], problem);
}
