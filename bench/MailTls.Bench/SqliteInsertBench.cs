using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

/// <summary>
/// <c>MailTls.Bench sqlite-insert DIR [ROWS]</c>: how the report store should talk to SQLite. Inserts ROWS rows shaped
/// like <c>reports</c> (22 columns, the same three indexes) in transactions of 2,048 (WAL, synchronous=FULL), once per
/// variant, each into a fresh file: Microsoft.Data.Sqlite with one prepared single-row command (named parameters),
/// the same with multi-row <c>VALUES</c> of 8 and 64 rows, and the raw SQLitePCL API (one prepared statement,
/// parameters bound by position), with and without <c>RETURNING id</c>. Prints wall time and CPU µs per row (process CPU, single thread).
/// </summary>
internal static class SqliteInsertBench
{
    private const int Columns = 22;

    private const string Ddl = """
        CREATE TABLE reports (id INTEGER PRIMARY KEY, sender TEXT NOT NULL, organization_name TEXT, contact_info TEXT, report_id TEXT NOT NULL,
          start_utc INTEGER NOT NULL, end_utc INTEGER NOT NULL, day INTEGER NOT NULL, content_sha256 TEXT NOT NULL, revision INTEGER NOT NULL,
          is_current INTEGER NOT NULL, successful_sessions INTEGER NOT NULL, failed_sessions INTEGER NOT NULL, deviation_codes TEXT NOT NULL,
          deviations TEXT NOT NULL, source_kind TEXT NOT NULL, source_name TEXT, tenant TEXT, message_id TEXT, file_name TEXT,
          received_utc INTEGER NOT NULL, raw_format TEXT NOT NULL, raw BLOB NOT NULL);
        CREATE UNIQUE INDEX reports_natural_key ON reports (sender, report_id, start_utc, end_utc, content_sha256);
        CREATE INDEX reports_report_id ON reports (report_id);
        CREATE INDEX reports_current_day ON reports (is_current, day, successful_sessions, failed_sessions)
        """;

    private const string ColumnList = "sender, organization_name, contact_info, report_id, start_utc, end_utc, day, content_sha256, revision, is_current, " +
        "successful_sessions, failed_sessions, deviation_codes, deviations, source_kind, source_name, tenant, message_id, file_name, received_utc, raw_format, raw";

