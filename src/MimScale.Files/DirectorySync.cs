using System.Runtime.InteropServices;

namespace MimScale.Files;

/// <summary>
/// fsync of a folder, so a rename inside it survives a crash (POSIX: the rename is durable only once the folder's own
/// entry list is on disk). .NET has no API for it; on Linux and macOS it is open(O_RDONLY) + fsync + close. A no-op on
/// Windows, where NTFS journals renames.
/// </summary>
public static partial class DirectorySync
{
    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    /// <summary>Flushes the folder's entries to disk; throws <see cref="IOException"/> naming the folder if the OS refuses.</summary>
    public static void Sync(string dir)
    {
        if (OperatingSystem.IsWindows()) return;
        int fd = Open(dir, 0 /* O_RDONLY */);
        if (fd < 0) throw new IOException($"{dir}: cannot open the folder to sync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (Fsync(fd) != 0) throw new IOException($"{dir}: fsync of the folder failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally { Close(fd); }
    }
}
