using System.Collections.Frozen;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using SupportHub.Workflows;

namespace SupportHub.Functions.Embedded;

// Lookups that find nothing, answered without reading the file. Intake looks up every message's
// source id (has it been seen?) and its threading keys (Message-IDs, chat conversation, caller) in
// the ticketindex table, and for a new message all of them miss. In WAL mode every commit of the
// writer empties a read connection's page cache, so under intake load each of those lookups read the
// b-tree's root, inner and leaf pages from the file again (`pread`, through the WAL's index): paired
// runs of bench/load.sh with intake's lookups left out used about a quarter less CPU per accepted
// request. A Bloom filter of the keys of the tables named (one set of bits, 7 of them per key) says
// "certainly absent" for most keys that are; every other lookup reads the file as before.
//
// It stays exact in the one direction that matters — a key that exists is never reported absent —
// because this process's writer is the only writer of those tables and marks a key in the bits before
// it writes the row (on the writer thread, before the COMMIT that makes the row visible): a lookup
// that could see the row sees its bits. Rows rolled back or deleted leave their bits set (a lookup
// then reads the file, as it would without the filter). The only writer: the SqliteDatabase that keeps
// a filter holds an exclusive lock on a file beside the database (supporthub.db-keys), and any other
// SqliteDatabase on the same file, in this process or another, holds a shared one; so an owner is only
// ever claimed while no one else has the file open, and while it lives every other SqliteDatabase on
// the file refuses entity writes (SqliteDatabase.EnsureEntityWrites). Queues and reads are unaffected.
//
// The bits are built from the file in the background once it opens (until then every lookup reads),
// and again, twice as large, once half of them are set (the false-positive rate is then 0.5^7 ≈ 0.8 %
// of absent keys). A build first installs the new bits on the writer thread, so every write after it
// marks them too; then, after that write has committed, scans the keys of the file into them, and
// finally makes them the ones lookups use. Every key committed before the scan's snapshot is scanned;
// every later one was marked by the writer.

/// <summary>An in-memory filter of the keys of some entity tables, kept by the file's only writer.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2213", Justification = "The token source is only cancelled: a build may still read its token after Dispose returned.")]
internal sealed class SqliteKeyFilter : IDisposable
{
    /// <summary>The fewest bits the filter keeps (128 KiB).</summary>
    internal const int MinLog2Bits = 20;

    /// <summary>The most bits the filter keeps (256 MiB; past about 100 million keys it only answers fewer lookups).</summary>
    internal const int MaxLog2Bits = 31;

    /// <summary>Bits reserved per key when the filter is sized: it is rebuilt at twice its size once half its bits are set.</summary>
    private const int BitsPerKey = 20;

    private readonly SqliteDatabase _database;
    private readonly FrozenDictionary<string, ulong> _tableSeeds;
    private readonly int _minLog2Bits;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _buildLock = new();
    private Task _build = Task.CompletedTask;
    private int _building; // 1 while a build runs

    // Written by a build only, in this order: _ready, then _pending = null (see Mark).
    private volatile KeyBits? _ready;
    private volatile KeyBits? _pending;

    private long _answered;

