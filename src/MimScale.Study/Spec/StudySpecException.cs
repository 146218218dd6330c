namespace MimScale.Study.Spec;

/// <summary>A study spec that cannot be used: names the file, the line (when known) and the offending key or value.</summary>
public sealed class StudySpecException : Exception
{
    /// <summary>The spec file (or the name given to in-memory text).</summary>
    public string File { get; }

    /// <summary>1-based line of the offending node, or null when the problem is not tied to one line.</summary>
    public int? Line { get; }

    /// <summary>The problem without the location prefix.</summary>
    public string Problem { get; }

    public StudySpecException(string file, int? line, string problem, Exception? inner = null)
        : base(line is int l ? $"{file}:{l}: {problem}" : $"{file}: {problem}", inner)
    {
        File = file;
        Line = line;
        Problem = problem;
    }
}
