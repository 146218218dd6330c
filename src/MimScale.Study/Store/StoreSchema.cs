namespace MimScale.Study.Store;

/// <summary>
/// Tables of <c>study.db</c>. <c>cells</c> holds every cell ever registered (plan facts and resolved config);
/// <c>specs</c>/<c>spec_cells</c> which cells each registered spec version consists of; <c>status</c> the mutable stage
/// per cell; <c>runs</c>, <c>metric_series</c>, <c>evaluations</c>, <c>evaluation_metrics</c> the results;
/// <c>trunk_claims</c> which worker holds which trunk (<see cref="TrunkClaims"/>). The same DDL serves SQLite and
/// PostgreSQL: <c>DOUBLE PRECISION</c> and <c>BIGINT</c> (SQLite's REAL and INTEGER affinities; PostgreSQL's REAL and
/// INTEGER would be 4 bytes), and <c>{auto_id}</c> stands for each back end's auto-increment key. Adding
/// <c>trunk_claims</c> kept the version at 1: older stores gain the table on open and lose nothing.
/// </summary>
internal static class StoreSchema
{
    public const int Version = 1;

    public const string Create = """
        CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS specs(
            {auto_id}, spec_hash TEXT NOT NULL, name TEXT NOT NULL, source_path TEXT NOT NULL,
            yaml TEXT NOT NULL, version TEXT NOT NULL, registered_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS cells(
            cell_key TEXT PRIMARY KEY, config_hash TEXT NOT NULL, trunk_key TEXT NOT NULL, model TEXT NOT NULL,
            data_label TEXT NOT NULL, data_fraction DOUBLE PRECISION, image_count BIGINT, parameters BIGINT NOT NULL, size_rank BIGINT NOT NULL,
            iterations BIGINT NOT NULL, seed BIGINT NOT NULL, decay_start BIGINT NOT NULL, attributed_iterations DOUBLE PRECISION NOT NULL,
            flops_per_iteration DOUBLE PRECISION NOT NULL, evaluations TEXT NOT NULL, config_json TEXT NOT NULL, created_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS spec_cells(
            spec_id BIGINT NOT NULL, cell_key TEXT NOT NULL, ordinal BIGINT NOT NULL, PRIMARY KEY(spec_id, cell_key));
        CREATE TABLE IF NOT EXISTS status(
            cell_key TEXT PRIMARY KEY, stage TEXT NOT NULL, message TEXT, updated_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS runs(
            cell_key TEXT PRIMARY KEY, run_dir TEXT NOT NULL, final_train_loss DOUBLE PRECISION, final_val_loss DOUBLE PRECISION,
            trunk_seconds DOUBLE PRECISION NOT NULL, decay_seconds DOUBLE PRECISION NOT NULL, device TEXT, images TEXT NOT NULL, finished_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS metric_series(
            cell_key TEXT NOT NULL, iteration BIGINT NOT NULL, train_loss DOUBLE PRECISION, val_loss DOUBLE PRECISION, PRIMARY KEY(cell_key, iteration));
        CREATE TABLE IF NOT EXISTS evaluations(
            cell_key TEXT NOT NULL, evaluation TEXT NOT NULL, wall_seconds DOUBLE PRECISION NOT NULL, finished_at TEXT NOT NULL,
            PRIMARY KEY(cell_key, evaluation));
        CREATE TABLE IF NOT EXISTS evaluation_metrics(
            cell_key TEXT NOT NULL, evaluation TEXT NOT NULL, metric TEXT NOT NULL, value DOUBLE PRECISION NOT NULL,
            PRIMARY KEY(cell_key, evaluation, metric));
        CREATE TABLE IF NOT EXISTS trunk_claims(
            trunk_key TEXT PRIMARY KEY, worker TEXT, claimed_at DOUBLE PRECISION, heartbeat DOUBLE PRECISION, stale_after DOUBLE PRECISION,
            attempts BIGINT NOT NULL, last_worker TEXT, outcome TEXT, outcome_at DOUBLE PRECISION);
        """;
}
