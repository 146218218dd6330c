using System.Data.Common;
using System.Text.Json;
using MimScale.Analysis.Results;

namespace MimScale.Study.Store;

/// <summary>Reads cells with their status, run, curve and evaluations back from the store.</summary>
internal static class StoreReader
{
    public static IReadOnlyList<StoredCell> Load(StudyStore store, IReadOnlyList<string> keys)
    {
        var wanted = keys.ToHashSet(StringComparer.Ordinal);
        var runs = new Dictionary<string, StoredRun>(StringComparer.Ordinal);
        var curves = new Dictionary<string, List<CurvePoint>>(StringComparer.Ordinal);
        using (var cmd = store.Command("SELECT cell_key, iteration, train_loss, val_loss FROM metric_series ORDER BY cell_key, iteration", null))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
            {
                var k = r.GetString(0);
                if (!wanted.Contains(k)) continue;
                if (!curves.TryGetValue(k, out var list)) curves[k] = list = [];
                list.Add(new CurvePoint(r.GetInt64(1), NullableDouble(r, 2), NullableDouble(r, 3)));
            }
        using (var cmd = store.Command("SELECT cell_key, run_dir, final_train_loss, final_val_loss, trunk_seconds, decay_seconds, device, images, finished_at FROM runs", null))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
            {
                var k = r.GetString(0);
                if (!wanted.Contains(k)) continue;
                runs[k] = new StoredRun(r.GetString(1), NullableDouble(r, 2), NullableDouble(r, 3), r.GetDouble(4), r.GetDouble(5),
                    r.IsDBNull(6) ? null : r.GetString(6), JsonSerializer.Deserialize<string[]>(r.GetString(7)) ?? [], r.GetString(8),
                    curves.TryGetValue(k, out var c) ? c : []);
            }
        var metrics = new Dictionary<(string, string), Dictionary<string, double>>();
        using (var cmd = store.Command("SELECT cell_key, evaluation, metric, value FROM evaluation_metrics ORDER BY cell_key, evaluation, metric", null))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
            {
                var key = (r.GetString(0), r.GetString(1));
                if (!metrics.TryGetValue(key, out var d)) metrics[key] = d = new(StringComparer.Ordinal);
                d[r.GetString(2)] = r.GetDouble(3);
            }
        var evaluations = new Dictionary<string, List<StoredEvaluation>>(StringComparer.Ordinal);
        using (var cmd = store.Command("SELECT cell_key, evaluation, wall_seconds, finished_at FROM evaluations ORDER BY cell_key, evaluation", null))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
            {
                var (k, e) = (r.GetString(0), r.GetString(1));
                if (!evaluations.TryGetValue(k, out var list)) evaluations[k] = list = [];
                list.Add(new StoredEvaluation(e, metrics.TryGetValue((k, e), out var m) ? m : new(), r.GetDouble(2), r.GetString(3)));
            }

        var cells = new Dictionary<string, StoredCell>(StringComparer.Ordinal);
        using (var cmd = store.Command("""
                   SELECT c.cell_key, trunk_key, model, data_label, data_fraction, image_count, parameters, size_rank, iterations, seed, decay_start,
                          attributed_iterations, flops_per_iteration, evaluations, config_json, s.stage, s.message, s.updated_at
                   FROM cells c LEFT JOIN status s ON s.cell_key = c.cell_key
                   """, null))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
            {
                var k = r.GetString(0);
                if (!wanted.Contains(k)) continue;
                cells[k] = new StoredCell(k, r.GetString(1), r.GetString(2), r.GetString(3), NullableDouble(r, 4),
                    r.IsDBNull(5) ? null : Int(r, 5), r.GetInt64(6), Int(r, 7), r.GetInt64(8), Int(r, 9), r.GetInt64(10),
                    r.GetDouble(11), r.GetDouble(12), r.GetString(13).Split(',', StringSplitOptions.RemoveEmptyEntries), r.GetString(14),
                    r.IsDBNull(15) ? CellStage.Planned : StudyStore.ParseStage(r.GetString(15)), r.IsDBNull(16) ? null : r.GetString(16),
                    r.IsDBNull(17) ? "" : r.GetString(17), runs.GetValueOrDefault(k), evaluations.TryGetValue(k, out var ev) ? ev : []);
            }
        return keys.Where(cells.ContainsKey).Select(k => cells[k]).ToList();
    }

    // Integer columns are BIGINT; PostgreSQL's reader will not narrow them by itself.
    private static int Int(DbDataReader r, int i) => checked((int)r.GetInt64(i));

    private static double? NullableDouble(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDouble(i);
}
