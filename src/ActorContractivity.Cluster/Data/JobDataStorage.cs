using System.Collections.Concurrent;
using System.Data.Common;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Npgsql;
using ActorContractivity.Cluster.Hosting;

namespace ActorContractivity.Cluster.Data;

/// <summary>
/// Job data (a model's bytes) by content hash, in chunks of at most <see cref="JobDataStorage.ChunkBytes"/>: the
/// journal records only the hash, and a coordinator that restarts reads the weights back from here. Calls block;
/// only the <see cref="JobDataStore"/> actor makes them, on a dispatcher of its own.
/// </summary>
public interface IJobDataStorage
{
    /// <summary>Stores one chunk of the data named <paramref name="hash"/> (again: no change).</summary>
    void Put(string hash, int index, int count, ReadOnlySpan<byte> bytes);

    /// <summary>The indices of the chunks stored for <paramref name="hash"/>.</summary>
    IReadOnlySet<int> Stored(string hash);

    /// <summary>One chunk, or null when it is not stored.</summary>
    byte[]? Chunk(string hash, int index);

    /// <summary>Forgets every chunk of <paramref name="hash"/>.</summary>
    void Delete(string hash);
}

/// <summary>The storages of job data, one per journal provider.</summary>
public static class JobDataStorage
{
    /// <summary>The largest chunk: job data moves in messages of this size, well below the frame size.</summary>
    public const int ChunkBytes = 1024 * 1024;

    /// <summary>The table (SQLite and PostgreSQL alike).</summary>
    public const string Table = "contractivity_job_data";

    /// <summary>The SQLite file of job data under the data directory, beside the journal's.</summary>
    public const string SqliteFile = "jobdata.db";

    /// <summary>
    /// The storage that goes with the journal: a SQLite file of its own beside the journal's (one writer per file,
    /// as SQLite prefers), a table in the journal's PostgreSQL database, or memory.
    /// </summary>
    public static IJobDataStorage For(PersistenceSettings settings) => settings.Provider.ToLowerInvariant() switch
    {
        PersistenceProviders.Memory => new MemoryJobDataStorage(),
        PersistenceProviders.Sqlite => new SqlJobDataStorage(
            () => new SqliteConnection($"Data Source={SqlitePath(settings)};Pooling=false"), "BLOB"),
        PersistenceProviders.PostgreSql => new SqlJobDataStorage(
            () => new NpgsqlConnection(settings.ConnectionString), "BYTEA"),
        _ => throw new ArgumentException(
            $"Persistence:Provider: expected sqlite, postgresql or memory, got '{settings.Provider}'"),
    };

    /// <summary>The SQLite file of job data (its directory is created).</summary>
    public static string SqlitePath(PersistenceSettings settings)
    {
        var directory = Directory.CreateDirectory(Path.GetFullPath(settings.DataDirectory)).FullName;
        return Path.Combine(directory, SqliteFile);
    }

    /// <summary>The number of chunks of data of <paramref name="length"/> bytes.</summary>
    public static int ChunkCount(long length) => (int)Math.Max(1, (length + ChunkBytes - 1) / ChunkBytes);

    /// <summary>The chunks put back together.</summary>
    public static byte[] Join(IReadOnlyList<byte[]> chunks)
    {
        var bytes = new byte[chunks.Sum(c => (long)c.Length)];
        var at = 0;
        foreach (var chunk in chunks)
        {
            chunk.CopyTo(bytes, at);
            at += chunk.Length;
        }

        return bytes;
    }

    /// <summary>Chunk <paramref name="index"/> of <paramref name="data"/>.</summary>
    public static ReadOnlyMemory<byte> Slice(byte[] data, int index)
    {
        var start = (long)index * ChunkBytes;
        return data.AsMemory((int)start, (int)Math.Min(ChunkBytes, data.Length - start));
    }

    /// <summary>The SHA-256 of each chunk of <paramref name="data"/>, in order.</summary>
    public static byte[][] ChunkHashes(byte[] data) =>
        Enumerable.Range(0, ChunkCount(data.Length)).Select(i => SHA256.HashData(Slice(data, i).Span)).ToArray();
}

