using System.Globalization;
using MimScale.Models.SimMim;
using MimScale.Models.Zoo;
using MimScale.Study.Execution;
using MimScale.Study.Spec;
using MimScale.Training.Pretraining;

namespace MimScale.Study.Planning;

/// <summary>
/// Turns a spec into cells and shared trunks (SPEC §4.2). Pure: the same spec, data and version always give the same
/// keys, and nothing is trained or written (except manifests, when the resolver saves them).
/// </summary>
public static class StudyPlanner
{
    /// <summary>
    /// Plans <paramref name="spec"/>. With a <paramref name="resolver"/> the data variants' manifests are drawn and their
    /// hashes enter the keys; without one the hashes are unknown (keys then differ from a run's; fine for a preview).
    /// </summary>
    /// <param name="spec">The study spec.</param>
    /// <param name="resolver">Draws the manifests (hashes, image counts, files), or null to plan without reading data.</param>
    /// <param name="version">Version hashed into the keys (default <see cref="MimScaleVersion.Current"/>).</param>
    public static StudyPlan Plan(StudySpec spec, ManifestResolver? resolver = null, string? version = null)
    {
        version ??= MimScaleVersion.Current;
        var models = spec.Models.Select(ModelZoo.Get).ToList();
        var parameters = models.ToDictionary(m => m.Name, m => ModelCost.Parameters(m.Pretrain.Encoder with { NumClasses = 0 }));
        var rank = models.OrderBy(m => parameters[m.Name]).Select((m, i) => (m.Name, i)).ToDictionary(x => x.Name, x => x.i);
        var recipes = spec.Evaluations.ToDictionary(e => e, e => spec.EvaluationRecipes[e], StringComparer.Ordinal);
        // A bad evaluation recipe fails the plan, before hours of pre-training (the dense tasks build their whole config).
        foreach (var model in models)
            foreach (var (evaluation, recipe) in recipes) StudyEvaluations.CheckRecipe(model.Name, evaluation, recipe);

        var trunks = new List<TrunkGroup>();
        foreach (var model in models)
        {
            foreach (var variant in spec.Data.Variants)
            {
                var data = resolver?.Resolve(spec.Data, variant) ?? ManifestResolver.Unresolved(spec.Data, variant);
                foreach (var seed in spec.Seeds)
                {
                    var groups = spec.ShareTrunks ? [spec.Lengths.ToList()] : spec.Lengths.Select(t => new List<long> { t }).ToList();
                    foreach (var lengths in groups)
                        trunks.Add(Trunk(spec, version, model, data, seed, lengths, parameters[model.Name], rank[model.Name], recipes, spec.Pretrain, null));
                }
            }
        }
        if (spec.DecoderArm is { } arm) trunks.AddRange(DecoderArmTrunks(spec, arm, resolver, version, parameters, rank, recipes));
        if (spec.ScratchReference) trunks.AddRange(ScratchReferences(spec, version, models, parameters, rank, recipes, trunks));
        return new StudyPlan(spec, trunks, version, resolver is not null);
    }

