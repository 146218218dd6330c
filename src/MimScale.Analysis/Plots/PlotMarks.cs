using MimScale.Analysis.Grid;
using MimScale.Analysis.Overfitting;
using MimScale.Analysis.Report;
using ScottPlot;
// ScottPlot has a GridCell of its own; the grid cell here is always the study grid's.
using GridCell = MimScale.Analysis.Grid.GridCell;

namespace MimScale.Analysis.Plots;

/// <summary>
/// What the loss and metric figures mark on top of their lines: every grid cell with an overfitting run (a ring) and
/// finding 1's witness at its longer length (a square), each with one legend entry.
/// </summary>
internal sealed class PlotMarks
{
    private readonly HashSet<(string, string, long)> overfitting;
    private readonly (string Model, string Data, long Iterations)? witness;
    private readonly string overfitLegend;

    private PlotMarks(HashSet<(string, string, long)> overfitting, (string, string, long)? witness, string overfitLegend)
    {
        this.overfitting = overfitting;
        this.witness = witness;
        this.overfitLegend = overfitLegend;
    }

    /// <summary>Ring colour: black reads on every Category10 line colour.</summary>
    public static readonly Color Ring = Colors.Black;

    /// <summary>Witness colour.</summary>
    public static readonly Color Witness = Colors.Red;

    public static PlotMarks Of(StudyAnalysis a)
    {
        var over = a.Overfitting.Where(o => o.Status == OverfitStatus.Overfitting)
            .Select(o => (o.Run.Model, o.Run.DataLabel, o.Run.Iterations)).ToHashSet();
        var w = a.Findings.Witness;
        return new PlotMarks(over, w is null ? null : (w.Model, w.Data, w.Longer.Iterations),
            $"overfitting run (val loss > {100 * a.OverfitRule.MinRelativeRise:0.##}% above its minimum)");
    }

    /// <summary>Rings the overfitting cells among <paramref name="cells"/> and squares the witness, at (iterations, y).</summary>
    public void Mark(Plot plot, IReadOnlyList<GridCell> cells, Func<GridCell, double> y)
    {
        var rings = cells.Where(c => overfitting.Contains((c.Model, c.DataLabel, c.Iterations))).ToList();
        StudyPlots.Line(plot, rings.Select(c => (double)c.Iterations), rings.Select(y), Ring, overfitLegend,
            LinePattern.Solid, 16, lineWidth: 0, shape: MarkerShape.OpenCircle);
        if (witness is not { } w) return;
        var hit = cells.Where(c => (c.Model, c.DataLabel, c.Iterations) == w).ToList();
        StudyPlots.Line(plot, hit.Select(c => (double)c.Iterations), hit.Select(y), Witness, $"finding 1 witness: {w.Model} / {w.Data} @{w.Iterations}",
            LinePattern.Solid, 24, lineWidth: 0, shape: MarkerShape.OpenSquare);
    }
}
