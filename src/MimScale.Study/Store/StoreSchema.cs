namespace MimScale.Study;

/// <summary>
/// Tables of <c>study.db</c>. <c>cells</c> holds every cell ever registered (plan facts and resolved config);
/// <c>specs</c>/<c>spec_cells</c> which cells each registered spec version consists of; <c>status</c> the mutable stage
/// per cell; <c>runs</c>, <c>metric_series</c>, <c>evaluations</c>, <c>evaluation_metrics</c> the results.
/// </summary>
internal static class StoreSchema
{
    public const int Version = 1;

    public const string Create = """
        CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS specs(
            spec_id INTEGER PRIMARY KEY AUTOINCREMENT, spec_hash TEXT NOT NULL, name TEXT NOT NULL, source_path TEXT NOT NULL,
            yaml TEXT NOT NULL, version TEXT NOT NULL, registered_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS cells(
            cell_key TEXT PRIMARY KEY, config_hash TEXT NOT NULL, trunk_key TEXT NOT NULL, model TEXT NOT NULL,
            data_label TEXT NOT NULL, data_fraction REAL, image_count INTEGER, parameters INTEGER NOT NULL, size_rank INTEGER NOT NULL,
            iterations INTEGER NOT NULL, seed INTEGER NOT NULL, decay_start INTEGER NOT NULL, attributed_iterations REAL NOT NULL,
            flops_per_iteration REAL NOT NULL, evaluations TEXT NOT NULL, config_json TEXT NOT NULL, created_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS spec_cells(
            spec_id INTEGER NOT NULL, cell_key TEXT NOT NULL, ordinal INTEGER NOT NULL, PRIMARY KEY(spec_id, cell_key));
        CREATE TABLE IF NOT EXISTS status(
            cell_key TEXT PRIMARY KEY, stage TEXT NOT NULL, message TEXT, updated_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS runs(
            cell_key TEXT PRIMARY KEY, run_dir TEXT NOT NULL, final_train_loss REAL, final_val_loss REAL,
            trunk_seconds REAL NOT NULL, decay_seconds REAL NOT NULL, device TEXT, images TEXT NOT NULL, finished_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS metric_series(
            cell_key TEXT NOT NULL, iteration INTEGER NOT NULL, train_loss REAL, val_loss REAL, PRIMARY KEY(cell_key, iteration));
        CREATE TABLE IF NOT EXISTS evaluations(
            cell_key TEXT NOT NULL, evaluation TEXT NOT NULL, wall_seconds REAL NOT NULL, finished_at TEXT NOT NULL,
            PRIMARY KEY(cell_key, evaluation));
        CREATE TABLE IF NOT EXISTS evaluation_metrics(
            cell_key TEXT NOT NULL, evaluation TEXT NOT NULL, metric TEXT NOT NULL, value REAL NOT NULL,
            PRIMARY KEY(cell_key, evaluation, metric));
        """;
}