    // The scratch reference: per model and seed, one cell of zero iterations whose evaluations start from a seeded random
    // initialisation. It goes last in run order (the grid first) and is a group of its own, so the runner, the workers and
    // the store handle it as any trunk: claimed, stored, resumed. Its key hashes no pre-training input (CellConfig.Scratch).
    private static IEnumerable<TrunkGroup> ScratchReferences(StudySpec spec, string version, IReadOnlyList<ZooEntry> models,
        IReadOnlyDictionary<string, long> parameters, IReadOnlyDictionary<string, int> rank, IReadOnlyDictionary<string, RecipeMap> recipes,
        IReadOnlyList<TrunkGroup> trunks)
    {
        var data = new DataPlan(ScratchLabel, DataVariant.None, "", spec.Data.ValSource, spec.Data.EvalSource, spec.Data.SubsetSeed, null, null, null);
        foreach (var model in models)
            foreach (var seed in spec.Seeds)
            {
                var canonical = CellConfig.Canonical(CellConfig.Scratch(version, model, data, seed, spec.Evaluations, recipes));
                var hash = CellConfig.Hash(canonical);
                string key = Invariant($"{model.Name}-{data.Variant.Slug}-s{seed}-{hash[..10]}");
                var cell = new CellPlan(key, hash, key, model.Name, data, 0, seed, RecipeMap.Empty($"{spec.SourcePath}: scratch_reference"),
                    spec.Evaluations, recipes, 0, 0, 0, parameters[model.Name], rank[model.Name], canonical)
                { Scratch = true };
                // The model's own engine config, for the group's type only: nothing is trained (the schedule's one length is 0).
                var config = trunks.First(t => t.Model == model.Name && t.Seed == seed).Config;
                yield return new TrunkGroup(key, model.Name, data, seed, config, new TrunkPlan([0L], config.DecayFraction), [cell]) { Scratch = true };
            }
    }

    /// <summary>The data label of a scratch reference (its cell has no pre-training data).</summary>
    public const string ScratchLabel = "scratch (no pre-training)";

    // The decoder-size arm: the main cells of the arm's models and fractions again, with each listed decoder. A
    // decoder that resolves to the main recipe's own is the main cell (nothing to add). Arm cells follow the main
    // grid in run order, so a partial study has its grid first.
    private static IEnumerable<TrunkGroup> DecoderArmTrunks(StudySpec spec, DecoderArm arm, ManifestResolver? resolver, string version,
        IReadOnlyDictionary<string, long> parameters, IReadOnlyDictionary<string, int> rank, IReadOnlyDictionary<string, RecipeMap> recipes)
    {
        foreach (var decoder in arm.Decoders)
        {
            var recipe = decoder.Apply(spec.Pretrain);
            foreach (var model in arm.Models.Select(ModelZoo.Get))
                foreach (var variant in arm.Variants)
                {
                    var data = resolver?.Resolve(spec.Data, variant) ?? ManifestResolver.Unresolved(spec.Data, variant);
                    var main = TrunkConfig.For(model.Name, data, 0, spec.Lengths[^1], spec.Pretrain).ModelOptions();
                    var mine = TrunkConfig.For(model.Name, data, 0, spec.Lengths[^1], recipe).ModelOptions();
                    if (main.Decoder == mine.Decoder && (mine.Decoder == DecoderKind.Linear || main.DecoderDepth == mine.DecoderDepth)) continue;
                    foreach (var seed in spec.Seeds)
                    {
                        var groups = spec.ShareTrunks ? [spec.Lengths.ToList()] : spec.Lengths.Select(t => new List<long> { t }).ToList();
                        foreach (var lengths in groups)
                            yield return Trunk(spec, version, model, data, seed, lengths, parameters[model.Name], rank[model.Name], recipes, recipe, decoder);
                    }
                }
        }
    }

    /// <summary>
    /// Each length's share of the iterations a trunk actually runs: the trunk segment between consecutive branch
    /// points b_(i-1)..b_i is used by every branch from i on, so it is split equally among them; each branch adds its
    /// own decay phase. For 125K/250K/500K at 7/8: 52,083.3 + 122,395.8 + 372,395.8 = 546,875.
    /// </summary>
    /// <param name="schedule">The engine's plan of one trunk (lengths and branch points).</param>
    public static double[] AttributedIterations(TrunkPlan schedule)
    {
        var lengths = schedule.Lengths.Order().ToList();
        var result = new double[lengths.Count];
        double shared = 0;
        long previous = 0;
        for (int i = 0; i < lengths.Count; i++)
        {
            long start = schedule.BranchPoint(lengths[i]);
            shared += (double)(start - previous) / (lengths.Count - i);
            previous = start;
            result[i] = shared + (lengths[i] - start);
        }
        return result;
    }

