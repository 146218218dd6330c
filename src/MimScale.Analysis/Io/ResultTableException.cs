namespace MimScale.Analysis.Io;

/// <summary>A result table that cannot be read: names the file, the 1-based line and, when known, the column.</summary>
public sealed class ResultTableException : Exception
{
    /// <summary>Creates the exception; the message is prefixed with "file:line" and the column.</summary>
    public ResultTableException(string file, int line, string? column, string problem)
        : base(Format(file, line, column, problem))
    {
        FilePath = file;
        Line = line;
        Column = column;
    }

    /// <summary>Path of the offending file.</summary>
    public string FilePath { get; }

    /// <summary>1-based line number (0 when the problem concerns the whole file).</summary>
    public int Line { get; }

    /// <summary>Column name, if the problem is in one cell.</summary>
    public string? Column { get; }

    private static string Format(string file, int line, string? column, string problem)
    {
        var where = line > 0 ? $"{file}:{line}" : file;
        return column is null ? $"{where}: {problem}" : $"{where}: column '{column}': {problem}";
    }
}
