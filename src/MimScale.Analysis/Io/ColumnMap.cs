using System.Globalization;
using MimScale.Analysis.Results;

namespace MimScale.Analysis.Io;

/// <summary>Header positions of the columns named in <see cref="ResultTableOptions"/> and the per-row cell parsing.</summary>
internal sealed class ColumnMap
{
    private readonly string _file;
    private readonly List<string> _header;
    private readonly ResultTableOptions _o;
    private readonly int _model, _params, _label, _fraction, _images, _iterations, _val, _train, _seed;
    private readonly List<(string Name, int Index)> _metrics;

    public ColumnMap(string file, int headerLine, List<string> header, ResultTableOptions options)
    {
        _file = file;
        _header = header;
        _o = options;
        _model = Require(options.ModelColumn, headerLine);
        _iterations = Require(options.IterationsColumn, headerLine);
        _params = Find(options.ParamsColumn);
        _label = Find(options.DataLabelColumn);
        _fraction = Find(options.DataFractionColumn);
        _images = Find(options.ImagesColumn);
        _val = Find(options.ValLossColumn);
        _train = Find(options.TrainLossColumn);
        _seed = Find(options.SeedColumn);
        if (_label < 0 && _fraction < 0)
            throw new ResultTableException(file, headerLine, null,
                $"needs a data label column '{options.DataLabelColumn}' or a data fraction column '{options.DataFractionColumn}'; header is: {string.Join(",", header)}");
        _metrics = options.MetricColumns.Select(m => (m, Find(m))).Where(m => m.Item2 >= 0).ToList();
    }

    public RunResult ReadRow(List<string> f, int line)
    {
        string model = f[_model].Trim();
        if (model.Length == 0) throw Bad(line, _model, "empty model name");
        long iterations = Scaled(f, _iterations, line) is { } it && it >= 1 && it == Math.Floor(it)
            ? (long)it : throw Bad(line, _iterations, $"'{f[_iterations]}' is not a positive whole number of iterations");

        double? fraction = _fraction >= 0 ? Number(f, _fraction, line) : null;
        if (fraction is { } fr && (fr <= 0 || fr > 1)) throw Bad(line, _fraction, $"fraction {fr} is outside (0, 1]");
        string? label = _label >= 0 && f[_label].Trim().Length > 0 ? f[_label].Trim() : null;
        if (label is null && fraction is null) throw Bad(line, _label >= 0 ? _label : _fraction, "neither a data label nor a data fraction");
        label ??= (fraction!.Value * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";

        double? images = _images >= 0 ? Scaled(f, _images, line) : null;
        long? imageCount = images is { } im ? (long)Math.Round(im)
            : _o.LabelImageCounts.TryGetValue(label, out var known) ? known
            : fraction is { } fc ? (long)Math.Round(fc * _o.FractionBaseImages) : null;

        double? seed = _seed >= 0 ? Number(f, _seed, line) : null;
        if (seed is { } s && s != Math.Floor(s)) throw Bad(line, _seed, $"seed '{f[_seed]}' is not an integer");

        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, index) in _metrics)
            if (Number(f, index, line) is { } v) metrics[name] = v;

        return new RunResult(model, label, iterations)
        {
            Parameters = _params >= 0 && Scaled(f, _params, line) is { } p ? (long)Math.Round(p) : null,
            DataFraction = fraction,
            ImageCount = imageCount,
            Seed = seed is { } sd ? (int)sd : 0,
            FinalValLoss = _val >= 0 ? Number(f, _val, line) : null,
            FinalTrainLoss = _train >= 0 ? Number(f, _train, line) : null,
            Metrics = metrics,
        };
    }

    private int Find(string? name) =>
        name is null ? -1 : _header.FindIndex(h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase));

    private int Require(string name, int headerLine)
    {
        int i = Find(name);
        return i >= 0 ? i : throw new ResultTableException(_file, headerLine, name,
            $"required column is missing; header is: {string.Join(",", _header)}");
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

    private ResultTableException Bad(int line, int index, string problem) => new(_file, line, _header[index], problem);
}
