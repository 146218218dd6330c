using MimScale.Analysis.Grid;

namespace MimScale.Analysis.Findings;

/// <summary>
/// The data sizes findings 1 and 2 compare, smallest first. When at least two data sizes are fractions of one base set
/// (ImageNet-1K 10/20/50/100%), the axis is those fractions and other data sets (ImageNet-22K) are left out unless
/// <see cref="FindingRules.OtherDataOnAxis"/>; otherwise every data size is on the axis, ordered by size.
/// </summary>
/// <param name="Labels">Data labels on the axis, smallest first.</param>
/// <param name="LeftOut">Data labels of the study that are not on the axis.</param>
public sealed record DataAxis(IReadOnlyList<string> Labels, IReadOnlyList<string> LeftOut)
{
    /// <summary>The axis of <paramref name="grid"/> under <paramref name="rules"/>.</summary>
    public static DataAxis Of(ResultGrid grid, FindingRules rules)
    {
        var fractions = grid.DataLabels.Where(d => grid.Cells.Any(c => c.DataLabel == d && c.Runs.Any(r => r.DataFraction.HasValue))).ToList();
        if (rules.OtherDataOnAxis || fractions.Count < 2) return new DataAxis(grid.DataLabels, []);
        return new DataAxis(fractions, grid.DataLabels.Except(fractions).ToList());
    }

    /// <summary>One sentence for reports: the axis and why anything is left out.</summary>
    public string Describe() => LeftOut.Count == 0
        ? $"Data axis: {string.Join(", ", Labels)}."
        : $"Data axis: {string.Join(", ", Labels)} (fractions of one base set). Left out: {string.Join(", ", LeftOut)}, which is no " +
          "fraction of that set but another data set (other classes and images, while the val loss is measured on the base set's " +
          "validation images), so a gap to it mixes data size with a change of distribution (FindingRules.OtherDataOnAxis puts it on the axis).";
}
