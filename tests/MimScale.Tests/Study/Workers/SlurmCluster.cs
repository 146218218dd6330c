using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MimScale.Tests.Study.Workers;

/// <summary>
/// A one-node Slurm cluster on localhost for tests, as tested in /work/shared/SCALE.md: Debian's slurmctld, slurmd,
/// slurm-client and munge (installed here when missing: the CI runs as root on a fresh Debian 12), munged started as
/// the munge user unless one already answers, slurmctld and <c>slurmd -N localhost</c> (the host name differs) with a
/// configuration, state and logs of their own in a temporary folder on free ports (so a real cluster on the machine is
/// neither used nor disturbed). Jobs reach this cluster through <see cref="Environment"/> (SLURM_CONF). Dispose stops
/// the daemons it started, by their process ids.
/// </summary>
public sealed class SlurmCluster : IDisposable
{
    private readonly List<int> pids = [];

    /// <summary>The folder holding slurm.conf, state, spool and logs.</summary>
    public string Dir { get; }

    /// <summary>The configuration file.</summary>
    public string Conf => Path.Combine(Dir, "slurm.conf");

    /// <summary>Environment for Slurm commands (sbatch, squeue) aimed at this cluster.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string> { ["SLURM_CONF"] = Conf };

    public SlurmCluster()
    {
        if (!File.Exists("/usr/sbin/slurmctld") || !File.Exists("/usr/sbin/slurmd") || !File.Exists("/usr/bin/sbatch") || !File.Exists("/usr/sbin/munged"))
        {
            Run("apt-get", ["update", "-qq"], TimeSpan.FromMinutes(5));
            Run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "slurmctld", "slurmd", "slurm-client", "munge"], TimeSpan.FromMinutes(10));
        }
        Dir = Path.Combine(Path.GetTempPath(), "mimscale-slurm-" + Guid.NewGuid().ToString("N")[..8]);
        foreach (var d in new[] { "state", "spool" }) Directory.CreateDirectory(Path.Combine(Dir, d));
        StartMunge();
        var (ctldPort, slurmdPort) = (FreePort(), FreePort());
        File.WriteAllText(Conf, string.Create(CultureInfo.InvariantCulture, $"""
            ClusterName=mimscale-test
            SlurmctldHost=localhost
            SlurmctldPort={ctldPort}
            SlurmdPort={slurmdPort}
            SlurmUser=slurm
            AuthType=auth/munge
            CredType=cred/munge
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            SelectType=select/cons_tres
            SelectTypeParameters=CR_Core
            AccountingStorageType=accounting_storage/none
            JobAcctGatherType=jobacct_gather/none
            StateSaveLocation={Dir}/state
            SlurmdSpoolDir={Dir}/spool
            SlurmctldPidFile={Dir}/slurmctld.pid
            SlurmdPidFile={Dir}/slurmd.pid
            SlurmctldLogFile={Dir}/slurmctld.log
            SlurmdLogFile={Dir}/slurmd.log
            ReturnToService=2
            NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 RealMemory=1000 State=UNKNOWN
            PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP

            """));
        Run("chown", ["-R", "slurm:slurm", Dir], TimeSpan.FromSeconds(30));    // slurmctld runs as SlurmUser
        Run("chmod", ["755", Dir], TimeSpan.FromSeconds(30));
        Run("/usr/sbin/slurmctld", ["-f", Conf], TimeSpan.FromSeconds(60));   // both daemonise and write their pid files
        pids.Add(ReadPid(Path.Combine(Dir, "slurmctld.pid")));
        Run("/usr/sbin/slurmd", ["-f", Conf, "-N", "localhost"], TimeSpan.FromSeconds(60));
        pids.Add(ReadPid(Path.Combine(Dir, "slurmd.pid")));
        var clock = Stopwatch.StartNew();
        while (!Query("sinfo", "-h", "-o", "%t").Contains("idle", StringComparison.Ordinal))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60))
                throw new InvalidOperationException($"the test Slurm node did not become idle: {Query("sinfo")}\n{Log("slurmctld.log")}\n{Log("slurmd.log")}");
            Thread.Sleep(250);
        }
    }

    /// <summary>Runs a Slurm client command against this cluster and returns its output (throws on failure).</summary>
    public string Query(string command, params string[] args) => Run(command, args, TimeSpan.FromSeconds(60), Environment);

    /// <summary>A daemon log's text (for failure messages).</summary>
    public string Log(string name) => File.Exists(Path.Combine(Dir, name)) ? File.ReadAllText(Path.Combine(Dir, name)) : $"(no {name})";

    public void Dispose()
    {
        foreach (var pid in Enumerable.Reverse(pids))
        {
            try
            {
                using var p = Process.GetProcessById(pid);
                p.Kill();
                p.WaitForExit(10_000);
            }
            catch (ArgumentException) { }   // already gone
        }
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }

    private void StartMunge()
    {
        if (Answers()) return;                   // a munged already runs (e.g. a real cluster, or the CI's): use it
        Directory.CreateDirectory("/run/munge");
        Run("chown", ["munge:munge", "/run/munge"], TimeSpan.FromSeconds(30));
        Run("runuser", ["-u", "munge", "--", "/usr/sbin/munged"], TimeSpan.FromSeconds(30));
        pids.Add(ReadPid("/run/munge/munged.pid"));
        if (!Answers()) throw new InvalidOperationException("munged started but `munge -n | unmunge` fails");
    }

    private static bool Answers()
    {
        try { Run("bash", ["-c", "munge -n | unmunge"], TimeSpan.FromSeconds(10)); return true; }
        catch (InvalidOperationException) { return false; }
    }

    private static int ReadPid(string file)
    {
        var clock = Stopwatch.StartNew();
        while (!File.Exists(file) || File.ReadAllText(file).Trim().Length == 0)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(20)) throw new InvalidOperationException($"no pid file {file}");
            Thread.Sleep(100);
        }
        return int.Parse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture);
    }

    private static string Run(string file, string[] args, TimeSpan timeout, IReadOnlyDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout)) { p.Kill(); throw new InvalidOperationException($"{file} {string.Join(' ', args)} did not finish in {timeout}"); }
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {p.ExitCode}: {stdout.Result}{stderr.Result}");
        return stdout.Result;
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