    /// <param name="spec">The study.</param>
    /// <param name="version">The version hashed into the cell keys.</param>
    /// <param name="model">The trunk's model.</param>
    /// <param name="data">The trunk's data size.</param>
    /// <param name="seed">The trunk's seed.</param>
    /// <param name="lengths">The lengths branching from the trunk.</param>
    /// <param name="parameters">The model's parameter count.</param>
    /// <param name="sizeRank">The model's position among the spec's sizes.</param>
    /// <param name="recipes">The spec's evaluation recipes by name.</param>
    /// <param name="recipe">The pre-training recipe: the spec's, or the decoder arm's variant of it.</param>
    /// <param name="decoder">The decoder-arm variant, or null for a main-grid trunk (whose config and keys are unchanged by the arm).</param>
    private static TrunkGroup Trunk(StudySpec spec, string version, ZooEntry model, DataPlan data, int seed, List<long> lengths,
        long parameters, int sizeRank, IReadOnlyDictionary<string, RecipeMap> recipes, RecipeMap recipe, DecoderVariant? decoder)
    {
        // The engine's config and plan, once: every number below (branch points, FLOPs) is read from them.
        var engine = TrunkConfig.For(model.Name, data, seed, lengths[^1], recipe);
        var schedule = new TrunkPlan(lengths, engine.DecayFraction).Validate();
        if (spec.ShareTrunks && engine.WarmupIterations > schedule.BranchPoint(lengths[0]))
            throw new StudySpecException(spec.Pretrain.Origin, null,
                $"warmup_iterations {engine.WarmupIterations} ends after the first branch point {schedule.BranchPoint(lengths[0])} (length {lengths[0]}); a shared trunk needs warm-up to end before every branch");
        // Per update: batch_size x accumulation images (the micro-batch alone would undercount accumulated updates); the
        // encoder and the linear head (the decoder blocks' few FLOPs on the final grid are not counted).
        double flopsPerIteration = engine.TrainingFlopsPerIteration();

        // The trunk's identity: a cell config without the per-length parts, plus the set of lengths (its snapshots).
        var trunkConfig = CellConfig.Build(version, engine, data, lengths[^1], schedule.BranchPoint(lengths[^1]), engine.DecayGamma, seed,
            spec.ShareTrunks, recipe, [], recipes, decoder);
        trunkConfig.Remove("iterations");
        trunkConfig.Remove("schedule");
        trunkConfig.Remove("evaluations");
        trunkConfig.Remove("evaluation_recipes");
        trunkConfig["lengths"] = lengths.ToArray();
        string slug = decoder is null ? data.Variant.Slug : $"{data.Variant.Slug}-{decoder.Slug}";
        string trunkKey = Invariant($"{model.Name}-{slug}-s{seed}-{CellConfig.Hash(CellConfig.Canonical(trunkConfig))[..10]}");

        var attributed = AttributedIterations(schedule);
        var cells = new List<CellPlan>();
        for (int i = 0; i < lengths.Count; i++)
        {
            long t = lengths[i];
            var config = CellConfig.Build(version, engine, data, t, schedule.BranchPoint(t), engine.DecayGamma, seed, spec.ShareTrunks,
                recipe, spec.Evaluations, recipes, decoder);
            var canonical = CellConfig.Canonical(config);
            var hash = CellConfig.Hash(canonical);
            cells.Add(new CellPlan(Invariant($"{model.Name}-{slug}-{t}-s{seed}-{hash[..10]}"), hash, trunkKey, model.Name, data,
                t, seed, recipe, spec.Evaluations, recipes, schedule.BranchPoint(t), flopsPerIteration, attributed[i], parameters, sizeRank, canonical)
            { Decoder = decoder });
        }
        return new TrunkGroup(trunkKey, model.Name, data, seed, engine, schedule, cells) { Decoder = decoder };
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
