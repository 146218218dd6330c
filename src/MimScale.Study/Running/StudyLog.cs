using System.Globalization;

namespace MimScale.Study.Running;

/// <summary>
/// Plain progress lines, written to the console writer as they come and appended with a UTC timestamp to
/// <c>study.log</c>, so a redirected or restarted run stays readable. Thread-safe (the executor may report from its own threads).
/// </summary>
public sealed class StudyLog : IDisposable
{
    private readonly TextWriter console;
    private readonly StreamWriter? file;
    private readonly Lock gate = new();

    /// <param name="console">Where lines go (Console.Out in the CLI).</param>
    /// <param name="logPath">File to append to, or null.</param>
    public StudyLog(TextWriter console, string? logPath)
    {
        this.console = console;
        if (logPath is null) return;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logPath))!);
        file = new StreamWriter(logPath, append: true) { AutoFlush = true };
    }

    /// <summary>Writes one line.</summary>
    public void Line(string text)
    {
        lock (gate)
        {
            console.WriteLine(text);
            console.Flush();
            file?.WriteLine(DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) + " " + text);
        }
    }

    /// <summary>Detail for diagnosis (e.g. a failure's whole exception): always in study.log, on the console only when asked.</summary>
    public void Detail(string text, bool toConsole)
    {
        lock (gate)
        {
            if (toConsole) { console.WriteLine(text); console.Flush(); }
            file?.WriteLine(DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) + " " + text);
        }
    }

    /// <summary>An <see cref="IProgress{T}"/> that writes synchronously (unlike <see cref="Progress{T}"/>) with a prefix.</summary>
    public IProgress<string> Progress(string prefix) => new LineProgress(this, prefix);

    public void Dispose() => file?.Dispose();

    private sealed class LineProgress(StudyLog log, string prefix) : IProgress<string>
    {
        public void Report(string value) => log.Line(prefix + value);
    }
}