    public static int Run(string[] args)
    {
        var dir = args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), "mailtls-sqlite-insert");
        var rows = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 100_000;
        Directory.CreateDirectory(dir);
        var data = Enumerable.Range(0, rows).Select(Row).ToArray();
        Console.WriteLine($"sqlite-insert: {rows} rows of {Columns} columns, 2048 per transaction, WAL, synchronous=FULL");
        foreach (var (name, variant) in new (string, Action<SqliteConnection, object?[][]>)[]
        {
            ("ado single-row (named parameters)", (c, d) => Ado(c, d, 1)),
            ("ado multi-row x8", (c, d) => Ado(c, d, 8)),
            ("ado multi-row x64", (c, d) => Ado(c, d, 64)),
            ("raw SQLitePCL single-row (positional)", (c, d) => Raw(c, d, returning: false)),
            ("raw SQLitePCL single-row, RETURNING id", (c, d) => Raw(c, d, returning: true)),
        })
        {
            var path = Path.Combine(dir, "insert.db");
            foreach (var f in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(f);
            }

            using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
            connection.Open();
            Exec(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-32768");
            Exec(connection, Ddl);
            var process = Process.GetCurrentProcess();
            var cpu0 = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            variant(connection, data);
            sw.Stop();
            process.Refresh();
            var cpu = (process.TotalProcessorTime - cpu0).TotalMicroseconds / rows;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-40} {rows / sw.Elapsed.TotalSeconds,8:F0} rows/s wall, {cpu,5:F1} µs CPU per row"));
        }

        return 0;
    }

    private static object?[] Row(int i)
    {
        var day = 20454 + (i / 5000);
        return
        [
            i % 3 == 2 ? "microsoft.com" : "google.com", i % 3 == 2 ? "Microsoft Corporation" : "Google Inc.", "tlsrpt@example.com",
            $"{day}T00:00:00Z_d{i % 5000}.example+{i}", (long)day * 86400, (long)day * 86400 + 86399, (long)day,
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i))), 1L, 1L, (long)(i % 100), (long)(i % 7 == 0 ? 1 : 0),
            "tlsrpt.report.mx-host-array", "[{\"Code\":\"tlsrpt.report.mx-host-array\",\"Severity\":\"info\",\"Message\":\"mx-host is an array\"}]",
            "file", $"/tmp/files/google.com!d{i % 5000}.example!{i}.json.gz", null, null, $"google.com!d{i % 5000}.example!{i}.json.gz", 1767225600L, "gzip",
            Encoding.UTF8.GetBytes(new string('x', 350) + i.ToString(CultureInfo.InvariantCulture)),
        ];
    }

    private static void Ado(SqliteConnection connection, object?[][] data, int perStatement)
    {
        SqliteCommand Make(int n)
        {
            var cmd = connection.CreateCommand();
            var sb = new StringBuilder($"INSERT INTO reports ({ColumnList}) VALUES ");
            for (var r = 0; r < n; r++)
            {
                sb.Append(r == 0 ? "(" : ", (");
                for (var c = 0; c < Columns; c++)
                {
                    sb.Append(c == 0 ? string.Empty : ", ").Append(CultureInfo.InvariantCulture, $"@p{r}_{c}");
                    cmd.Parameters.Add(new SqliteParameter($"@p{r}_{c}", null));
                }

                sb.Append(')');
            }

            cmd.CommandText = sb.ToString();
            return cmd;
        }

        for (var start = 0; start < data.Length; start += 2048)
        {
            using var tx = connection.BeginTransaction(deferred: false);
            using var full = Make(perStatement);
            full.Transaction = tx;
            var end = Math.Min(data.Length, start + 2048);
            var i = start;
            for (; i + perStatement <= end; i += perStatement)
            {
                for (var r = 0; r < perStatement; r++)
                {
                    for (var c = 0; c < Columns; c++)
                    {
                        full.Parameters[(r * Columns) + c].Value = data[i + r][c] ?? DBNull.Value;
                    }
                }

                full.ExecuteNonQuery();
            }

            if (i < end)
            {
                using var tail = Make(end - i);
                tail.Transaction = tx;
                for (var r = 0; r < end - i; r++)
                {
                    for (var c = 0; c < Columns; c++)
                    {
                        tail.Parameters[(r * Columns) + c].Value = data[i + r][c] ?? DBNull.Value;
                    }
                }

                tail.ExecuteNonQuery();
            }

            tx.Commit();
        }
    }

    private static void Raw(SqliteConnection connection, object?[][] data, bool returning)
    {
        var db = connection.Handle!;
        var sql = $"INSERT INTO reports ({ColumnList}) VALUES ({string.Join(", ", Enumerable.Range(1, Columns).Select(i => "?" + i.ToString(CultureInfo.InvariantCulture)))})"
            + (returning ? " RETURNING id" : string.Empty);
        Check(raw.sqlite3_prepare_v2(db, sql, out var stmt), db);
        using (stmt)
        {
            for (var start = 0; start < data.Length; start += 2048)
            {
                using var tx = connection.BeginTransaction(deferred: false);
                for (var i = start; i < Math.Min(data.Length, start + 2048); i++)
                {
                    for (var c = 0; c < Columns; c++)
                    {
                        var rc = data[i][c] switch
                        {
                            null => raw.sqlite3_bind_null(stmt, c + 1),
                            long l => raw.sqlite3_bind_int64(stmt, c + 1, l),
                            string s => raw.sqlite3_bind_text(stmt, c + 1, s),
                            byte[] b => raw.sqlite3_bind_blob(stmt, c + 1, b),
                            _ => throw new InvalidOperationException(),
                        };
                        Check(rc, db);
                    }

                    int step;
                    while ((step = raw.sqlite3_step(stmt)) == raw.SQLITE_ROW)
                    {
                        _ = raw.sqlite3_column_int64(stmt, 0);
                    }

                    if (step != raw.SQLITE_DONE)
                    {
                        Check(raw.sqlite3_errcode(db), db);
                    }

                    raw.sqlite3_reset(stmt);
                }

                tx.Commit();
            }
        }
    }

    private static void Check(int rc, sqlite3 db)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }
    }

    private static void Exec(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
