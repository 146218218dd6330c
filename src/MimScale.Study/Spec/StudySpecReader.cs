using System.Text.RegularExpressions;
using MimScale.Models.Zoo;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MimScale.Study.Spec;

/// <summary>
/// Reads <c>studies/*.yaml</c> into a <see cref="StudySpec"/>. Every key is checked: a misspelt key, a missing
/// required one, an unknown model or a bad value fails with a <see cref="StudySpecException"/> naming the file, the line
/// and the key. The open maps (<c>pretrain</c> and one per evaluation) are passed through.
/// </summary>
public static partial class StudySpecReader
{
    // Every known evaluation has its recipe map under its own name.
    private static readonly string[] TopKeys =
        ["name", "description", "models", "data", "lengths", "seeds", "share_trunks", "evaluations", "pretrain", "report_metric", "decoder_arm",
         "scratch_reference", .. StudySpec.KnownEvaluations];
    private static readonly string[] DecoderArmKeys = ["decoders", "models", "fractions"];
    private static readonly string[] DataKeys = ["name", "source", "val_source", "eval_source", "subset_seed", "fractions", "class_subsets", "other_sources"];
    private static readonly string[] OtherSourceKeys = ["name", "source", "fractions"];

    /// <summary>Reads and validates the spec file at <paramref name="path"/>.</summary>
    public static StudySpec Load(string path)
    {
        if (!File.Exists(path)) throw new StudySpecException(path, null, "study spec not found");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses spec text; <paramref name="file"/> names it in errors.</summary>
    public static StudySpec Parse(string text, string file)
    {
        var y = new YamlReading(file);
        var stream = new YamlStream();
        try { stream.Load(new StringReader(text)); }
        catch (YamlException e) { throw new StudySpecException(file, (int)e.Start.Line, "invalid YAML: " + e.Message, e); }
        if (stream.Documents.Count != 1) throw new StudySpecException(file, null, "expected exactly one YAML document");
        var top = y.Entries(y.Mapping(stream.Documents[0].RootNode, "study"), "the study", TopKeys);

        YamlNode Need(Dictionary<string, YamlNode> map, string key, string where) =>
            map.TryGetValue(key, out var n) ? n : throw new StudySpecException(file, null, $"missing required key '{key}' in {where}");

        var nameNode = Need(top, "name", "the study");
        var name = y.Scalar(nameNode, "name");
        if (!NamePattern().IsMatch(name)) throw y.Error(nameNode, $"'name' must be letters, digits, '.', '_' or '-', got '{name}'");
        var description = top.TryGetValue("description", out var dn) ? y.Scalar(dn, "description") : "";

        var models = new List<string>();
        foreach (var m in y.Sequence(Need(top, "models", "the study"), "models"))
        {
            var s = y.Scalar(m, "models");
            string zooName;
            try { zooName = ModelZoo.Get(s).Name; }
            catch (ArgumentException e) { throw y.Error(m, e.Message); }
            if (models.Contains(zooName)) throw y.Error(m, $"model '{s}' is listed twice");
            models.Add(zooName);
        }
        if (models.Count == 0) throw new StudySpecException(file, null, "'models' is empty");

        var data = ReadData(y, y.Mapping(Need(top, "data", "the study"), "data"));

        bool share = !top.TryGetValue("share_trunks", out var st) || y.Bool(st, "share_trunks");
        var lengths = new List<long>();
        foreach (var n in y.Sequence(Need(top, "lengths", "the study"), "lengths"))
        {
            long t = y.Count(n, "lengths");
            if (t <= 1) throw y.Error(n, $"length {t} must be at least 2 iterations");
            if (lengths.Contains(t)) throw y.Error(n, $"length {t} is listed twice");
            lengths.Add(t);
        }
        if (lengths.Count == 0) throw new StudySpecException(file, null, "'lengths' is empty");
        lengths.Sort();

        var seeds = new List<int>();
        foreach (var n in y.Sequence(top.TryGetValue("seeds", out var sn) ? sn : new YamlSequenceNode(new YamlScalarNode("0")), "seeds"))
        {
            long s = y.Count(n, "seeds");
            if (s < 0 || s > int.MaxValue) throw y.Error(n, $"seed {s} must be in 0..{int.MaxValue}");
            if (seeds.Contains((int)s)) throw y.Error(n, $"seed {s} is listed twice");
            seeds.Add((int)s);
        }

        var evaluations = new List<string>();
        if (top.TryGetValue("evaluations", out var en))
            foreach (var n in y.Sequence(en, "evaluations"))
            {
                var e = y.Scalar(n, "evaluations");
                if (e is "val_loss") continue; // always measured; accepted for readability
                if (!StudySpec.KnownEvaluations.Contains(e))
                    throw y.Error(n, $"unknown evaluation '{e}'; known: val_loss (always), {string.Join(", ", StudySpec.KnownEvaluations)}");
                if (evaluations.Contains(e)) throw y.Error(n, $"evaluation '{e}' is listed twice");
                evaluations.Add(e);
            }
        // Run order is fixed (cheap first), whatever the spec's order.
        evaluations = StudySpec.KnownEvaluations.Where(evaluations.Contains).ToList();

        var pretrainNode = Need(top, "pretrain", "the study");
        var pretrain = y.Recipe(pretrainNode, "pretrain");
        if (!pretrain.Contains("batch_size")) throw y.Error(pretrainNode, "'pretrain' needs 'batch_size' (used by the compute estimate and the engine)");
        long batch;
        try { batch = pretrain.TryLong("batch_size")!.Value; }
        catch (StudySpecException e) { throw y.Error(pretrainNode, e.Problem); }
        if (batch <= 0) throw y.Error(pretrainNode, $"pretrain batch_size must be positive, got {batch}");

        var recipes = new Dictionary<string, RecipeMap>(StringComparer.Ordinal);
        foreach (var e in StudySpec.KnownEvaluations)
            recipes[e] = top.TryGetValue(e, out var rn) ? y.Recipe(rn, e) : RecipeMap.Empty($"{file}: {e}");

        string metric;
        if (top.TryGetValue("report_metric", out var rm)) metric = y.Scalar(rm, "report_metric");
        else metric = evaluations.Contains("finetune") ? StudySpec.TopMetric("finetune")
            : evaluations.Count > 0 ? StudySpec.TopMetric(evaluations[^1]) : StudySpec.TopMetric("finetune");

        var decoderArm = top.TryGetValue("decoder_arm", out var da) ? ReadDecoderArm(y, y.Mapping(da, "decoder_arm"), models, data) : null;

        // The reference runs the downstream evaluations only: the validation loss needs a trained decoder, so a spec
        // whose only evaluation is val_loss has nothing to compare.
        bool scratch = top.TryGetValue("scratch_reference", out var sr) && y.Bool(sr, "scratch_reference");
        if (scratch && evaluations.Count == 0)
            throw y.Error(sr, $"'scratch_reference' needs a downstream evaluation ({string.Join(", ", StudySpec.KnownEvaluations)}): " +
                              "the validation loss has no meaning without a pre-trained decoder");
        return new StudySpec(name, description, models, data, lengths, seeds, share, evaluations, pretrain, recipes, metric, file, text)
        {
            DecoderArm = decoderArm,
            ScratchReference = scratch,
        };
    }

    private static DecoderArm ReadDecoderArm(YamlReading y, YamlMappingNode node, IReadOnlyList<string> studyModels, DataSpec data)
    {
        var d = y.Entries(node, "decoder_arm", DecoderArmKeys);
        if (!d.TryGetValue("decoders", out var dn)) throw y.Error(node, "missing required key 'decoders' in decoder_arm (e.g. [transformer-1, transformer-2])");
        var decoders = new List<DecoderVariant>();
        foreach (var n in y.Sequence(dn, "decoders"))
        {
            var v = DecoderVariant.Parse(y.Scalar(n, "decoders"))
                    ?? throw y.Error(n, $"decoder '{y.Scalar(n, "decoders")}' must be 'linear' or 'transformer-k' with k >= 1 blocks");
            if (decoders.Contains(v)) throw y.Error(n, $"decoder '{v.Label}' is listed twice");
            decoders.Add(v);
        }
        if (decoders.Count == 0) throw y.Error(dn, "'decoders' is empty");

        var models = new List<string>();
        if (d.TryGetValue("models", out var mn))
            foreach (var n in y.Sequence(mn, "models"))
            {
                var s = y.Scalar(n, "models");
                var hit = studyModels.FirstOrDefault(m => string.Equals(m, s, StringComparison.OrdinalIgnoreCase))
                          ?? throw y.Error(n, $"decoder_arm model '{s}' is not one of the study's models ({string.Join(", ", studyModels)})");
                if (!models.Contains(hit)) models.Add(hit);
            }
        else models.AddRange(studyModels);

        var fractions = data.Variants.Where(v => v.Kind == DataVariantKind.Fraction).ToList();
        var variants = new List<DataVariant>();
        if (d.TryGetValue("fractions", out var fn))
            foreach (var n in y.Sequence(fn, "fractions"))
            {
                var v = DataVariant.OfFraction(y.Number(n, "fractions"));
                if (!fractions.Contains(v))
                    throw y.Error(n, $"decoder_arm fraction {v.Fraction} is not one of data.fractions ({string.Join(", ", fractions.Select(f => f.Fraction))})");
                if (!variants.Contains(v)) variants.Add(v);
            }
        else variants.AddRange(fractions);
        if (variants.Count == 0) throw y.Error(node, "decoder_arm needs a class-balanced fraction in data.fractions (class subsets are an arm of their own)");
        return new DecoderArm(decoders, models, variants);
    }

    private static DataSpec ReadData(YamlReading y, YamlMappingNode node)
    {
        var d = y.Entries(node, "data", DataKeys);
        if (!d.TryGetValue("source", out var srcNode)) throw y.Error(node, "missing required key 'source' in data");
        var source = y.Scalar(srcNode, "source");
        if (!d.TryGetValue("val_source", out var valNode))
            throw y.Error(node, "missing required key 'val_source' in data (the held-out set of the validation loss, e.g. fashion-mnist@test)");
        var val = y.Scalar(valNode, "val_source");
        var eval = d.TryGetValue("eval_source", out var evNode) ? y.Scalar(evNode, "eval_source") : source;
        var name = d.TryGetValue("name", out var nn) ? y.Scalar(nn, "name") : source;
        ulong seed = 0;
        if (d.TryGetValue("subset_seed", out var sn))
        {
            long s = y.Count(sn, "subset_seed");
            if (s < 0) throw y.Error(sn, "subset_seed must be >= 0");
            seed = (ulong)s;
        }
        var variants = new List<DataVariant>();
        if (d.TryGetValue("fractions", out var fn))
            foreach (var n in y.Sequence(fn, "fractions"))
            {
                double f = y.Number(n, "fractions");
                if (!(f > 0 && f <= 1)) throw y.Error(n, $"fraction {f} must be in (0, 1]");
                var v = DataVariant.OfFraction(f);
                if (variants.Contains(v)) throw y.Error(n, $"fraction {f} is listed twice");
                variants.Add(v);
            }
        if (d.TryGetValue("class_subsets", out var cn))
            foreach (var n in y.Sequence(cn, "class_subsets"))
            {
                long k = y.Count(n, "class_subsets");
                if (k <= 0 || k > int.MaxValue) throw y.Error(n, $"class subset size {k} must be a positive class count");
                var v = DataVariant.OfClasses((int)k);
                if (variants.Contains(v)) throw y.Error(n, $"class subset {k} is listed twice");
                variants.Add(v);
            }
        if (variants.Count == 0) variants.Add(DataVariant.OfFraction(1.0)); // no axis given: the whole source
        var others = d.TryGetValue("other_sources", out var on) ? ReadOtherSources(y, on, name, source, variants) : [];
        return new DataSpec(name, source, val, eval, seed, variants) { OtherSources = others };
    }

    // data.other_sources: [{name, source, fractions (default [1.0])}]: other data sets on the data axis (ImageNet-22K).
    // Their variants are appended to the axis; the validation and evaluation sources stay the base set's.
    private static List<NamedSource> ReadOtherSources(YamlReading y, YamlNode node, string baseName, string baseSource, List<DataVariant> variants)
    {
        var others = new List<NamedSource>();
        foreach (var item in y.Sequence(node, "other_sources"))
        {
            var e = y.Entries(y.Mapping(item, "other_sources entry"), "an other_sources entry", OtherSourceKeys);
            if (!e.TryGetValue("name", out var nn)) throw y.Error(item, "an other_sources entry needs a 'name' (its label, e.g. ImageNet-22K)");
            if (!e.TryGetValue("source", out var sn)) throw y.Error(item, "an other_sources entry needs a 'source'");
            var other = new NamedSource(y.Scalar(nn, "name"), y.Scalar(sn, "source"));
            if (other.Name.Trim().Length == 0) throw y.Error(nn, "other source name is empty");
            if (other.Name == baseName || others.Any(o => o.Name == other.Name)) throw y.Error(nn, $"data set name '{other.Name}' is used twice");
            if (other.Source == baseSource || others.Any(o => o.Source == other.Source))
                throw y.Error(sn, $"source '{other.Source}' is already on the data axis (a fraction of one source belongs in its 'fractions')");
            others.Add(other);
            var fractions = e.TryGetValue("fractions", out var fn) ? y.Sequence(fn, "fractions") : [new YamlScalarNode("1.0")];
            foreach (var n in fractions)
            {
                double f = y.Number(n, "fractions");
                if (!(f > 0 && f <= 1)) throw y.Error(n, $"fraction {f} of {other.Name} must be in (0, 1]");
                var v = DataVariant.OfFraction(f, other.Name);
                if (variants.Contains(v)) throw y.Error(n, $"fraction {f} of {other.Name} is listed twice");
                variants.Add(v);
            }
        }
        return others;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex NamePattern();
}
