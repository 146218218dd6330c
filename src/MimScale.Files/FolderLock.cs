using System.Globalization;
using System.Text;

namespace MimScale.Files;

/// <summary>
/// Exclusive ownership of a folder by one process: an OS lock on a lock file inside it (<c>FileShare.None</c>, i.e. an
/// flock on Linux), which the kernel drops when the process dies, so a killed run never leaves its folder stuck and
/// its resume simply takes the lock again. The file records who took it last (process id, host, start time); while
/// it is held the OS lock keeps other processes from reading it, so it is for a person looking after a crash.
/// </summary>
public sealed class FolderLock : IDisposable
{
    private readonly FileStream stream;

    private FolderLock(FileStream stream, string path) { this.stream = stream; Path = path; }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>Takes the lock of <paramref name="folder"/> (created if missing).</summary>
    /// <param name="folder">The folder to own.</param>
    /// <param name="lockName">File name of the lock, e.g. "run.lock".</param>
    /// <param name="what">What holds it, for the refusal message, e.g. "a `mimscale pretrain`".</param>
    /// <exception cref="FolderLockedException">Another live process (or another owner in this one) holds it.</exception>
    public static FolderLock Acquire(string folder, string lockName, string what)
    {
        Directory.CreateDirectory(folder);
        string path = System.IO.Path.Combine(folder, lockName);
        FileStream stream;
        try { stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException)
        {
            throw new FolderLockedException(folder, $"{folder}: {what} is already working in this folder; wait for it to end or use another folder");
        }
        var owner = string.Create(CultureInfo.InvariantCulture,
            $"pid {Environment.ProcessId} on {Environment.MachineName} since {DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ}\n");
        stream.SetLength(0);
        stream.Write(Encoding.UTF8.GetBytes(owner));
        stream.Flush(flushToDisk: true);
        return new FolderLock(stream, path);
    }

    /// <summary>True when some live process holds the lock of <paramref name="folder"/> (probing takes and drops it).</summary>
    public static bool IsHeld(string folder, string lockName)
    {
        string path = System.IO.Path.Combine(folder, lockName);
        if (!File.Exists(path)) return false;
        try { using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None); return false; }
        catch (IOException) { return true; }
    }

    public void Dispose() => stream.Dispose();

}

/// <summary>A folder is owned by another live process.</summary>
public sealed class FolderLockedException(string folder, string message) : IOException(message)
{
    /// <summary>The locked folder.</summary>
    public string Folder { get; } = folder;
}
