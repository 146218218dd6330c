using System.Data.Common;

namespace MimScale.Study.Store;

/// <summary>
/// What differs between the two databases a study store can live in; everything else is one SQL text for both
/// (named parameters written <c>@name</c>, <c>ON CONFLICT</c> upserts, <c>DOUBLE PRECISION</c>/<c>BIGINT</c> columns).
/// </summary>
public abstract class StoreBackend
{
    /// <summary>Where the store is, for messages ("runs/quick/study.db", "postgresql://mim@db:5432/studies (schema study_quick)").</summary>
    public abstract string Describe { get; }

    /// <summary>A new open connection.</summary>
    internal abstract DbConnection Connect();

    /// <summary>
    /// Begins a transaction that writes. Writers are serialised by both back ends (SQLite: <c>BEGIN IMMEDIATE</c>, which
    /// takes the write lock at once and so cannot deadlock on a read-to-write upgrade; PostgreSQL: a transaction-scoped
    /// advisory lock), so a claim is a plain read-check-update and the SQL stays the same for both.
    /// </summary>
    internal abstract DbTransaction BeginWrite(DbConnection db);

    /// <summary>Creates the tables (idempotent; safe when several workers open a fresh store at once).</summary>
    internal abstract void CreateSchema(DbConnection db);

    /// <summary>SQL expression for the database clock in Unix seconds. Heartbeats use the database's clock, not the
    /// workers', so machines with skewed clocks still agree on how old a heartbeat is.</summary>
    internal abstract string NowSeconds { get; }

    /// <summary>The DDL of <see cref="StoreSchema.Create"/> with this back end's auto-increment key.</summary>
    internal string SchemaSql(string autoIncrementKey) => StoreSchema.Create.Replace("{auto_id}", autoIncrementKey, StringComparison.Ordinal);
}