    /// <param name="tables">The tables whose keys are kept: only their lookups are answered by the filter.</param>
    /// <param name="minLog2Bits">The filter's smallest size, as a power of two (tests use small ones to see it rebuilt).</param>
    public SqliteKeyFilter(SqliteDatabase database, IEnumerable<string> tables, int minLog2Bits = MinLog2Bits)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentOutOfRangeException.ThrowIfLessThan(minLog2Bits, 6);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minLog2Bits, MaxLog2Bits);
        _database = database;
        _minLog2Bits = minLog2Bits;
        _tableSeeds = tables.Distinct(StringComparer.Ordinal)
            .ToFrozenDictionary(table => table, table => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(table.AsSpan())), StringComparer.Ordinal);
    }

    /// <summary>The tables whose keys are kept.</summary>
    public IReadOnlyCollection<string> Tables => _tableSeeds.Keys;

    /// <summary>Whether lookups are answered yet (false until the first build has finished).</summary>
    public bool Ready => _ready is not null;

    /// <summary>The size of the bits lookups use, or 0 before the first build.</summary>
    public long Bits => _ready?.Length ?? 0;

    /// <summary>How many lookups the filter has answered "absent" without a read.</summary>
    public long Answered => Interlocked.Read(ref _answered);

    /// <summary>The build in progress, or the last one (for tests and for <see cref="Dispose"/>).</summary>
    internal Task Build
    {
        get
        {
            lock (_buildLock)
            {
                return _build;
            }
        }
    }

    /// <summary>False when no row with <paramref name="key"/> exists in <paramref name="table"/>; true when one may
    /// (read the file to know), and always for a table not kept or before the first build.</summary>
    public bool MayExist(string table, EntityKey key)
    {
        if (!_tableSeeds.TryGetValue(table, out var seed) || _ready is not { } ready || ready.Contains(Hash(seed, key)))
        {
            return true;
        }
        Interlocked.Increment(ref _answered);
        return false;
    }

    /// <summary>On the writer thread, before a row with <paramref name="key"/> is written to <paramref name="table"/>.</summary>
    public void Mark(string table, EntityKey key)
    {
        if (!_tableSeeds.TryGetValue(table, out var seed))
        {
            return;
        }
        var hash = Hash(seed, key);
        // The pending bits first: a build makes them the ready ones before it clears _pending, so a key
        // seen without pending bits is marked in the bits that lookups use from then on.
        _pending?.Add(hash);
        if (_ready is { } ready && ready.Add(hash) && ready.HalfSet)
        {
            Start(ready.Log2Length + 1);
        }
    }

    /// <summary>Starts a build of bits of at least 2^<paramref name="log2Bits"/> (or sized for the file's keys) unless one runs.</summary>
    public void Start(int log2Bits = 0)
    {
        lock (_buildLock)
        {
            if (_stop.IsCancellationRequested || Interlocked.CompareExchange(ref _building, 1, 0) != 0)
            {
                return;
            }
            _build = Task.Run(() => BuildAsync(log2Bits));
        }
    }

    private async Task BuildAsync(int log2Bits)
    {
        var stop = _stop.Token;
        try
        {
            var keys = _database.Read(reader =>
            {
                long count = 0;
                foreach (var table in _tableSeeds.Keys)
                {
                    count += reader.Statement("SELECT count(*) FROM entities WHERE table_name = ?1").Bind(1, table).ScalarInt64() ?? 0;
                }
                return count;
            });
            var bits = new KeyBits(Math.Clamp(Math.Max(log2Bits, Log2Ceiling(Math.Max(keys, 1) * BitsPerKey)), _minLog2Bits, MaxLog2Bits));
            // On the writer thread: every write after this one marks the new bits too.
            await _database.WriteAsync(_ => _pending = bits, stop);
            _database.Read(reader =>
            {
                foreach (var (table, seed) in _tableSeeds)
                {
                    using var row = reader.Statement("SELECT partition_key, row_key FROM entities WHERE table_name = ?1").Bind(1, table).Query();
                    for (var n = 1; row.Read(); n++)
                    {
                        bits.Add(Hash(seed, new EntityKey(row.GetString(0), row.GetString(1))));
                        if ((n & 4095) == 0)
                        {
                            stop.ThrowIfCancellationRequested();
                        }
                    }
                }
                return true;
            });
            _ready = bits;
            _pending = null;
        }
        catch (Exception)
        {
            // Closing (the database was disposed), or a read of the file failed (the disk): lookups go on
            // with the bits they had, and the next write that finds those half set tries again. After a
            // first build that failed there are none, and every lookup reads the file.
        }
        finally
        {
            _pending = null;
            Volatile.Write(ref _building, 0);
        }
    }

    private static int Log2Ceiling(long value) => 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)(value - 1));

    private static ulong Hash(ulong tableSeed, EntityKey key)
    {
        var partition = XxHash3.HashToUInt64(MemoryMarshal.AsBytes(key.PartitionKey.AsSpan()), unchecked((long)tableSeed));
        return XxHash3.HashToUInt64(MemoryMarshal.AsBytes(key.RowKey.AsSpan()), unchecked((long)partition));
    }

    /// <summary>Stops a build in progress and waits for it.</summary>
    public void Dispose()
    {
        Task build;
        lock (_buildLock)
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }
            _stop.Cancel();
            build = _build;
        }
        try
        {
            build.Wait();
        }
        catch (AggregateException)
        {
            // BuildAsync catches what it expects; anything else has nothing left to clean up.
        }
    }

    /// <summary>The bits of a Bloom filter with 7 probes per key (double hashing of one 64-bit hash).</summary>
    internal sealed class KeyBits
    {
        private const int Probes = 7;
        private readonly long[] _words;
        private readonly ulong _mask;
        private long _set;

        public KeyBits(int log2Bits)
        {
            Log2Length = log2Bits;
            _words = new long[(1L << log2Bits) / 64];
            _mask = (1UL << log2Bits) - 1;
        }

        public int Log2Length { get; }

        public long Length => 1L << Log2Length;

        /// <summary>Whether half of the bits are set: a filter past that answers too few lookups.</summary>
        public bool HalfSet => Interlocked.Read(ref _set) * 2 >= Length;

        /// <summary>Sets the bits of <paramref name="hash"/>; true if one of them was not set before.
        /// Safe beside other adds and lookups (a build scans while the writer marks).</summary>
        public bool Add(ulong hash)
        {
            var (bit, step) = Start(hash);
            var added = 0;
            for (var i = 0; i < Probes; i++, bit += step)
            {
                var mask = 1L << (int)(bit & 63);
                if ((Interlocked.Or(ref _words[(bit & _mask) >> 6], mask) & mask) == 0)
                {
                    added++;
                }
            }
            if (added > 0)
            {
                Interlocked.Add(ref _set, added);
            }
            return added > 0;
        }

        public bool Contains(ulong hash)
        {
            var (bit, step) = Start(hash);
            for (var i = 0; i < Probes; i++, bit += step)
            {
                if ((Volatile.Read(ref _words[(bit & _mask) >> 6]) & (1L << (int)(bit & 63))) == 0)
                {
                    return false;
                }
            }
            return true;
        }

        // The first bit and the stride between probes: the hash's two halves, the stride odd so that it
        // steps through every bit of the power-of-two length.
        private static (ulong Bit, ulong Step) Start(ulong hash) => (hash & 0xFFFF_FFFF, (hash >> 32) | 1);
    }
}
