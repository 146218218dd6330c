using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using MimScale.Study.Execution;
using MimScale.Study.Planning;

namespace MimScale.Study.Store;

/// <summary>
/// The results store: SQLite <c>study.db</c> or a PostgreSQL schema (<see cref="StoreBackend"/>; tables in
/// <see cref="StoreSchema"/>, one SQL text for both). Every write is one transaction, so a killed process leaves either
/// the whole result of a cell/evaluation or none of it. Not thread-safe: one instance per thread (the runner
/// serialises its calls; a worker's heartbeat opens its own).
/// </summary>
public sealed class StudyStore : IDisposable
{
    private readonly DbConnection db;

    /// <summary>Where the store is (file path, or PostgreSQL address and schema).</summary>
    public string Path => Backend.Describe;

    /// <summary>The database behind the store.</summary>
    public StoreBackend Backend { get; }

    private StudyStore(StoreBackend backend, DbConnection db) { Backend = backend; this.db = db; }

    /// <summary>Opens (creating if needed) the SQLite store at <paramref name="path"/>.</summary>
    /// <exception cref="StudyExecutionException">The file is not a MimScale study store or has another schema version.</exception>
    public static StudyStore Open(string path) => Open(new SqliteBackend(path));

    /// <summary>Opens (creating its tables if needed) the store in <paramref name="backend"/>.</summary>
    /// <exception cref="StudyExecutionException">Not reachable, not a MimScale study store, or another schema version.</exception>
    public static StudyStore Open(StoreBackend backend)
    {
        DbConnection? db = null;
        try
        {
            db = backend.Connect();
            backend.CreateSchema(db);
            var store = new StudyStore(backend, db);
            var version = store.Meta("schema_version");
            if (version is null) store.SetMeta("schema_version", StoreSchema.Version.ToString(CultureInfo.InvariantCulture));
            else if (version != StoreSchema.Version.ToString(CultureInfo.InvariantCulture))
                throw new StudyExecutionException($"{backend.Describe}: study store schema version {version}, this MimScale reads version {StoreSchema.Version}");
            return store;
        }
        catch (Exception e) when (e is DbException or System.Net.Sockets.SocketException or TimeoutException)
        {
            db?.Dispose();
            throw new StudyExecutionException($"{backend.Describe}: cannot open the study store: {e.Message}", e);
        }
        catch
        {
            db?.Dispose();
            throw;
        }
    }

    /// <summary>Claims of workers sharing this study.</summary>
    public TrunkClaims Claims => claims ??= new TrunkClaims(this);
    private TrunkClaims? claims;

    /// <summary>A second connection to the same store (for a thread of its own, such as a heartbeat).</summary>
    public StudyStore Reopen() => Open(Backend);

    /// <summary>Value of a meta key, or null.</summary>
    public string? Meta(string key) => Scalar("SELECT value FROM meta WHERE key=@k", ("@k", key)) as string;

    /// <summary>Sets a meta key.</summary>
    public void SetMeta(string key, string value) =>
        Exec(db, "INSERT INTO meta(key,value) VALUES(@k,@v) ON CONFLICT(key) DO UPDATE SET value=excluded.value", null, ("@k", key), ("@v", value));

