using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace MimScale.Study.Store;

/// <summary>
/// The one-machine store: a SQLite file (<c>study.db</c>) in WAL mode, so readers (`study status`) never block the
/// workers and several worker processes on one machine share it through SQLite's own file locking. Not for a network
/// file system (SQLite's locks are unreliable there): use <see cref="PostgresBackend"/> across machines.
/// </summary>
/// <param name="path">The database file.</param>
public sealed class SqliteBackend(string path) : StoreBackend
{
    /// <summary>The database file.</summary>
    public string Path { get; } = path;

    /// <inheritdoc/>
    public override string Describe => Path;

    internal override DbConnection Connect()
    {
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));
        if (dir is not null) Directory.CreateDirectory(dir);
        // No pooling: the file is released on Dispose (tests delete their folders; a second process may open it).
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString());
        try
        {
            db.Open();
            // busy_timeout: a writer waits for another process's transaction instead of failing at once.
            Exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;");
            return db;
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    // Microsoft.Data.Sqlite's non-deferred transaction is BEGIN IMMEDIATE (SqliteTransaction constructor).
    internal override DbTransaction BeginWrite(DbConnection db) => ((SqliteConnection)db).BeginTransaction(deferred: false);

    internal override void CreateSchema(DbConnection db) => Exec(db, SchemaSql("spec_id INTEGER PRIMARY KEY AUTOINCREMENT"));

    // julianday has existed in every SQLite version (unixepoch('subsec') needs 3.42); 2440587.5 = julian day of 1970-01-01.
    internal override string NowSeconds => "((julianday('now') - 2440587.5) * 86400.0)";

    private static void Exec(DbConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
