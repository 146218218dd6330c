using static TorchSharp.torch;

namespace MimScale.Dense.Detection.Rpn;

/// <summary>
/// mmdet's <c>RandomSampler</c> (mmdet/models/task_modules/samplers/random_sampler.py) with neg_pos_ub -1: at most
/// int(num · pos_fraction) positives, the rest of <c>num</c> negatives, each drawn uniformly without replacement
/// (<c>randperm(len)[:k]</c> of the candidates in ascending index order) when there are more candidates than wanted,
/// otherwise all of them. Draws come from the run's generator, whose state every checkpoint keeps.
/// </summary>
/// <param name="Num">Samples per image (RPN 256, R-CNN 512).</param>
/// <param name="PosFraction">Wanted fraction of positives (RPN 0.5, R-CNN 0.25).</param>
public sealed record RandomSampler(int Num, double PosFraction)
{
    /// <summary>Positive and negative box indices (ascending candidates, then the random choice's order).</summary>
    public (long[] Positives, long[] Negatives) Sample(int[] assigned, Generator? generator)
    {
        var posCandidates = Enumerable.Range(0, assigned.Length).Where(j => assigned[j] > 0).Select(j => (long)j).ToArray();
        var negCandidates = Enumerable.Range(0, assigned.Length).Where(j => assigned[j] == 0).Select(j => (long)j).ToArray();
        int expectedPos = (int)(Num * PosFraction);
        var pos = Choose(posCandidates, expectedPos, generator);
        var neg = Choose(negCandidates, Num - pos.Length, generator);
        return (pos, neg);
    }

    static long[] Choose(long[] gallery, int num, Generator? generator)
    {
        if (gallery.Length <= num) return gallery;
        using var perm = randperm(gallery.Length, generator: generator);
        var p = perm.data<long>().ToArray();
        return p.Take(num).Select(i => gallery[i]).ToArray();
    }
}
