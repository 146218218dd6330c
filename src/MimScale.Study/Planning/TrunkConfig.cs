using System.Globalization;
using MimScale.Study.Spec;
using MimScale.Training.Pretraining;

namespace MimScale.Study.Planning;

/// <summary>
/// The engine config a trunk trains with: model, data, seed and length from the plan, the spec's <c>pretrain</c>
/// recipe on top, read through the engine's one config convention (<see cref="PretrainConfigYaml.FromValues"/>). Built at
/// plan time, so a bad recipe fails `study plan` with the key named, before anything runs.
/// </summary>
public static class TrunkConfig
{
    /// <param name="model">The model's zoo name.</param>
    /// <param name="data">The data size.</param>
    /// <param name="seed">The trunk's seed.</param>
    /// <param name="recipe">The spec's pre-training recipe (keys of <see cref="PretrainConfig"/>).</param>
    /// <param name="iterations">The trunk's longest length.</param>
    public static PretrainConfig For(string model, DataPlan data, int seed, long iterations, RecipeMap recipe)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["model"] = model,
            ["source"] = data.PretrainSourceSpec,
            ["val_source"] = data.ValSource,
            ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
            ["iterations"] = iterations.ToString(CultureInfo.InvariantCulture),
        };
        // Without a manifest (a plan that did not read the data) the engine draws the same subset itself.
        if (data.ManifestPath is null && data.SubsetFraction is double f && f < 1)
        {
            values["fraction"] = f.ToString("R", CultureInfo.InvariantCulture);
            values["subset_seed"] = data.SubsetSeed.ToString(CultureInfo.InvariantCulture);
        }
        recipe.RefuseKeys(["model", "source", "val_source", "seed", "iterations"], "models, data, seeds, lengths");
        return recipe.ToEngineConfig(values, PretrainConfigYaml.FromValues);
    }
}
