using System.Reflection;
using System.Runtime.InteropServices;

namespace MimScale.Training.Distributed;

/// <summary>
/// Points MPI.NET at Debian's MPICH. The MPI.NET 1.4.0 package is built against Microsoft MPI and imports
/// <c>msmpi.dll</c>; MS-MPI descends from MPICH and keeps its handle values (MPI_COMM_WORLD 0x44000000, MPI_FLOAT
/// 0x4c00040a, MPI_SUM 0x58000003, MPI_IN_PLACE = (void*)-1), so mapping the import to <c>libmpich.so.12</c> gives a
/// working binding. Open MPI's handles are pointers, not these constants: it does not work (segfaults, shared/SCALE.md).
/// </summary>
public static class MpiLibrary
{
    /// <summary>The shared library loaded for MPI (override with MIMSCALE_MPI_LIBRARY, e.g. a cluster's own MPICH build).</summary>
    public const string DefaultLibrary = "libmpich.so.12";

    private static readonly Lazy<string> Registered = new(Register, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Registers the import resolver for MPI.NET's assembly once per process (the runtime allows one resolver per
    /// assembly; this is process-wide configuration, not state) and returns the library name it resolves to.
    /// </summary>
    public static string EnsureResolver() => Registered.Value;

    private static string Register()
    {
        string library = System.Environment.GetEnvironmentVariable("MIMSCALE_MPI_LIBRARY") is { Length: > 0 } l ? l : DefaultLibrary;
        NativeLibrary.SetDllImportResolver(typeof(MPI.Unsafe).Assembly, (name, assembly, path) =>
        {
            if (!name.StartsWith("msmpi", StringComparison.OrdinalIgnoreCase) && !name.StartsWith("mpich", StringComparison.OrdinalIgnoreCase))
                return IntPtr.Zero;
            if (NativeLibrary.TryLoad(library, assembly, path, out var handle)) return handle;
            throw new DllNotFoundException(
                $"MPI: cannot load {library} (install Debian's `mpich` package, or set MIMSCALE_MPI_LIBRARY to an MPICH-ABI libmpi.so)");
        });
        return library;
    }
}
