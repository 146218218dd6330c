using System.Globalization;
using MimScale.Files;
using MimScale.Models.TensorFiles;
using TorchSharp;
using static TorchSharp.torch;

namespace MimScale.Training.Runs;

/// <summary>One complete checkpoint on disk.</summary>
public sealed record CheckpointEntry(long Step, string Directory)
{
    public string ModelFile => Path.Combine(Directory, "model.safetensors");
    public string OptimizerFile => Path.Combine(Directory, "optimizer.safetensors");
    public string StateFile => Path.Combine(Directory, "state.json");
}

/// <summary>
/// Checkpoints of a run under <c>RUN/checkpoints/step-NNNNNNNN</c>, each written atomically: the files go into a
/// temporary folder that is renamed into place only when complete, so a kill at any moment (even mid-write) leaves
/// either the previous checkpoints or the new one, never a half one. The newest <c>keep</c> are kept; pinned ones
/// (branch points of shared trunks) are never deleted.
/// </summary>
public sealed class CheckpointStore
{
    private readonly string root;
    private readonly int keep;

    public CheckpointStore(string runDir, int keep)
    {
        root = Path.Combine(runDir, "checkpoints");
        this.keep = keep;
    }

    public IReadOnlyList<CheckpointEntry> List()
    {
        if (!Directory.Exists(root)) return Array.Empty<CheckpointEntry>();
        return Directory.GetDirectories(root, "step-*")
            .Select(d => (d, name: Path.GetFileName(d)))
            .Where(x => !x.name.Contains(".tmp", StringComparison.Ordinal) && File.Exists(Path.Combine(x.d, "state.json")))
            .Select(x => new CheckpointEntry(long.Parse(x.name["step-".Length..].Split('.')[0], CultureInfo.InvariantCulture), x.d))
            .OrderBy(e => e.Step).ToList();
    }

    public CheckpointEntry? Latest() => List().LastOrDefault();

    public CheckpointEntry? At(long step) => List().FirstOrDefault(e => e.Step == step);

    /// <summary>Writes model tensors, optimizer tensors and state; returns the new entry.</summary>
    public CheckpointEntry Save(long step, IEnumerable<KeyValuePair<string, Tensor>> model, IEnumerable<KeyValuePair<string, Tensor>> optimizer,
        TrainingState state, bool pinned = false)
    {
        Directory.CreateDirectory(root);
        string name = $"step-{step:D8}" + (pinned ? ".pinned" : "");
        string final = Path.Combine(root, name);
        AtomicFile.WriteDirectory(final, tmp =>
        {
            SafetensorsFile.Write(Path.Combine(tmp, "model.safetensors"), model);
            SafetensorsFile.Write(Path.Combine(tmp, "optimizer.safetensors"), optimizer);
            AtomicFile.WriteAllText(Path.Combine(tmp, "state.json"), state.ToJson());
        });
        Prune();
        return new CheckpointEntry(step, final);
    }

    /// <summary>Deletes leftovers of interrupted writes and all but the newest <c>keep</c> unpinned checkpoints.</summary>
    public void Prune()
    {
        if (!Directory.Exists(root)) return;
        AtomicFile.RemoveLeftovers(root);
        foreach (var d in Directory.GetDirectories(root, "*.tmp-*")) Directory.Delete(d, true);   // leftovers of versions before AtomicFile
        var unpinned = List().Where(e => !e.Directory.EndsWith(".pinned", StringComparison.Ordinal)).ToList();
        foreach (var old in unpinned.Take(Math.Max(0, unpinned.Count - keep))) Directory.Delete(old.Directory, true);
    }
}
