using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SupportHub.Functions.Embedded;

// Why this exists (found with uprobes on libe_sqlite3 under bench/load.sh): at the end of every write
// transaction SQLite truncates the connection's page cache to the database's size. Its default cache
// (pcache1) decides how to do that from the highest page number it has seen since the last truncate:
// if that is within one hash table's length of the limit it looks at a few buckets, otherwise it walks
// every bucket and every page. A b-tree rebalance that reorders sibling pages renumbers them through
// a temporary page number, that of the 1 GiB lock-byte page (262,145 with 4 KiB pages), which raises
// that highest number for good; so, in a database under 1 GiB, every commit that split a page walked
// the writer's whole cache (16,384 buckets, about 16,000 pages with its 64 MB): 13 % of the single
// writer thread's CPU, in the commit that every waiting intake request is part of.
//
// This page cache is SQLite's default one with that decision made from a tighter bound: the highest
// page number fetched since the last truncate, and the numbers a page was renumbered to above it for as
// long as a page may still have them. A truncate to a limit above that bound has nothing to remove and
// is not passed on; any other truncate is, and then the default cache does what it always did. Every
// other method is the default cache's own (pages, eviction, memory, locking: unchanged). SQLite takes a
// page cache only before it is initialized (sqlite3_config), so this is installed once per process,
// before the first connection; when SQLite was already initialized (another component opened a
// connection first) it stays the default one, which is only slower.

/// <summary>SQLite's default page cache, without the scan of the whole cache at every commit (see the
/// comment above). <see cref="Install"/> once, before SQLite opens its first connection.</summary>
internal static unsafe class SqlitePageCache
{
    private const int SQLITE_OK = 0;
    private const int SQLITE_CONFIG_PCACHE2 = 18;
    private const int SQLITE_CONFIG_GETPCACHE2 = 19;

    /// <summary>How many renumbered-above-the-bound page numbers a cache tracks one by one; beyond that its
    /// bound is "anything" until the next truncate that is passed on. A rebalance holds one at a time.</summary>
    internal const int TrackedHighKeys = 4;

    private static readonly Lock Gate = new();
    private static Methods* _default;
    private static bool _tried;

    /// <summary>Whether this process's SQLite uses this page cache.</summary>
    public static bool Installed { get; private set; }

    private static long _truncatesSkipped;
    private static long _renumberedAboveBound;

    /// <summary>Truncates not passed on since the process started (nothing at or above their limit): each one
    /// a walk of a whole cache that the default cache would have made, or a few buckets.</summary>
    public static long TruncatesSkipped => Interlocked.Read(ref _truncatesSkipped);

    /// <summary>Pages renumbered above their cache's bound since the process started: each one, in the default
    /// cache, a raised highest page number and so a whole-cache walk at the next truncate.</summary>
    public static long RenumberedAboveBound => Interlocked.Read(ref _renumberedAboveBound);

    /// <summary>Installs this page cache as SQLite's, if SQLite is not initialized yet (once per process; later
    /// calls do nothing). Returns whether it is installed.</summary>
    public static bool Install()
    {
        lock (Gate)
        {
            if (_tried)
            {
                return Installed;
            }
            _tried = true;
            var defaults = (Methods*)NativeMemory.AllocZeroed((nuint)sizeof(Methods));
            // Both fail with SQLITE_MISUSE once SQLite is initialized: then the default cache stays.
            if (sqlite3_config(SQLITE_CONFIG_GETPCACHE2, defaults) != SQLITE_OK || defaults->xCreate is null)
            {
                NativeMemory.Free(defaults);
                return false;
            }
            _default = defaults;
            var ours = new Methods
            {
                iVersion = defaults->iVersion,
                pArg = defaults->pArg,
                xInit = defaults->xInit,
                xShutdown = defaults->xShutdown,
                xCreate = &Create,
                xCachesize = &Cachesize,
                xPagecount = &Pagecount,
                xFetch = &Fetch,
                xUnpin = &Unpin,
                xRekey = &Rekey,
                xTruncate = &Truncate,
                xDestroy = &Destroy,
                xShrink = &Shrink,
            };
            // SQLite copies the structure.
            Installed = sqlite3_config(SQLITE_CONFIG_PCACHE2, &ours) == SQLITE_OK;
            return Installed;
        }
    }

