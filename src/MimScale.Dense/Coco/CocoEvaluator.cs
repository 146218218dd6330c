using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MimScale.Dense.Coco;

/// <summary>
/// COCO box and mask AP exactly as pycocotools' COCOeval computes them (cocoeval.py evaluate / accumulate /
/// summarize, with loadRes' handling of results): per image and category, detections in score order (at most
/// maxDets[-1]) are matched greedily to ground truths at each IoU threshold; crowd regions and ground truths
/// outside the area range are ignored, as are detections matched to them and unmatched detections outside the
/// range; precision is read at 101 recall points from the monotone envelope.
/// </summary>
/// <example><code>
/// var gt = CocoDataset.Read("instances_val.json");
/// var dt = CocoResults.Read("detections.json", gt);
/// CocoStats s = CocoEvaluator.Evaluate(gt, dt, CocoIouType.Bbox).Stats;   // s.AP, s.AP50, ...
/// </code></example>
public static class CocoEvaluator
{
    /// <summary>
    /// `mimscale detect evaluate`: reads ground truth and results, evaluates, writes the 12 numbers as JSON
    /// (keys <see cref="CocoStats.Keys"/>) and prints pycocotools' 12 summary lines to <paramref name="log"/>.
    /// </summary>
    public static CocoStats EvaluateFiles(string annotationsPath, string resultsPath, CocoIouType iouType, string outputPath, TextWriter log)
    {
        var truth = CocoDataset.Read(annotationsPath);
        var results = CocoResults.Read(resultsPath, truth);
        var stats = Evaluate(truth, results, iouType, resultsSource: resultsPath).Stats;
        foreach (var line in stats.SummaryLines()) log.WriteLine(line);
        string? dir = Path.GetDirectoryName(Path.GetFullPath(outputPath));
        if (dir is not null) Directory.CreateDirectory(dir);
        stats.WriteJson(outputPath);
        return stats;
    }

    /// <summary>Evaluates detections against ground truth; see the class summary for the rules.</summary>
    /// <param name="truth">The ground-truth dataset.</param>
    /// <param name="detections">The detections to score.</param>
    /// <param name="iouType">Boxes or masks.</param>
    /// <param name="parameters">Evaluation parameters (default: COCO's, as pycocotools sets them).</param>
    /// <param name="resultsSource">names the detections in error messages (e.g. the results file).</param>
    /// <exception cref="InvalidDataException">a detection or annotation lacks what <paramref name="iouType"/> needs.</exception>
    public static CocoEvaluation Evaluate(CocoDataset truth, IReadOnlyList<CocoDetection> detections, CocoIouType iouType,
                                          CocoEvalParams? parameters = null, string resultsSource = "results")
    {
        var p = parameters ?? CocoEvalParams.Default;
        p.Validate();
        CocoResults.Check(detections, truth, resultsSource);
        var loaded = new LoadedResults(detections, truth, resultsSource);

        long[] imgIds = truth.Images.Select(i => i.Id).Order().ToArray();
        long[] catIds = truth.Categories.Select(c => c.Id).Order().ToArray();
        var imgIndex = Index(imgIds);
        var catIndex = Index(catIds);
        int I = imgIds.Length, Kc = catIds.Length;

        // Group annotations and detections by (category, image), keeping file order within a group
        // (pycocotools' getAnnIds walks images, then each image's annotations in file order).
        var gtGroups = Group(truth.Annotations.Count, j => (catIndex[truth.Annotations[j].CategoryId], imgIndex[truth.Annotations[j].ImageId]), Kc, I);
        var dtGroups = Group(detections.Count, j => (catIndex[detections[j].CategoryId], imgIndex[detections[j].ImageId]), Kc, I);
        if (!p.UseCategories)
        {
            // useCats=0: one pseudo-category; each image's list is the concatenation over ascending category ids.
            gtGroups = [Enumerable.Range(0, I).Select(i => gtGroups.SelectMany(byCat => byCat[i]).ToList()).ToArray()];
            dtGroups = [Enumerable.Range(0, I).Select(i => dtGroups.SelectMany(byCat => byCat[i]).ToList()).ToArray()];
        }
        IReadOnlyList<long> evalCats = p.UseCategories ? catIds : [-1];
        int K = evalCats.Count, T = p.IouThresholds.Count, R = p.RecallThresholds.Count, A = p.AreaRanges.Count, M = p.MaxDetections.Count;
        var precision = new double[T, R, K, A, M];
        var recall = new double[T, K, A, M];
        Fill(precision, -1);
        Fill(recall, -1);

        var images = imgIds.Select(id => truth.FindImage(id)!).ToArray();
        for (int k = 0; k < K; k++)
        {
            var pair = new PairEvaluator(truth, loaded, iouType, p, truth.Source);
            var acc = new CategoryAccumulator(p);
            for (int i = 0; i < I; i++)
                pair.Evaluate(images[i], gtGroups[k][i], dtGroups[k][i], acc);
            acc.Accumulate(k, precision, recall);
        }
        return new CocoEvaluation(p, iouType, evalCats, precision, recall);
    }

    private static Dictionary<long, int> Index(long[] ids)
    {
        var d = new Dictionary<long, int>(ids.Length);
        for (int i = 0; i < ids.Length; i++) d[ids[i]] = i;
        return d;
    }

    private static List<int>[][] Group(int n, Func<int, (int K, int I)> key, int K, int I)
    {
        var groups = new List<int>[K][];
        for (int k = 0; k < K; k++)
        {
            groups[k] = new List<int>[I];
            for (int i = 0; i < I; i++) groups[k][i] = [];
        }
        for (int j = 0; j < n; j++)
        {
            var (k, i) = key(j);
            groups[k][i].Add(j);
        }
        return groups;
    }

    /// <summary>Sets every element of a multi-dimensional double array (stored contiguously).</summary>
    private static void Fill(Array a, double v) =>
        MemoryMarshal.CreateSpan(ref Unsafe.As<byte, double>(ref MemoryMarshal.GetArrayDataReference(a)), a.Length).Fill(v);
}