    /// <summary>
    /// Registers the plan as the current spec version: new cells are inserted as <see cref="CellStage.Planned"/>;
    /// existing cells (same key = same resolved config) keep their results and only take the new labels.
    /// </summary>
    public void RegisterPlan(StudyPlan plan)
    {
        using var tx = Backend.BeginWrite(db);
        string now = Now();
        var cells = plan.Cells;
        var specHash = CellConfig.Hash(plan.Spec.Text + "\n" + string.Join("\n", cells.Select(c => c.Key)));
        var id = Scalar("SELECT spec_id FROM specs WHERE spec_hash=@h", [("@h", specHash)], tx);
        long specId = id is long l ? l : (long)Scalar(
            "INSERT INTO specs(spec_hash,name,source_path,yaml,version,registered_at) VALUES(@h,@n,@p,@y,@v,@t) RETURNING spec_id",
            [("@h", specHash), ("@n", plan.Spec.Name), ("@p", plan.Spec.SourcePath), ("@y", plan.Spec.Text), ("@v", plan.Version), ("@t", now)], tx)!;
        for (int i = 0; i < cells.Count; i++)
        {
            var c = cells[i];
            Exec(db, """
                INSERT INTO cells(cell_key,config_hash,trunk_key,model,data_label,data_fraction,image_count,parameters,size_rank,iterations,seed,
                                  decay_start,attributed_iterations,flops_per_iteration,evaluations,config_json,created_at)
                VALUES(@k,@h,@tk,@m,@dl,@df,@ic,@p,@sr,@it,@s,@ds,@ai,@fl,@ev,@cj,@t)
                ON CONFLICT(cell_key) DO UPDATE SET data_label=excluded.data_label, size_rank=excluded.size_rank
                """, tx, ("@k", c.Key), ("@h", c.ConfigHash), ("@tk", c.TrunkKey), ("@m", c.Model), ("@dl", c.Data.Label),
                ("@df", c.Data.Fraction), ("@ic", c.Data.ImageCount), ("@p", c.Parameters), ("@sr", c.SizeRank), ("@it", c.Iterations),
                ("@s", c.Seed), ("@ds", c.DecayStart), ("@ai", c.AttributedIterations), ("@fl", c.FlopsPerIteration),
                ("@ev", string.Join(",", c.Evaluations)), ("@cj", c.ConfigJson), ("@t", now));
            Exec(db, "INSERT INTO status(cell_key,stage,message,updated_at) VALUES(@k,'planned',NULL,@t) ON CONFLICT(cell_key) DO NOTHING", tx, ("@k", c.Key), ("@t", now));
            Exec(db, "INSERT INTO spec_cells(spec_id,cell_key,ordinal) VALUES(@id,@k,@o) ON CONFLICT(spec_id,cell_key) DO NOTHING", tx, ("@id", specId), ("@k", c.Key), ("@o", i));
        }
        Exec(db, "INSERT INTO meta(key,value) VALUES('current_spec',@v) ON CONFLICT(key) DO UPDATE SET value=excluded.value", tx,
            ("@v", specId.ToString(CultureInfo.InvariantCulture)));
        tx.Commit();
    }

    /// <summary>The current (last registered) spec: its YAML, source path and cell keys in plan order; null when none.</summary>
    public (string Yaml, string SourcePath, IReadOnlyList<string> CellKeys)? CurrentSpec()
    {
        if (Meta("current_spec") is not string id) return null;
        string yaml, source;
        // The reader is closed before the next query: PostgreSQL (Npgsql) runs one command at a time per connection.
        using (var cmd = Command("SELECT yaml, source_path FROM specs WHERE spec_id=@id", null, ("@id", long.Parse(id, CultureInfo.InvariantCulture))))
        using (var r = cmd.ExecuteReader())
        {
            if (!r.Read()) return null;
            (yaml, source) = (r.GetString(0), r.GetString(1));
        }
        var keys = Strings("SELECT cell_key FROM spec_cells WHERE spec_id=@id ORDER BY ordinal", ("@id", long.Parse(id, CultureInfo.InvariantCulture)));
        return (yaml, source, keys);
    }

    /// <summary>Keys of every cell in the store.</summary>
    public IReadOnlyList<string> AllCellKeys() => Strings("SELECT cell_key FROM cells ORDER BY created_at, cell_key");

