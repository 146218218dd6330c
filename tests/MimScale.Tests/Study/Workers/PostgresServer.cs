using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MimScale.Tests.Study.Workers;

/// <summary>
/// A throw-away PostgreSQL server for tests (no system service): <c>initdb</c> into a temporary folder as the
/// unprivileged <c>postgres</c> user (the server refuses to run as root), <c>pg_ctl start</c> on a free port with its
/// Unix socket in that folder, one database <c>mimscale</c>; <c>pg_ctl stop</c> and the folder removed on Dispose.
/// Needs Debian's <c>postgresql</c> (scripts/setup installs it) and root (for runuser), as the CI has.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private readonly string bin;

    /// <summary>The data folder, which also holds the socket.</summary>
    public string Dir { get; }

    /// <summary>The TCP port.</summary>
    public int Port { get; }

    public PostgresServer()
    {
        bin = Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin"))
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")))
            ?? throw new InvalidOperationException("PostgreSQL is not installed (apt-get install postgresql; scripts/setup does it)");
        Dir = Path.Combine(Path.GetTempPath(), "mimscale-pg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Dir);
        Run("chown", "postgres:postgres", Dir);
        Port = FreePort();
        AsPostgres("initdb", "-D", Path.Combine(Dir, "data"), "-U", "postgres", "--auth=trust", "--locale=C", "-E", "UTF8");
        // -k: the socket in our folder (the default /var/run/postgresql may not exist); fsync off: a test server.
        AsPostgres("pg_ctl", "-D", Path.Combine(Dir, "data"), "-l", Path.Combine(Dir, "server.log"), "-w", "-t", "60",
            "-o", $"-p {Port} -k {Dir} -c listen_addresses=localhost -c fsync=off", "start");
        AsPostgres("createdb", "-h", Dir, "-p", Port.ToString(), "-U", "postgres", "mimscale");
    }

    /// <summary>The <c>--store</c> address of the database (TCP on localhost).</summary>
    public string Address => $"postgresql://postgres@localhost:{Port}/mimscale";

    /// <summary>The same database through the Unix socket in <see cref="Dir"/>.</summary>
    public string SocketAddress => $"postgresql://postgres@localhost:{Port}/mimscale?host={Dir}";

    public void Dispose()
    {
        try { AsPostgres("pg_ctl", "-D", Path.Combine(Dir, "data"), "-m", "immediate", "-w", "stop"); }
        finally { try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } }
    }

    private void AsPostgres(string tool, params string[] args) => Run("runuser", ["-u", "postgres", "--", Path.Combine(bin, tool), .. args]);

    private static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {p.ExitCode}: {output}{err.Result}");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
