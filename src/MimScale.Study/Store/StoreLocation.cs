using System.Text;
using MimScale.Study.Running;
using Npgsql;

namespace MimScale.Study.Store;

/// <summary>
/// Where a study's store lives, as given by <c>--store</c>: nothing (the study folder's <c>study.db</c>), a SQLite file
/// path, or a PostgreSQL address <c>postgresql://user[:password]@host[:port]/database[?host=/socket/dir&amp;schema=name]</c>
/// (the libpq URI form; <c>host</c> in the query overrides the one before the path, e.g. a Unix socket folder). In
/// PostgreSQL each study gets its own schema, <c>study_</c> plus its name (letters, digits and underscores), unless
/// <c>schema=</c> names one.
/// </summary>
public sealed record StoreLocation(string? Address)
{
    /// <summary>The study folder's own SQLite file.</summary>
    public static readonly StoreLocation Default = new((string?)null);

    /// <summary>True for a PostgreSQL address.</summary>
    public bool IsPostgres => Address is not null && (Address.StartsWith("postgresql://", StringComparison.Ordinal) || Address.StartsWith("postgres://", StringComparison.Ordinal));

    /// <summary>The back end for the study <paramref name="studyName"/> whose folder is <paramref name="folder"/>.</summary>
    /// <exception cref="ArgumentException">A malformed address.</exception>
    public StoreBackend Backend(string studyName, StudyFolder folder)
    {
        if (Address is null) return new SqliteBackend(folder.DatabasePath);
        if (!IsPostgres)
        {
            if (Address.Contains("://", StringComparison.Ordinal))
                throw new ArgumentException($"--store {Address}: unknown kind of store; give a SQLite file path or postgresql://user@host:port/database");
            return new SqliteBackend(Path.GetFullPath(Address));
        }
        var (builder, schema) = ParsePostgres(Address);
        return new PostgresBackend(builder, schema ?? SchemaFor(studyName), Redacted(Address));
    }

    /// <summary>Checks the address now (before any planning), so a typo is the first error.</summary>
    /// <exception cref="ArgumentException">A malformed address.</exception>
    public StoreLocation Validated()
    {
        Backend("check", StudyFolder.At("."));
        return this;
    }

    /// <summary>Opens the store (creating its tables when missing).</summary>
    public StudyStore Open(string studyName, StudyFolder folder) => StudyStore.Open(Backend(studyName, folder));

    /// <summary>The default PostgreSQL schema of a study: "study_" plus its name with every other character as '_', lower case.</summary>
    public static string SchemaFor(string studyName)
    {
        var sb = new StringBuilder("study_");
        foreach (char ch in studyName.ToLowerInvariant()) sb.Append(char.IsAsciiLetterOrDigit(ch) ? ch : '_');
        return sb.Length > 63 ? sb.ToString(0, 63) : sb.ToString();   // PostgreSQL truncates identifiers at 63 bytes
    }

    private static (NpgsqlConnectionStringBuilder, string?) ParsePostgres(string address)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri))
            throw new ArgumentException($"--store {address}: not a valid postgresql:// address");
        var b = new NpgsqlConnectionStringBuilder { Host = uri.Host.Length > 0 ? uri.Host : "localhost", Port = uri.Port > 0 ? uri.Port : 5432 };
        var user = uri.UserInfo.Split(':', 2);
        if (user[0].Length > 0) b.Username = Uri.UnescapeDataString(user[0]);
        if (user.Length > 1) b.Password = Uri.UnescapeDataString(user[1]);
        var db = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (db.Length == 0) throw new ArgumentException($"--store {address}: no database name (postgresql://user@host:port/DATABASE)");
        b.Database = db;
        string? schema = null;
        foreach (var part in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = part.Split('=', 2);
            var value = kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : "";
            switch (kv[0])
            {
                case "host": b.Host = value; break;
                case "schema":
                    if (value.Length == 0 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                        throw new ArgumentException($"--store {address}: schema '{value}' must be letters, digits and underscores");
                    schema = value;
                    break;
                default: throw new ArgumentException($"--store {address}: unknown parameter '{kv[0]}' (known: host, schema)");
            }
        }
        return (b, schema);
    }

    private static string Redacted(string address)
    {
        var uri = new Uri(address);
        if (!uri.UserInfo.Contains(':', StringComparison.Ordinal)) return address;
        return address.Replace(uri.UserInfo, uri.UserInfo.Split(':')[0] + ":***", StringComparison.Ordinal);
    }
}