    /// <summary>Keys (among <paramref name="keys"/>) whose pre-training result is stored.</summary>
    public IReadOnlySet<string> PretrainedKeys(IEnumerable<string> keys)
    {
        var stored = Strings("SELECT cell_key FROM runs").ToHashSet(StringComparer.Ordinal);
        return keys.Where(stored.Contains).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Sets the stage (and message) of cells.</summary>
    public void SetStage(IEnumerable<string> keys, CellStage stage, string? message = null)
    {
        using var tx = Backend.BeginWrite(db);
        foreach (var k in keys)
            Exec(db, "INSERT INTO status(cell_key,stage,message,updated_at) VALUES(@k,@s,@m,@t) ON CONFLICT(cell_key) DO UPDATE SET stage=excluded.stage, message=excluded.message, updated_at=excluded.updated_at",
                tx, ("@k", k), ("@s", StageText(stage)), ("@m", message), ("@t", Now()));
        tx.Commit();
    }

    /// <summary>Stores a branch result with its curve, in one transaction; the cell becomes Pretrained (or Done without evaluations).</summary>
    /// <param name="cell">The cell.</param>
    /// <param name="result">Its pre-training result and curve.</param>
    /// <param name="worker">The worker that must hold the cell's trunk (worker mode), or null.</param>
    /// <exception cref="ClaimLostException">The trunk is held by another worker now; nothing was stored.</exception>
    public void RecordPretrain(CellPlan cell, CellPretrainResult result, string? worker = null)
    {
        using var tx = Backend.BeginWrite(db);
        if (worker is not null) Claims.EnsureHeld(tx, cell.TrunkKey, worker);
        string now = Now();
        Exec(db, """
            INSERT INTO runs(cell_key,run_dir,final_train_loss,final_val_loss,trunk_seconds,decay_seconds,device,images,finished_at) VALUES(@k,@d,@tl,@vl,@ts,@ds,@dev,@img,@t)
            ON CONFLICT(cell_key) DO UPDATE SET run_dir=excluded.run_dir, final_train_loss=excluded.final_train_loss, final_val_loss=excluded.final_val_loss,
                trunk_seconds=excluded.trunk_seconds, decay_seconds=excluded.decay_seconds, device=excluded.device, images=excluded.images, finished_at=excluded.finished_at
            """,
            tx, ("@k", cell.Key), ("@d", result.RunDir), ("@tl", result.FinalTrainLoss), ("@vl", result.FinalValLoss), ("@ts", result.TrunkSeconds),
            ("@ds", result.DecaySeconds), ("@dev", result.Device), ("@img", JsonSerializer.Serialize(result.ReconstructionImages)), ("@t", now));
        Exec(db, "DELETE FROM metric_series WHERE cell_key=@k", tx, ("@k", cell.Key));
        using (var insert = Command("INSERT INTO metric_series(cell_key,iteration,train_loss,val_loss) VALUES(@k,@i,@tl,@vl)", tx,
                   ("@k", cell.Key), ("@i", 0L), ("@tl", null), ("@vl", null)))
        {
            foreach (var p in result.Curve)
            {
                insert.Parameters["i"].Value = p.Iteration;
                insert.Parameters["tl"].Value = (object?)p.TrainLoss ?? DBNull.Value;
                insert.Parameters["vl"].Value = (object?)p.ValLoss ?? DBNull.Value;
                insert.ExecuteNonQuery();
            }
        }
        var done = cell.Evaluations.All(e => Scalar("SELECT 1 FROM evaluations WHERE cell_key=@k AND evaluation=@e", [("@k", cell.Key), ("@e", e)], tx) is not null);
        SetStageIn(tx, cell.Key, done ? CellStage.Done : CellStage.Pretrained, now);
        tx.Commit();
    }

    /// <summary>Stores one evaluation's metrics in one transaction; the cell becomes Done when nothing else is pending.</summary>
    /// <param name="cell">The cell.</param>
    /// <param name="evaluation">The evaluation's name.</param>
    /// <param name="metrics">Its metrics by name.</param>
    /// <param name="wallSeconds">Its wall-clock time.</param>
    /// <param name="worker">The worker that must hold the cell's trunk (worker mode), or null.</param>
    /// <exception cref="ClaimLostException">The trunk is held by another worker now; nothing was stored.</exception>
    public void RecordEvaluation(CellPlan cell, string evaluation, IReadOnlyDictionary<string, double> metrics, double wallSeconds, string? worker = null)
    {
        using var tx = Backend.BeginWrite(db);
        if (worker is not null) Claims.EnsureHeld(tx, cell.TrunkKey, worker);
        string now = Now();
        Exec(db, """
            INSERT INTO evaluations(cell_key,evaluation,wall_seconds,finished_at) VALUES(@k,@e,@s,@t)
            ON CONFLICT(cell_key,evaluation) DO UPDATE SET wall_seconds=excluded.wall_seconds, finished_at=excluded.finished_at
            """,
            tx, ("@k", cell.Key), ("@e", evaluation), ("@s", wallSeconds), ("@t", now));
        Exec(db, "DELETE FROM evaluation_metrics WHERE cell_key=@k AND evaluation=@e", tx, ("@k", cell.Key), ("@e", evaluation));
        foreach (var (name, value) in metrics)
            Exec(db, "INSERT INTO evaluation_metrics(cell_key,evaluation,metric,value) VALUES(@k,@e,@m,@v)", tx,
                ("@k", cell.Key), ("@e", evaluation), ("@m", name), ("@v", value));
        bool pretrained = Scalar("SELECT 1 FROM runs WHERE cell_key=@k", [("@k", cell.Key)], tx) is not null;
        bool allEvaluated = cell.Evaluations.All(e => Scalar("SELECT 1 FROM evaluations WHERE cell_key=@k AND evaluation=@e", [("@k", cell.Key), ("@e", e)], tx) is not null);
        SetStageIn(tx, cell.Key, pretrained && allEvaluated ? CellStage.Done : CellStage.Pretrained, now);
        tx.Commit();
    }

    /// <summary>Everything stored about the given cells (all cells when null), in the order given.</summary>
    public IReadOnlyList<StoredCell> LoadCells(IReadOnlyList<string>? keys = null) => StoreReader.Load(this, keys ?? AllCellKeys());

    public void Dispose() => db.Dispose();

    // ---- small helpers (also used by StoreReader) ----

    internal DbCommand Command(string sql, DbTransaction? tx, params (string Name, object? Value)[] args)
    {
        var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (n, v) in args) AddParameter(cmd, n, v);
        return cmd;
    }

