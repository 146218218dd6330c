using MimScale.Data.Errors;
using MimScale.Data.Sources;
using MimScale.Data.Subsets;

namespace MimScale.Tests.Data.Subsets;

public class SubsetTests
{
    /// <summary>Classes a (10 images), b (7), c (3); no files needed to sample subsets.</summary>
    private static ImageFileSource SmallSource()
    {
        var ids = new List<string>();
        var labels = new List<int>();
        (string Name, int N)[] classes = [("a", 10), ("b", 7), ("c", 3)];
        for (int c = 0; c < classes.Length; c++)
            for (int k = 0; k < classes[c].N; k++) { ids.Add($"{classes[c].Name}/{k:D2}.png"); labels.Add(c); }
        return new ImageFileSource("/nonexistent", ids, labels, ["a", "b", "c"], "synthetic");
    }

    [Fact]
    public void CountRule_RoundsHalfAwayAndKeepsOne()
    {
        Assert.Equal(1, SubsetSampler.CountForFraction(0.1, 3));   // 0.3 -> 0 -> at least 1
        Assert.Equal(4, SubsetSampler.CountForFraction(0.5, 7));   // 3.5 -> 4
        Assert.Equal(130, SubsetSampler.CountForFraction(0.1, 1300));
        Assert.Equal(128, SubsetSampler.CountForFraction(0.1, 1276)); // 127.6
        Assert.Equal(7, SubsetSampler.CountForFraction(1.0, 7));
        Assert.Throws<ArgumentOutOfRangeException>(() => SubsetSampler.CountForFraction(0, 7));
        Assert.Throws<ArgumentOutOfRangeException>(() => SubsetSampler.CountForFraction(1.5, 7));
    }

    [Fact]
    public void Hashes_ArePinned_AgainstAnIndependentImplementation()
    {
        // Values from Data/reference_values.py (Python re-implementation of the streams and the canonical text).
        var m = SubsetSampler.ClassBalancedFractions(SmallSource(), [0.1, 0.5, 1.0], seed: 0);
        Assert.Equal((3, "58b4c7aab614bbc33093c6d87008079435bccae410ab2b53be4488a8230ea56a"), (m[0].Count, m[0].Hash));
        Assert.Equal((11, "688e2a805b43202f813fedda38d03cb2502fc478932b438a000860b7a3bfad59"), (m[1].Count, m[1].Hash));
        Assert.Equal((20, "dc20fa790e423e4dc48a556df90c69d73d63188bc6f2e0af245921fd44d73416"), (m[2].Count, m[2].Hash));
    }

    [Fact]
    public void Fractions_AreNestedClassBalancedAndSeeded()
    {
        var src = ManyClasses(classes: 12, minPerClass: 40, maxPerClass: 90);
        double[] fractions = [0.1, 0.2, 0.5, 1.0];
        var subsets = SubsetSampler.ClassBalancedFractions(src, fractions, seed: 3);
        for (int f = 0; f < fractions.Length; f++)
        {
            var perClass = subsets[f].Entries.GroupBy(e => e.Label).ToDictionary(g => g.Key, g => g.Count());
            Assert.Equal(12, perClass.Count);
            for (int c = 0; c < 12; c++)
            {
                int n = Enumerable.Range(0, src.Count).Count(i => src.GetLabel(i) == c);
                Assert.Equal(SubsetSampler.CountForFraction(fractions[f], n), perClass[c]);
            }
            if (f > 0)
            {
                var larger = subsets[f].Entries.Select(e => e.Id).ToHashSet();
                Assert.All(subsets[f - 1].Entries, e => Assert.Contains(e.Id, larger));
            }
        }
        Assert.Equal(src.Count, subsets[^1].Count);
        var again = SubsetSampler.ClassBalancedFractions(src, [0.2], seed: 3);
        Assert.Equal(subsets[1].Hash, again[0].Hash);
        var other = SubsetSampler.ClassBalancedFractions(src, [0.2], seed: 4);
        Assert.NotEqual(subsets[1].Hash, other[0].Hash);
        // Within a class, the chosen images are spread over the class (not the first n_c' ids).
        var firstClass = subsets[1].Entries.Where(e => e.Label == 0).Select(e => e.Id).ToList();
        Assert.NotEqual(Enumerable.Range(0, firstClass.Count).Select(k => $"c00/{k:D3}.jpg"), firstClass);
    }

    [Fact]
    public void ClassSubset_TakesAllImagesOfKClasses()
    {
        var src = ManyClasses(classes: 20, minPerClass: 5, maxPerClass: 9);
        var m = SubsetSampler.ClassSubset(src, 7, seed: 1);
        var labels = m.Entries.Select(e => e.Label).Distinct().ToList();
        Assert.Equal(7, labels.Count);
        foreach (var c in labels)
            Assert.Equal(Enumerable.Range(0, src.Count).Count(i => src.GetLabel(i) == c), m.Entries.Count(e => e.Label == c));
        Assert.Equal(m.Hash, SubsetSampler.ClassSubset(src, 7, seed: 1).Hash);
        Assert.Throws<ArgumentOutOfRangeException>(() => SubsetSampler.ClassSubset(src, 21, seed: 1));
    }

