using System.Text.Json;
using MimScale.Data.Random;
using MimScale.Data.Transforms;

namespace MimScale.Tests.Data.Transforms;

/// <summary>
/// Each of the 15 RandAugment ops at magnitudes 4.5 and 9, both signs, against PIL's output for the same op on a 24 x 20
/// image (tests/fixtures/randaugment: generate.py writes each timm op from its PIL calls; VERSIONS has the packages).
/// </summary>
public class RandAugmentTests
{
    sealed record Case(string Op, int Index, double Magnitude, int Sign, byte[] Rgb);

    static readonly Lazy<(int W, int H, byte[] Input, List<Case> Cases)> Reference = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.Dir("randaugment"), "cases.json")));
        var root = doc.RootElement;
        var cases = root.GetProperty("cases").EnumerateArray().Select(c => new Case(c.GetProperty("op").GetString()!, c.GetProperty("index").GetInt32(),
            c.GetProperty("magnitude").GetDouble(), c.GetProperty("sign").GetInt32(), Convert.FromBase64String(c.GetProperty("rgb").GetString()!))).ToList();
        return (root.GetProperty("width").GetInt32(), root.GetProperty("height").GetInt32(), Convert.FromBase64String(root.GetProperty("input").GetString()!), cases);
    });

    /// <summary>A generator whose first Bernoulli(0.5), the sign draw of a signed op, says "negate" exactly when <paramref name="negative"/>.</summary>
    static DataRng SignRng(bool negative)
    {
        for (ulong seed = 0; ; seed++)
        {
            var probe = new DataRng(seed);
            if (probe.Bernoulli(0.5) == negative) return new DataRng(seed);
        }
    }

    public static TheoryData<string, double, int> AllCases()
    {
        var data = new TheoryData<string, double, int>();
        foreach (var c in Reference.Value.Cases) data.Add(c.Op, c.Magnitude, c.Sign);
        return data;
    }

    [Fact]
    public void TheFixtureCoversAll15Ops() =>
        Assert.Equal(RandAugment.Ops, Reference.Value.Cases.Select(c => c.Op).Distinct());

    [Theory]
    [MemberData(nameof(AllCases))]
    public void EachOpMatchesPil(string op, double magnitude, int sign)
    {
        var (w, h, input, cases) = Reference.Value;
        var c = cases.Single(x => x.Op == op && x.Magnitude == magnitude && x.Sign == sign);
        Assert.Equal(op, RandAugment.Ops[c.Index]);
        var img = (byte[])input.Clone();
        var rng = SignRng(sign < 0);
        RandAugment.ApplyOp(c.Index, magnitude, ref rng, img, w, h);
        int differ = 0, maxDiff = 0;
        for (int i = 0; i < img.Length; i++)
        {
            int d = Math.Abs(img[i] - c.Rgb[i]);
            if (d > 0) differ++;
            maxDiff = Math.Max(maxDiff, d);
        }
        Assert.True(differ == 0, $"{op} m={magnitude} sign={sign}: {differ} of {img.Length} values differ, max {maxDiff}");
    }
}
