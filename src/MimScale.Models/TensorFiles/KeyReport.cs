using System.Text;

namespace MimScale.Models.TensorFiles;

/// <summary>A parameter whose shape in the checkpoint differs from the model's.</summary>
public sealed record ShapeMismatch(string Name, long[] Expected, long[] Actual)
{
    public override string ToString() =>
        $"{Name}: model {TensorDTypes.ShapeString(Expected)}, checkpoint {TensorDTypes.ShapeString(Actual)}";
}

/// <summary>
/// How a state dict's keys compare with a model's: names the model has but the checkpoint lacks, names the checkpoint
/// has but the model does not, and names in both with different shapes. Lists keep the model's / checkpoint's order.
/// </summary>
public sealed class KeyReport
{
    public IReadOnlyList<string> Missing { get; }
    public IReadOnlyList<string> Unexpected { get; }
    public IReadOnlyList<ShapeMismatch> ShapeMismatches { get; }

    public KeyReport(IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<ShapeMismatch> shapeMismatches)
    {
        Missing = missing;
        Unexpected = unexpected;
        ShapeMismatches = shapeMismatches;
    }

    /// <summary>True when every name matches in both directions with equal shapes.</summary>
    public bool IsMatch => Missing.Count == 0 && Unexpected.Count == 0 && ShapeMismatches.Count == 0;

    /// <summary>Throws <see cref="StateDictMismatchException"/> unless <see cref="IsMatch"/> (strict loading).</summary>
    public void ThrowIfMismatch(string source)
    {
        if (!IsMatch) throw new StateDictMismatchException(this, source);
    }

    /// <summary>Every offending name, one per line, grouped as missing / unexpected / shape mismatch.</summary>
    public override string ToString()
    {
        if (IsMatch) return "all keys match";
        var sb = new StringBuilder();
        void Section(string title, IEnumerable<string> lines, int count)
        {
            if (count == 0) return;
            if (sb.Length > 0) sb.AppendLine();
            sb.Append($"{count} {title}:");
            foreach (var line in lines) sb.AppendLine().Append("  ").Append(line);
        }
        Section("missing (in the model, not in the checkpoint)", Missing, Missing.Count);
        Section("unexpected (in the checkpoint, not in the model)", Unexpected, Unexpected.Count);
        Section("with a different shape", ShapeMismatches.Select(m => m.ToString()), ShapeMismatches.Count);
        return sb.ToString();
    }
}

/// <summary>A checkpoint whose keys or shapes do not match the model it is loaded into (strict loading).</summary>
public sealed class StateDictMismatchException : Exception
{
    public KeyReport Report { get; }

    public StateDictMismatchException(KeyReport report, string source)
        : base($"{source}: the state dict does not match the model.{Environment.NewLine}{report}")
    {
        Report = report;
    }
}
