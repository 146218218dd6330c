using System.Diagnostics;
using MimScale.Dense.Coco;

namespace MimScale.Bench;

/// <summary>What `bench coco-eval` evaluates: a synthetic COCO-sized ground truth and detection set.</summary>
/// <param name="Images">Images (COCO val2017: 5,000).</param>
/// <param name="Detections">Detections per image (mmdet's max_per_img: 100).</param>
/// <param name="Objects">Ground-truth objects per image (COCO val2017 averages 7.3).</param>
/// <param name="Categories">Categories (COCO: 80).</param>
/// <param name="Width">Image width (COCO's typical 640).</param>
/// <param name="Height">Image height (COCO's typical 480).</param>
/// <param name="Seed">Seed of the synthetic boxes, categories and scores.</param>
public sealed record CocoEvalBenchOptions(int Images = 5000, int Detections = 100, int Objects = 7, int Categories = 80, int Width = 640,
    int Height = 480, int Seed = 0);

/// <summary>
/// Wall time of <see cref="CocoEvaluator.Evaluate"/> (evaluate + accumulate + summarize, as pycocotools' three calls)
/// for box and mask AP on a synthetic set the size of COCO val2017 with a detector's full output: per image
/// <c>Objects</c> ground-truth rectangles of random category, and <c>Detections</c> detections of which about half
/// are jittered copies of a ground-truth box (same category, so matches at various IoUs) and the rest random boxes of
/// random categories, all with random scores. Masks are the boxes' rectangles as RLE (two runs per column, as a
/// compact real mask has), so the segm evaluation pays RLE IoUs over mask runs, not box arithmetic.
/// </summary>
public static class CocoEvalBenchmark
{
    public static void Run(CocoEvalBenchOptions o, TextWriter output)
    {
        var build = Stopwatch.StartNew();
        var (truth, detections) = Make(o);
        output.WriteLine($"bench coco-eval: {o.Images} images {o.Width}x{o.Height}, {truth.Annotations.Count} ground-truth objects, " +
                         $"{detections.Count} detections, {o.Categories} categories (synthetic set built in {build.Elapsed.TotalSeconds:F1} s)");
        foreach (var type in new[] { CocoIouType.Bbox, CocoIouType.Segm })
        {
            var sw = Stopwatch.StartNew();
            var stats = CocoEvaluator.Evaluate(truth, detections, type).Stats;
            double seconds = sw.Elapsed.TotalSeconds;
            output.WriteLine($"  {(type == CocoIouType.Bbox ? "bbox" : "segm")}: {seconds:F1} s ({1000 * seconds / o.Images:F2} ms/image); AP {100 * stats.AP:F2} AP50 {100 * stats.AP50:F2}");
        }
    }

    /// <summary>The synthetic ground truth and detections (deterministic for the seed).</summary>
    public static (CocoDataset Truth, List<CocoDetection> Detections) Make(CocoEvalBenchOptions o)
    {
        if (o.Images <= 0 || o.Detections < 0 || o.Objects < 0 || o.Categories <= 0 || o.Width < 16 || o.Height < 16)
            throw new ArgumentException("coco-eval: images and categories must be positive, counts non-negative, sides at least 16");
        var rng = new Random(o.Seed);
        var images = Enumerable.Range(1, o.Images).Select(i => new CocoImage(i, o.Width, o.Height)).ToList();
        var categories = Enumerable.Range(1, o.Categories).Select(c => new CocoCategory(c, $"c{c}")).ToList();
        var annotations = new List<CocoAnnotation>(o.Images * o.Objects);
        var detections = new List<CocoDetection>(o.Images * o.Detections);
        long annId = 1;
        foreach (var image in images)
        {
            var boxes = new List<(int X, int Y, int W, int H, long Cat)>();
            for (int g = 0; g < o.Objects; g++)
            {
                var b = RandomBox(rng, o.Width, o.Height);
                long cat = 1 + rng.Next(o.Categories);
                boxes.Add((b.X, b.Y, b.W, b.H, cat));
                annotations.Add(CocoAnnotation.FromMask(annId++, image.Id, cat, Rectangle(b.X, b.Y, b.W, b.H, o.Width, o.Height)));
            }
            for (int d = 0; d < o.Detections; d++)
            {
                (int X, int Y, int W, int H) b;
                long cat;
                if (boxes.Count > 0 && rng.NextDouble() < 0.5)
                {
                    var t = boxes[rng.Next(boxes.Count)];
                    b = Jitter(rng, t.X, t.Y, t.W, t.H, o.Width, o.Height);
                    cat = t.Cat;
                }
                else
                {
                    b = RandomBox(rng, o.Width, o.Height);
                    cat = 1 + rng.Next(o.Categories);
                }
                var mask = Rectangle(b.X, b.Y, b.W, b.H, o.Width, o.Height);
                detections.Add(new CocoDetection(image.Id, cat, rng.NextDouble(), new CocoBox(b.X, b.Y, b.W, b.H), CocoSegmentation.FromRle(mask)));
            }
        }
        return (new CocoDataset(images, categories, annotations, "synthetic"), detections);
    }

    // Sides log-uniform in [8, min(side, 320)]: COCO's mix of small, medium and large objects.
    static (int X, int Y, int W, int H) RandomBox(Random rng, int width, int height)
    {
        int w = LogUniform(rng, 8, Math.Min(width, 320)), h = LogUniform(rng, 8, Math.Min(height, 320));
        return (rng.Next(width - w + 1), rng.Next(height - h + 1), w, h);
    }

    static int LogUniform(Random rng, int lo, int hi) => (int)Math.Round(Math.Exp(Math.Log(lo) + rng.NextDouble() * (Math.Log(hi) - Math.Log(lo))));

    // A detection near a ground-truth box: each edge moved by up to 20% of the side (IoUs from ~0.4 to 1).
    static (int X, int Y, int W, int H) Jitter(Random rng, int x, int y, int w, int h, int width, int height)
    {
        int x1 = Math.Clamp(x + (int)Math.Round((rng.NextDouble() - 0.5) * 0.4 * w), 0, width - 1);
        int y1 = Math.Clamp(y + (int)Math.Round((rng.NextDouble() - 0.5) * 0.4 * h), 0, height - 1);
        int x2 = Math.Clamp(x + w + (int)Math.Round((rng.NextDouble() - 0.5) * 0.4 * w), x1 + 1, width);
        int y2 = Math.Clamp(y + h + (int)Math.Round((rng.NextDouble() - 0.5) * 0.4 * h), y1 + 1, height);
        return (x1, y1, x2 - x1, y2 - y1);
    }

    /// <summary>
    /// The RLE of the filled rectangle [x, x+w) x [y, y+h) in a height x width mask, built from its runs (column-major,
    /// starting with zeros, as maskApi.c's rleEncode would give for the decoded mask).
    /// </summary>
    public static Rle Rectangle(int x, int y, int w, int h, int width, int height)
    {
        var counts = new List<uint>(2 * w + 2);
        if (h == height)
            counts.AddRange(new[] { (uint)(x * height), (uint)(w * height) });   // full height: one run, no zero-length runs between columns
        else
        {
            uint zeros = (uint)(x * height + y);
            for (int c = 0; c < w; c++)
            {
                counts.Add(zeros);
                counts.Add((uint)h);
                zeros = (uint)(height - h);   // this column's rows below the box, then the next column's rows above it
            }
        }
        // after the last column: its rows below the box, then the columns right of the box (no trailing zero run)
        uint tail = (uint)(height - y - h + (width - x - w) * height);
        if (tail > 0) counts.Add(tail);
        return new Rle(height, width, counts);
    }
}
