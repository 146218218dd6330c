using MimScale.Analysis.Grid;

namespace MimScale.Analysis.Findings;

/// <summary>
/// The (model, data) pair finding 1 reports, with what its figures highlight: the run at the longer length (marked in the
/// loss and metric plots) and the four Table 3 cells of the inversion.
/// </summary>
/// <param name="Model">The larger model.</param>
/// <param name="Data">The smaller data size.</param>
/// <param name="Shorter">Cell at the shortest length compared (null when the pair has one length).</param>
/// <param name="Longer">Cell at the longest length of the pair.</param>
/// <param name="Competitor">Smaller model of the Table 3 comparison, or null when none could be compared.</param>
/// <param name="LargestData">Largest data size of the Table 3 comparison, or null.</param>
/// <param name="HoldsAll">Whether every sub-claim holds for this pair.</param>
public sealed record OverfitWitness(string Model, string Data, GridCell? Shorter, GridCell Longer, string? Competitor, string? LargestData,
    bool HoldsAll)
{
    /// <summary>The Table 3 cells of the inversion as (model, data) pairs; empty without a competitor.</summary>
    public IReadOnlyList<(string Model, string Data)> InversionCells =>
        Competitor is null || LargestData is null ? [] :
        [(Model, Data), (Competitor, Data), (Model, LargestData), (Competitor, LargestData)];
}
