using MimScale.Analysis.Results;

namespace MimScale.Analysis.Grid;

/// <summary>
/// The study as a (model x data x length) grid with ordered axes: models by size (parameters, then size rank, then
/// first appearance), data by size (image count, then fraction, then first appearance), lengths ascending. Only the main
/// grid's runs take part: side-study runs (<see cref="RunResult.Arm"/>: heavier decoders, class subsets) have their own
/// tables and are no point of the data axis.
/// </summary>
public sealed class ResultGrid
{
    private readonly Dictionary<(string, string, long), GridCell> cells;
    private readonly Dictionary<string, double?> modelSize = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double?> dataSize = new(StringComparer.Ordinal);

    /// <summary>Groups the runs of <paramref name="results"/> into cells.</summary>
    public ResultGrid(StudyResults results)
    {
        var runs = results.MainRuns().Runs;
        cells = runs.GroupBy(r => (r.Model, r.DataLabel, r.Iterations))
            .ToDictionary(g => g.Key, g => new GridCell(g.Key.Model, g.Key.DataLabel, g.Key.Iterations, g.ToList()));

        var models = runs.Select(r => r.Model).Distinct(StringComparer.Ordinal).ToList();
        foreach (var m in models)
        {
            var of = runs.Where(r => r.Model == m).ToList();
            modelSize[m] = (double?)of.Select(r => r.Parameters).FirstOrDefault(p => p.HasValue)
                ?? of.Select(r => r.SizeRank).FirstOrDefault(p => p.HasValue);
        }
        Models = models
            .OrderBy(m => (double?)runs.First(r => r.Model == m).Parameters ?? double.PositiveInfinity)
            .ThenBy(m => (double?)runs.First(r => r.Model == m).SizeRank ?? double.PositiveInfinity)
            .ThenBy(models.IndexOf).ToList();

        var data = runs.Select(r => r.DataLabel).Distinct(StringComparer.Ordinal).ToList();
        foreach (var d in data)
        {
            var of = runs.Where(r => r.DataLabel == d).ToList();
            dataSize[d] = (double?)of.Select(r => r.ImageCount).FirstOrDefault(v => v.HasValue)
                ?? of.Select(r => r.DataFraction).FirstOrDefault(v => v.HasValue);
        }
        DataLabels = data
            .OrderBy(d => (double?)runs.First(r => r.DataLabel == d).ImageCount ?? double.PositiveInfinity)
            .ThenBy(d => runs.First(r => r.DataLabel == d).DataFraction ?? double.PositiveInfinity)
            .ThenBy(data.IndexOf).ToList();

        Lengths = runs.Select(r => r.Iterations).Distinct().Order().ToList();
    }

    /// <summary>Models, smallest first.</summary>
    public IReadOnlyList<string> Models { get; }

    /// <summary>Data labels, smallest data first.</summary>
    public IReadOnlyList<string> DataLabels { get; }

    /// <summary>Distinct training lengths, ascending.</summary>
    public IReadOnlyList<long> Lengths { get; }

    /// <summary>All non-empty cells in axis order (model, data, length).</summary>
    public IEnumerable<GridCell> Cells =>
        from m in Models from d in DataLabels from l in Lengths
        let c = Cell(m, d, l) where c is not null select c;

    /// <summary>The cell, or null when no run has this combination.</summary>
    public GridCell? Cell(string model, string data, long iterations) =>
        cells.GetValueOrDefault((model, data, iterations));

    /// <summary>The cells of one (model, data) pair, shortest first.</summary>
    public IReadOnlyList<GridCell> Series(string model, string data) =>
        Lengths.Select(l => Cell(model, data, l)).OfType<GridCell>().ToList();

    /// <summary>Parameter count (or size rank) of a model, if known.</summary>
    public double? ModelSize(string model) => modelSize.GetValueOrDefault(model);

    /// <summary>Image count (or fraction) of a data label, if known.</summary>
    public double? DataSize(string data) => dataSize.GetValueOrDefault(data);
}
