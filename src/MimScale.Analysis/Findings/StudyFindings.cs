namespace MimScale.Analysis.Findings;

/// <summary>The three findings of a study with what their figures highlight.</summary>
/// <param name="Overfit">Finding 1.</param>
/// <param name="Length">Finding 2.</param>
/// <param name="Proxy">Finding 3.</param>
/// <param name="Axis">The data axis of findings 1 and 2.</param>
/// <param name="Witness">Finding 1's witness (marked in the loss, metric and Table 3 figures), or null.</param>
/// <param name="Phase">Finding 3(c)'s phase split (drawn in the val loss vs metric figure), or null.</param>
public sealed record StudyFindings(Finding Overfit, Finding Length, Finding Proxy, DataAxis Axis, OverfitWitness? Witness, PhaseSplit? Phase)
{
    /// <summary>Findings 1, 2, 3 in order.</summary>
    public IReadOnlyList<Finding> All => [Overfit, Length, Proxy];
}
