using System.Text.Json;
using MimScale.Dense.Coco;

namespace MimScale.Tests.Dense.Coco;

/// <summary>The pycocotools 2.0.11 outputs in tests/fixtures/coco-eval (written by its generate.py).</summary>
internal static class CocoFixture
{
    public static string Dir => Fixtures.Dir("coco-eval");

    public static string PathOf(string relative) => Path.Combine(Dir, relative);

    private static readonly Lazy<JsonElement> MaskApiRoot = new(() => Load("mask_api.json"));
    private static readonly Lazy<JsonElement> ExpectedRoot = new(() => Load("eval_expected.json"));

    /// <summary>mask_api.json: encode, strings, polygons, merge, iou.</summary>
    public static JsonElement MaskApi => MaskApiRoot.Value;

    /// <summary>eval_expected.json: per case, the gt/dt files and per iou type the stats, lines, recall, category AP.</summary>
    public static JsonElement Expected => ExpectedRoot.Value;

    private static JsonElement Load(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(PathOf(name)));
        return doc.RootElement.Clone();
    }

    public static uint[] Counts(JsonElement e) => e.EnumerateArray().Select(v => v.GetUInt32()).ToArray();

    public static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    public static CocoBox Box(JsonElement e) => new(e[0].GetDouble(), e[1].GetDouble(), e[2].GetDouble(), e[3].GetDouble());

    /// <summary>Rows of '0'/'1' characters as mask[y, x].</summary>
    public static bool[,] Mask(JsonElement rows)
    {
        var r = rows.EnumerateArray().Select(v => v.GetString()!).ToArray();
        var m = new bool[r.Length, r[0].Length];
        for (int y = 0; y < r.Length; y++)
            for (int x = 0; x < r[y].Length; x++) m[y, x] = r[y][x] == '1';
        return m;
    }

    /// <summary>Evaluates one fixture case with MimScale (reading both files as the CLI does).</summary>
    public static CocoEvaluation Evaluate(string caseName, CocoIouType type)
    {
        var c = Expected.GetProperty(caseName);
        var gt = CocoDataset.Read(PathOf(c.GetProperty("gt").GetString()!));
        var dt = CocoResults.Read(PathOf(c.GetProperty("dt").GetString()!), gt);
        return CocoEvaluator.Evaluate(gt, dt, type);
    }

    public static double[] ExpectedStats(string caseName, string type) =>
        Doubles(Expected.GetProperty(caseName).GetProperty(type).GetProperty("stats"));
}