    [Fact]
    public void Manifest_RoundTripsAndDetectsEdits()
    {
        using var tmp = new TempFolder();
        var m = SubsetSampler.ClassBalancedFractions(SmallSource(), [0.5], seed: 0)[0];
        m.Save(tmp["m.tsv"]);
        var back = Manifest.Load(tmp["m.tsv"]);
        Assert.Equal(m.Hash, back.Hash);
        Assert.Equal(m.Entries, back.Entries);
        Assert.Equal(["a", "b", "c"], back.ClassNames);
        Assert.Equal("0.5", back.Get("fraction"));
        var stats = DatasetStats.Of(back);
        Assert.Equal(new DatasetStats(3, 11, 2, 11 / 3.0, 5), stats);

        var lines = File.ReadAllLines(tmp["m.tsv"]).ToList();
        lines[^1] = lines[^1].Replace("\t2", "\t1");
        File.WriteAllLines(tmp["edited.tsv"], lines);
        var e = Assert.Throws<DataSourceException>(() => Manifest.Load(tmp["edited.tsv"]));
        Assert.Contains("edited.tsv", e.Message);
        Assert.Contains("does not match the recorded sha256", e.Message);

        File.WriteAllText(tmp["broken.tsv"], "a/00.png 3\n");
        Assert.Contains("line 1", Assert.Throws<DataSourceException>(() => Manifest.Load(tmp["broken.tsv"])).Message);
    }

    [Fact]
    public void SubsetSource_ResolvesManifestIdsInTheBaseSource()
    {
        var src = SmallSource();
        var m = SubsetSampler.ClassBalancedFractions(src, [0.5], seed: 0)[0];
        var sub = SubsetSource.FromManifest(src, m);
        Assert.Equal(11, sub.Count);
        for (int i = 0; i < sub.Count; i++) Assert.Equal(m.Entries[i], new ManifestEntry(sub.GetId(i), sub.GetLabel(i)));
        var wrong = new Manifest([new ManifestEntry("z/none.png", 0)]);
        Assert.Contains("'z/none.png' is not in source", Assert.Throws<DataSourceException>(() => SubsetSource.FromManifest(src, wrong, "w.tsv")).Message);
    }

    [FashionMnistFact]
    public void Stats_OfFashionMnist_IsTable2Style()
    {
        var s = DatasetStats.Of(FashionMnist.Open(FashionMnist.DebianPath, FashionMnistSplit.Train));
        Assert.Equal(new DatasetStats(10, 60000, 6000, 6000, 6000), s);
        Assert.Contains("60000", s.ToTable("fashion-mnist"));
    }

    private static ImageFileSource ManyClasses(int classes, int minPerClass, int maxPerClass)
    {
        var ids = new List<string>();
        var labels = new List<int>();
        for (int c = 0; c < classes; c++)
        {
            int n = minPerClass + (c * 7919) % (maxPerClass - minPerClass + 1);
            for (int k = 0; k < n; k++) { ids.Add($"c{c:D2}/{k:D3}.jpg"); labels.Add(c); }
        }
        return new ImageFileSource("/nonexistent", ids, labels, Enumerable.Range(0, classes).Select(c => $"c{c:D2}").ToArray(), "synthetic");
    }
}

public class DataCommandTests
{
    [Fact]
    public void SubsetCommand_WritesNestedManifests_AndStatsReadsThem()
    {
        using var tmp = new TempFolder();
        MimScale.Data.Sources.SyntheticImageFolder.Write(tmp["ds/train"], classes: 3, perClass: 10, width: 8, height: 8);
        var root = new System.CommandLine.RootCommand();
        root.Subcommands.Add(MimScale.Cli.Commands.DataCommand.Create());
        int rc = root.Parse(["data", "subset", "--source", tmp["ds"], "--fractions", "0.2,0.5", "--seed", "0", "--out", tmp["out"]]).Invoke();
        Assert.Equal(0, rc);
        var small = Manifest.Load(tmp["out/fraction-0.2-seed0.manifest.tsv"]);
        var large = Manifest.Load(tmp["out/fraction-0.5-seed0.manifest.tsv"]);
        Assert.Equal((6, 15), (small.Count, large.Count));
        Assert.Subset(large.Entries.ToHashSet(), small.Entries.ToHashSet());
        Assert.Equal(0, root.Parse(["data", "stats", "--manifest", tmp["out/fraction-0.2-seed0.manifest.tsv"]]).Invoke());
        Assert.Equal(1, root.Parse(["data", "stats", "--source", tmp["missing"]]).Invoke());
    }
}
