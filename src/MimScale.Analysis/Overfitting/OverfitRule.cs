namespace MimScale.Analysis.Overfitting;

/// <summary>
/// When a run counts as overfitting. Two forms, one threshold:
/// <list type="bullet">
/// <item><b>Curve rule</b> (runs with at least <see cref="MinValPoints"/> validation evaluations): the run overfits when
/// its final validation loss exceeds the minimum of its validation curve by more than <see cref="MinRelativeRise"/>
/// (relative to that minimum) AND the minimum is not at the last evaluation.</item>
/// <item><b>Cross-run rule</b> (runs without such a curve, e.g. the model-hub table): among the runs of the same
/// (model, data) at different lengths (seed means), a run overfits when its final validation loss exceeds the lowest
/// final validation loss of any shorter run by more than <see cref="MinRelativeRise"/>. The shortest run of a pair
/// with at least two lengths is non-overfitting by definition (nothing shorter to rise above); a pair with a single
/// length cannot be judged (Unknown).</item>
/// </list>
/// </summary>
/// <param name="MinRelativeRise">Relative rise of validation loss above its minimum that counts as overfitting (0.01 = 1%).</param>
/// <param name="MinValPoints">Validation evaluations a curve needs before the curve rule is used.</param>
public sealed record OverfitRule(double MinRelativeRise = 0.01, int MinValPoints = 3)
{
    /// <summary>The rule in one paragraph, for reports.</summary>
    public string Describe() =>
        $"Curve rule (runs with >= {MinValPoints} validation evaluations): overfitting if final val loss > min val loss x (1 + {MinRelativeRise:0.###}) " +
        $"and the minimum is not at the last evaluation. Cross-run rule (otherwise): within the same (model, data), a run overfits if its final " +
        $"val loss (mean over seeds) > the lowest final val loss of any shorter run x (1 + {MinRelativeRise:0.###}); the shortest length is " +
        "non-overfitting, a (model, data) pair with one length is Unknown. 'Train loss kept falling' compares train loss at the val-loss minimum with the final one.";
}
