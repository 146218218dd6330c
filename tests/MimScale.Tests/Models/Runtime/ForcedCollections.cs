namespace MimScale.Tests.Models.Runtime;

/// <summary>
/// A thread that forces full collections and runs the finalizers back to back until disposed: the trigger of the
/// study crash (one job's collection landing inside another job's native call), made continuous.
/// </summary>
public sealed class ForcedCollections : IDisposable
{
    private readonly Thread thread;
    private volatile bool stop;

    public ForcedCollections()
    {
        thread = new Thread(() =>
        {
            while (!stop)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                Collections++;
            }
        })
        { IsBackground = true, Name = "forced-collections" };
        thread.Start();
    }

    /// <summary>Collections forced so far (read after <see cref="Dispose"/> for the final count).</summary>
    public long Collections { get; private set; }

    public void Dispose()
    {
        stop = true;
        thread.Join();
    }
}