    internal IReadOnlyList<string> Strings(string sql, params (string, object?)[] args)
    {
        using var cmd = Command(sql, null, args);
        using var r = cmd.ExecuteReader();
        var list = new List<string>();
        while (r.Read()) list.Add(r.GetString(0));
        return list;
    }

    internal DbTransaction BeginWrite() => Backend.BeginWrite(db);

    internal int Execute(string sql, DbTransaction? tx, params (string Name, object? Value)[] args)
    {
        using var cmd = Command(sql, tx, args);
        return cmd.ExecuteNonQuery();
    }

    internal object? ScalarValue(string sql, DbTransaction? tx, params (string, object?)[] args) => Scalar(sql, args, tx);

    private object? Scalar(string sql, (string, object?) arg) => Scalar(sql, [arg], null);

    private object? Scalar(string sql, (string, object?)[] args, DbTransaction? tx)
    {
        using var cmd = Command(sql, tx, args);
        var v = cmd.ExecuteScalar();
        return v is DBNull ? null : v;
    }

    private void SetStageIn(DbTransaction tx, string key, CellStage stage, string now) =>
        Exec(db, "INSERT INTO status(cell_key,stage,message,updated_at) VALUES(@k,@s,NULL,@t) ON CONFLICT(cell_key) DO UPDATE SET stage=excluded.stage, message=NULL, updated_at=excluded.updated_at",
            tx, ("@k", key), ("@s", StageText(stage)), ("@t", now));

    private static void Exec(DbConnection db, string sql, DbTransaction? tx = null, params (string Name, object? Value)[] args)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (n, v) in args) AddParameter(cmd, n, v);
        cmd.ExecuteNonQuery();
    }

    internal static void AddParameter(DbCommand cmd, string name, object? value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name.TrimStart('@');   // both providers bind "k" to @k
        p.Value = value ?? DBNull.Value;
        cmd.Parameters.Add(p);
    }

    internal static string StageText(CellStage s) => s.ToString().ToLowerInvariant();

    internal static CellStage ParseStage(string s) => Enum.Parse<CellStage>(s, ignoreCase: true);

    private static string Now() => DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
