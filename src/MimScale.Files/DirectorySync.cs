using System.Runtime.InteropServices;

namespace MimScale.Files;

/// <summary>
/// fsync of a folder, so a rename inside it survives a crash (POSIX: the rename is durable only once the folder's own
/// entry list is on disk). .NET has no API for it; on Linux it is open(O_RDONLY) + fsync + close through glibc's
/// libc.so.6, the soname every glibc system has. Elsewhere (Windows, macOS, musl) a no-op: the rename is left to the OS.
/// </summary>
public static partial class DirectorySync
{
    [LibraryImport("libc.so.6", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc.so.6", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc.so.6", EntryPoint = "close")]
    private static partial int Close(int fd);

    /// <summary>Flushes the folder's entries to disk; throws <see cref="IOException"/> naming the folder if the OS refuses.</summary>
    public static void Sync(string dir)
    {
        if (!OperatingSystem.IsLinux()) return;   // glibc's libc.so.6 below; elsewhere the rename is left to the OS
        int fd;
        try { fd = Open(dir, 0 /* O_RDONLY */); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return; }   // not glibc (e.g. musl)
        if (fd < 0) throw new IOException($"{dir}: cannot open the folder to sync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (Fsync(fd) != 0) throw new IOException($"{dir}: fsync of the folder failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally { _ = Close(fd); }   // closing a read-only folder handle loses nothing: the fsync above already reported
    }
}
