using System.Globalization;
using System.Text.Json;
using MimScale.Analysis.Results;
using MimScale.Study.Spec;

namespace MimScale.Study.Planning;

/// <summary>
/// What a stored cell's resolved config says about the side-study arms, read back for the analysis: the decoder arm
/// (an <c>arm</c> entry written by <see cref="CellConfig.Build"/>) and the class-subset arm (a data subset of kind
/// "random classes", which the config always recorded: no key changes). Also the decoder label of every cell.
/// </summary>
/// <param name="Arm">The arm (<see cref="RunArms"/>), or null for the main grid.</param>
/// <param name="Decoder">"linear" or "transformer-k".</param>
/// <param name="ClassCount">k of a class-subset cell.</param>
public sealed record CellArm(string? Arm, string Decoder, int? ClassCount)
{
    /// <summary>Reads <paramref name="configJson"/> (a cell's canonical config).</summary>
    public static CellArm Of(string configJson)
    {
        using var doc = JsonDocument.Parse(configJson);
        var root = doc.RootElement;
        string? arm = null;
        if (root.TryGetProperty("arm", out var a) && a.TryGetProperty(CellConfig.ArmName, out var n)) arm = n.GetString();

        // The decoder the engine used: the pretrain recipe's keys win over the model section (the zoo's default).
        string kind = "linear";
        int depth = 0;
        if (root.TryGetProperty("model", out var model))
        {
            if (model.TryGetProperty("decoder", out var d)) kind = d.GetString()!.ToLowerInvariant();
            if (model.TryGetProperty("decoder_depth", out var dd)) depth = dd.GetInt32();
        }
        if (root.TryGetProperty("pretrain", out var pre))
        {
            if (pre.TryGetProperty("decoder", out var d)) kind = d.GetString()!.ToLowerInvariant();
            if (pre.TryGetProperty("decoder_depth", out var dd)) depth = int.Parse(dd.GetString()!, CultureInfo.InvariantCulture);
        }
        string label = kind == "transformer" ? new DecoderVariant("transformer", depth).Label : "linear";

        int? classes = null;
        if (root.TryGetProperty("data", out var data) && data.TryGetProperty("subset", out var subset)
            && subset.TryGetProperty("kind", out var k) && k.GetString() == "random classes" && subset.TryGetProperty("classes", out var c))
        {
            classes = c.GetInt32();
            arm ??= RunArms.ClassSubset;
        }
        return new CellArm(arm, label, classes);
    }
}