    /// <summary>One cache: the default cache's, and the bound on the page numbers it holds.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Cache
    {
        public void* Inner;
        /// <summary>The highest page number fetched (found or created) since the last truncate passed on,
        /// lowered to below that truncate's limit.</summary>
        public uint MaxFetched;
        /// <summary>How many of <see cref="High"/> are in use; above <see cref="TrackedHighKeys"/>: too many to
        /// track, no bound.</summary>
        public int HighCount;
        /// <summary>Page numbers above <see cref="MaxFetched"/> a page was renumbered to and may still have.</summary>
        public fixed uint High[TrackedHighKeys];

        /// <summary>No page in the cache has a number at or above <paramref name="limit"/>.</summary>
        public readonly bool NoneFrom(uint limit)
        {
            if (HighCount > TrackedHighKeys || MaxFetched >= limit)
            {
                return false;
            }
            for (var i = 0; i < HighCount; i++)
            {
                if (High[i] >= limit)
                {
                    return false;
                }
            }
            return true;
        }

        /// <summary>A page was fetched under <paramref name="key"/>.</summary>
        public void Fetched(uint key)
        {
            if (key > MaxFetched && !IsHigh(key))
            {
                MaxFetched = key;
            }
        }

        /// <summary>A page was renumbered from <paramref name="from"/> to <paramref name="to"/> (no other page
        /// had <paramref name="to"/>: SQLite drops it first). Returns whether <paramref name="to"/> is above the bound.</summary>
        public bool Renumbered(uint from, uint to)
        {
            RemoveHigh(from);
            if (to <= MaxFetched)
            {
                return false;
            }
            if (!IsHigh(to))
            {
                if (HighCount < TrackedHighKeys)
                {
                    High[HighCount] = to;
                }
                HighCount = Math.Min(HighCount + 1, TrackedHighKeys + 1);
            }
            return true;
        }

        /// <summary>Every page numbered <paramref name="limit"/> or above was removed.</summary>
        public void Truncated(uint limit)
        {
            if (HighCount > TrackedHighKeys)
            {
                // Untracked renumberings: every page left is below the limit, and that is all that is known.
                HighCount = 0;
                MaxFetched = limit == 0 ? 0 : limit - 1;
                return;
            }
            MaxFetched = Math.Min(MaxFetched, limit == 0 ? 0 : limit - 1);
            for (var i = HighCount - 1; i >= 0; i--)
            {
                if (High[i] >= limit)
                {
                    High[i] = High[--HighCount];
                }
            }
        }

        private readonly bool IsHigh(uint key)
        {
            for (var i = 0; i < Math.Min(HighCount, TrackedHighKeys); i++)
            {
                if (High[i] == key)
                {
                    return true;
                }
            }
            return false;
        }

        private void RemoveHigh(uint key)
        {
            if (HighCount > TrackedHighKeys)
            {
                return; // untracked: the bound stays "anything" until a truncate
            }
            for (var i = 0; i < HighCount; i++)
            {
                if (High[i] == key)
                {
                    High[i] = High[--HighCount];
                    return;
                }
            }
        }
    }

    // SQLite's handle for a cache is the Cache this class allocated; the default cache's is inside it.
    private static Cache* Of(void* handle) => (Cache*)handle;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void* Create(int pageSize, int extraSize, int purgeable)
    {
        Cache* cache;
        try
        {
            cache = (Cache*)NativeMemory.AllocZeroed((nuint)sizeof(Cache));
        }
        catch (OutOfMemoryException)
        {
            return null; // SQLite reports SQLITE_NOMEM; an exception must not leave a function SQLite calls
        }
        cache->Inner = _default->xCreate(pageSize, extraSize, purgeable);
        if (cache->Inner is null)
        {
            NativeMemory.Free(cache);
            return null;
        }
        return cache;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void* Fetch(void* handle, uint key, int create)
    {
        var cache = Of(handle);
        var page = _default->xFetch(cache->Inner, key, create);
        if (page is not null)
        {
            cache->Fetched(key);
        }
        return page;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Rekey(void* handle, void* page, uint oldKey, uint newKey)
    {
        var cache = Of(handle);
        _default->xRekey(cache->Inner, page, oldKey, newKey);
        if (cache->Renumbered(oldKey, newKey))
        {
            Interlocked.Increment(ref _renumberedAboveBound);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Truncate(void* handle, uint limit)
    {
        var cache = Of(handle);
        if (cache->NoneFrom(limit))
        {
            Interlocked.Increment(ref _truncatesSkipped);
            return;
        }
        _default->xTruncate(cache->Inner, limit);
        cache->Truncated(limit);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Destroy(void* handle)
    {
        _default->xDestroy(Of(handle)->Inner);
        NativeMemory.Free(handle);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Unpin(void* handle, void* page, int discard) => _default->xUnpin(Of(handle)->Inner, page, discard);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Cachesize(void* handle, int pages) => _default->xCachesize(Of(handle)->Inner, pages);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Pagecount(void* handle) => _default->xPagecount(Of(handle)->Inner);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Shrink(void* handle)
    {
        if (_default->xShrink is not null)
        {
            _default->xShrink(Of(handle)->Inner);
        }
    }

    // ---- sqlite3.h's sqlite3_pcache_methods2, field for field (a cache and a page are opaque here). ----

    [StructLayout(LayoutKind.Sequential)]
    private struct Methods
    {
        public int iVersion;
        public void* pArg;
        public delegate* unmanaged[Cdecl]<void*, int> xInit;
        public delegate* unmanaged[Cdecl]<void*, void> xShutdown;
        public delegate* unmanaged[Cdecl]<int, int, int, void*> xCreate;
        public delegate* unmanaged[Cdecl]<void*, int, void> xCachesize;
        public delegate* unmanaged[Cdecl]<void*, int> xPagecount;
        public delegate* unmanaged[Cdecl]<void*, uint, int, void*> xFetch;
        public delegate* unmanaged[Cdecl]<void*, void*, int, void> xUnpin;
        public delegate* unmanaged[Cdecl]<void*, void*, uint, uint, void> xRekey;
        public delegate* unmanaged[Cdecl]<void*, uint, void> xTruncate;
        public delegate* unmanaged[Cdecl]<void*, void> xDestroy;
        public delegate* unmanaged[Cdecl]<void*, void> xShrink;
    }

    // sqlite3_config is variadic; on the platforms .NET runs on, a pointer after an int is passed exactly as in
    // this fixed signature (SQLitePCLRaw declares its sqlite3_config calls the same way).
    [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl)]
    private static extern int sqlite3_config(int op, Methods* methods);
}
