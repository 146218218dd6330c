namespace MimScale.Analysis.Findings;

/// <summary>Outcome of testing one of the paper's claims on a study's results.</summary>
public enum FindingVerdict
{
    /// <summary>The stated rule is satisfied.</summary>
    Holds,
    /// <summary>The rule could be evaluated and is not satisfied.</summary>
    DoesNotHold,
    /// <summary>The results lack what the rule needs (runs, lengths, sizes, a metric or a training loss).</summary>
    NotEnoughData,
}

/// <summary>One sub-claim (a), (b) or (c) of a finding as the paper states it, its rule, verdict and the numbers behind it.</summary>
/// <param name="Id">"a", "b" or "c".</param>
/// <param name="Claim">The paper's sub-claim in one sentence.</param>
/// <param name="Rule">The exact test applied, with its thresholds.</param>
/// <param name="Verdict">Outcome.</param>
/// <param name="Numbers">The decisive numbers in one line (the findings table's cell), or what was missing.</param>
/// <param name="Evidence">Further lines with every number the rule looked at.</param>
public sealed record SubClaim(string Id, string Claim, string Rule, FindingVerdict Verdict, string Numbers, IReadOnlyList<string> Evidence)
{
    /// <summary>A sub-claim that could not be evaluated, with the reason as its numbers.</summary>
    public static SubClaim Missing(string id, string claim, string rule, string why) =>
        new(id, claim, rule, FindingVerdict.NotEnoughData, why, []);
}

/// <summary>
/// One of the paper's findings, reported as its sub-claims. The finding holds when every sub-claim holds; it does not
/// hold when any sub-claim does not hold; otherwise (some sub-claim lacks data, none fails) it is NotEnoughData: a
/// finding is never called true on the strength of part of its claim.
/// </summary>
/// <param name="Number">1, 2 or 3 as in SPEC §0.</param>
/// <param name="Title">Short title.</param>
/// <param name="Statement">The paper's claim in one sentence.</param>
/// <param name="Selection">How the runs, sizes and witness the sub-claims look at were chosen (stated, never fitted).</param>
/// <param name="SubClaims">(a), (b), (c) in order.</param>
/// <param name="Evidence">Lines about the whole finding (candidates considered, data sizes left out).</param>
public sealed record Finding(int Number, string Title, string Statement, string Selection, IReadOnlyList<SubClaim> SubClaims,
    IReadOnlyList<string> Evidence)
{
    /// <summary>Holds if every sub-claim holds, DoesNotHold if any does not hold, else NotEnoughData.</summary>
    public FindingVerdict Verdict => Combine(SubClaims.Select(s => s.Verdict));

    /// <summary>The sub-claim with id <paramref name="id"/> ("a", "b" or "c").</summary>
    public SubClaim Sub(string id) => SubClaims.Single(s => s.Id == id);

    /// <summary>The combination rule of <see cref="Verdict"/>; an empty list is NotEnoughData.</summary>
    public static FindingVerdict Combine(IEnumerable<FindingVerdict> verdicts)
    {
        var list = verdicts.ToList();
        if (list.Count == 0) return FindingVerdict.NotEnoughData;
        if (list.Contains(FindingVerdict.DoesNotHold)) return FindingVerdict.DoesNotHold;
        return list.All(v => v == FindingVerdict.Holds) ? FindingVerdict.Holds : FindingVerdict.NotEnoughData;
    }

    /// <summary>"holds", "does not hold" or "not enough data".</summary>
    public static string Words(FindingVerdict v) => v switch
    {
        FindingVerdict.Holds => "holds",
        FindingVerdict.DoesNotHold => "does not hold",
        _ => "not enough data",
    };
}