/// <summary>Job data in memory: it lives as long as the node (the node inside <c>certify</c>).</summary>
public sealed class MemoryJobDataStorage : IJobDataStorage
{
    private readonly ConcurrentDictionary<(string Hash, int Index), byte[]> _chunks = new();

    /// <inheritdoc />
    public void Put(string hash, int index, int count, ReadOnlySpan<byte> bytes) =>
        _chunks.TryAdd((hash, index), bytes.ToArray());

    /// <inheritdoc />
    public IReadOnlySet<int> Stored(string hash) =>
        _chunks.Keys.Where(k => k.Hash == hash).Select(k => k.Index).ToHashSet();

    /// <inheritdoc />
    public byte[]? Chunk(string hash, int index) => _chunks.GetValueOrDefault((hash, index));

    /// <inheritdoc />
    public void Delete(string hash)
    {
        foreach (var key in _chunks.Keys.Where(k => k.Hash == hash))
        {
            _chunks.TryRemove(key, out _);
        }
    }
}

/// <summary>Job data in a SQL table (SQLite or PostgreSQL): one row per chunk, keyed by hash and index.</summary>
public sealed class SqlJobDataStorage : IJobDataStorage
{
    private readonly Func<DbConnection> _connect;
    private readonly string _blobType;
    private bool _created;

    /// <summary>
    /// A storage on the connections <paramref name="connect"/> opens; the table is created on first use.
    /// </summary>
    public SqlJobDataStorage(Func<DbConnection> connect, string blobType)
    {
        _connect = connect;
        _blobType = blobType;
    }

    /// <inheritdoc />
    public void Put(string hash, int index, int count, ReadOnlySpan<byte> bytes)
    {
        using var connection = Open();
        using var command = Command(connection,
            $"INSERT INTO {JobDataStorage.Table} (hash, chunk, chunks, bytes) VALUES (@hash, @chunk, @chunks, @bytes) "
            + "ON CONFLICT (hash, chunk) DO NOTHING",
            ("hash", hash), ("chunk", index), ("chunks", count), ("bytes", bytes.ToArray()));
        command.ExecuteNonQuery();
    }

    /// <inheritdoc />
    public IReadOnlySet<int> Stored(string hash)
    {
        using var connection = Open();
        using var command = Command(connection, $"SELECT chunk FROM {JobDataStorage.Table} WHERE hash = @hash",
            ("hash", hash));
        using var reader = command.ExecuteReader();
        var stored = new HashSet<int>();
        while (reader.Read())
        {
            stored.Add(reader.GetInt32(0));
        }

        return stored;
    }

    /// <inheritdoc />
    public byte[]? Chunk(string hash, int index)
    {
        using var connection = Open();
        using var command = Command(connection,
            $"SELECT bytes FROM {JobDataStorage.Table} WHERE hash = @hash AND chunk = @chunk",
            ("hash", hash), ("chunk", index));
        return command.ExecuteScalar() as byte[];
    }

    /// <inheritdoc />
    public void Delete(string hash)
    {
        using var connection = Open();
        using var command = Command(connection, $"DELETE FROM {JobDataStorage.Table} WHERE hash = @hash",
            ("hash", hash));
        command.ExecuteNonQuery();
    }

    private DbConnection Open()
    {
        var connection = _connect();
        connection.Open();
        if (!_created)
        {
            using var create = Command(connection,
                $"CREATE TABLE IF NOT EXISTS {JobDataStorage.Table} (hash VARCHAR(64) NOT NULL, "
                + $"chunk INTEGER NOT NULL, chunks INTEGER NOT NULL, bytes {_blobType} NOT NULL, "
                + "PRIMARY KEY (hash, chunk))");
            create.ExecuteNonQuery();
            _created = true;
        }

        return connection;
    }

    private static DbCommand Command(DbConnection connection, string sql, params (string Name, object Value)[] values)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in values)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
