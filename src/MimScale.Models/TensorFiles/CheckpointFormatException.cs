namespace MimScale.Models.TensorFiles;

/// <summary>
/// A tensor file (PyTorch zip checkpoint, safetensors, .npy) that cannot be read: truncated, corrupt, of an unknown or
/// unsupported format, or asking the unpickler for something it refuses. The message always names the file.
/// </summary>
public sealed class CheckpointFormatException : Exception
{
    /// <summary>The file that could not be read (as given by the caller).</summary>
    public string FilePath { get; }

    /// <summary>What is wrong, without the file name.</summary>
    public string Problem { get; }

    public CheckpointFormatException(string filePath, string problem, Exception? inner = null)
        : base($"{Path.GetFileName(filePath)}: {problem}", inner)
    {
        FilePath = filePath;
        Problem = problem;
    }
}
