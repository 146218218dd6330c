using System.Text;

namespace MimScale.Files;

/// <summary>
/// The one way MimScale writes a file or a folder that others read (checkpoints, results, manifests, reports, store
/// exports): readers see the old content or the new one, never half, and after a crash or power loss the new content
/// is on disk once the call returned. A temp sibling in the same folder (same file system, so the rename is atomic),
/// flushed to disk (fsync), renamed over the target, then the folder itself is synced so the rename is durable.
/// Temp names are hidden: <c>.NAME.GUID.tmp</c>. On failure the temp is removed and the target untouched.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> from <paramref name="write"/>, atomically and durably.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        string temp = TempSibling(full);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
            DirectorySync.Sync(dir);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Writes UTF-8 text (no byte-order mark).</summary>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, new UTF8Encoding(false).GetBytes(text));

    /// <summary>Writes bytes.</summary>
    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes));

    /// <summary>
    /// Publishes a folder: <paramref name="fill"/> writes its files into a hidden temp sibling, each file is synced,
    /// and the temp folder is renamed to <paramref name="path"/> (replacing an existing one), then the parent is synced.
    /// </summary>
    public static void WriteDirectory(string path, Action<string> fill)
    {
        string full = Path.GetFullPath(path.TrimEnd(Path.DirectorySeparatorChar));
        string parent = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(parent);
        string temp = TempSibling(full);
        try
        {
            Directory.CreateDirectory(temp);
            fill(temp);
            foreach (var file in Directory.GetFiles(temp, "*", SearchOption.AllDirectories))
                using (var f = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) f.Flush(flushToDisk: true);
            DirectorySync.Sync(temp);
            if (Directory.Exists(full)) Directory.Delete(full, recursive: true);
            Directory.Move(temp, full);
            DirectorySync.Sync(parent);
        }
        catch
        {
            try { if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true); } catch (IOException) { /* the original error matters */ }
            throw;
        }
    }

    /// <summary>True for the name of a temp file or folder this class makes (what a reader of a folder should skip).</summary>
    public static bool IsTemp(string name)
    {
        string n = Path.GetFileName(name.TrimEnd(Path.DirectorySeparatorChar));
        return n.StartsWith('.') && n.EndsWith(".tmp", StringComparison.Ordinal);
    }

    /// <summary>Removes temp files and folders left in <paramref name="dir"/> by writes that were killed.</summary>
    public static void RemoveLeftovers(string dir)
    {
        if (!Directory.Exists(dir)) return;
        foreach (var d in Directory.GetDirectories(dir).Where(IsTemp)) Directory.Delete(d, recursive: true);
        foreach (var f in Directory.GetFiles(dir).Where(IsTemp)) TryDelete(f);
    }

    private static string TempSibling(string full) =>
        Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");

    private static void TryDelete(string file)
    {
        try { File.Delete(file); }
        catch (IOException) { /* best effort: the original error matters */ }
        catch (UnauthorizedAccessException) { }
    }
}
