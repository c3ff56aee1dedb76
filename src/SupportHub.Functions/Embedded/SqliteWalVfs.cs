using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace SupportHub.Functions.Embedded;

// SQLite writes each WAL frame with two system calls: its 24-byte header, then its page. Under intake
// load (bench/load.sh) a commit of the single writer appends about 90 frames, so about 180 pwrite
// calls, each paying the kernel's entry, the file lookup and the inode lock again: pwrite was 15 % of
// the hub's CPU (perf), most of it that per-call cost rather than the copying.
//
// This VFS is the platform's default one ("unix" on Linux) with one change: a WAL file's writes that
// follow one another are gathered in a buffer and given to the OS in one call (at most 128 KiB, the
// most one write of the default VFS takes). The buffer goes to the OS before anything could need
// what is in it:
//   - right after a commit frame (the frame header's "database size after commit" is not zero): a
//     transaction's frames are in the OS before SQLite publishes it to other connections, whatever
//     the synchronous setting;
//   - before every other operation on the file: sync, read, truncate, size, file control, close;
//   - before a write that does not continue it or does not fit (a frame rewritten in place, the
//     header of a restarted WAL).
// So what is durable is unchanged (the commit's fsync comes after its frames were written, as
// before), and a crash loses at most frames of a transaction that had not committed, as before. A
// failed write of the buffer is reported by the call that flushed it, and SQLite rolls the
// transaction back as for any failed write. Every other file (the database, its shared memory,
// journals, temporary files) is the default VFS's own, untouched: the database file looks exactly as
// it did, and other processes open it with the default VFS.

/// <summary>The default SQLite VFS, with a WAL file's frames given to the OS in one write per commit
/// (up to 128 KiB each) instead of two per frame. Used through a <c>vfs=</c> URI parameter (see <see cref="FileUri"/>).</summary>
internal static unsafe class SqliteWalVfs
{
    /// <summary>The VFS's name.</summary>
    public const string Name = "supporthub-wal";

    private const int SQLITE_OK = 0;
    private const int SQLITE_NOMEM = 7;
    private const int SQLITE_OPEN_WAL = 0x00080000;
    private const int FrameHeaderBytes = 24;

    /// <summary>The most one write of the default VFS takes: os_unix.c masks a write's length to 17 bits
    /// (SQLite itself never writes more than a page at once) and reports a longer write as a full disk.</summary>
    internal const int BufferBytes = 0x1FFFF;

    private static readonly Lock Gate = new();
    private static Vfs* _default;
    private static IoMethods* _methods;

    /// <summary>An SQLite URI for <paramref name="path"/> (absolute) opened through this VFS; registers the VFS
    /// with SQLite on first use (once per process, not as the default).</summary>
    public static string FileUri(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Register();
        // file:/dir/name.db (file:/C:/dir/name.db on Windows), every byte but letters, digits, '/', '-', '.', '_',
        // '~' and a drive's ':' percent-encoded: SQLite decodes %HH, and would read '?' and '#' as the end of the path.
        var slashes = path.Replace('\\', '/');
        var builder = new StringBuilder("file:");
        if (!slashes.StartsWith('/'))
        {
            builder.Append('/');
        }
        foreach (var b in Encoding.UTF8.GetBytes(slashes))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '.' or '_' or '~' or ':')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return builder.Append("?vfs=").Append(Name).ToString();
    }

    private static void Register()
    {
        lock (Gate)
        {
            if (_methods is not null)
            {
                return;
            }
            // Before anything initializes SQLite (sqlite3_vfs_find does): its page cache is chosen only before.
            SqlitePageCache.Install();
            var platform = sqlite3_vfs_find(null);
            if (platform is null)
            {
                throw new InvalidOperationException("SQLite has no default VFS to build on.");
            }
            var vfs = (Vfs*)NativeMemory.AllocZeroed((nuint)sizeof(Vfs));
            *vfs = *platform;
            vfs->pNext = null;
            vfs->zName = (byte*)Marshal.StringToCoTaskMemUTF8(Name);
            vfs->szOsFile = sizeof(WalFile) + platform->szOsFile;
            vfs->xOpen = &Open;

            var methods = (IoMethods*)NativeMemory.AllocZeroed((nuint)sizeof(IoMethods));
            methods->iVersion = 3;
            methods->xClose = &Close;
            methods->xRead = &Read;
            methods->xWrite = &Write;
            methods->xTruncate = &Truncate;
            methods->xSync = &Sync;
            methods->xFileSize = &FileSize;
            methods->xLock = &LockFile;
            methods->xUnlock = &UnlockFile;
            methods->xCheckReservedLock = &CheckReservedLock;
            methods->xFileControl = &FileControl;
            methods->xSectorSize = &SectorSize;
            methods->xDeviceCharacteristics = &DeviceCharacteristics;
            methods->xShmMap = &ShmMap;
            methods->xShmLock = &ShmLock;
            methods->xShmBarrier = &ShmBarrier;
            methods->xShmUnmap = &ShmUnmap;
            methods->xFetch = &Fetch;
            methods->xUnfetch = &Unfetch;

            // Set before SQLite can call Open; the structures live as long as the process.
            _default = platform;
            _methods = methods;
            var rc = sqlite3_vfs_register(vfs, 0);
            if (rc != SQLITE_OK)
            {
                _methods = null;
                throw new InvalidOperationException($"SQLite refused to register the VFS '{Name}' (error {rc}).");
            }
        }
    }

    // ---- A WAL file: this header, then the default VFS's own file. ----

    [StructLayout(LayoutKind.Sequential)]
    private struct WalFile
    {
        public IoMethods* pMethods;
        public byte* Buffer;     // BufferBytes, allocated at the first write
        public long Start;       // the file offset of Buffer[0]
        public int Length;       // bytes in Buffer not yet written
        public int AfterCommit;  // 1: the last write was a commit frame's header; its page ends the transaction
    }

    /// <summary>What every sqlite3_file starts with.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct OsFile
    {
        public IoMethods* pMethods;
    }

    private static WalFile* Wal(void* file) => (WalFile*)file;

    /// <summary>The default VFS's file inside ours (8-byte aligned: WalFile's size is a multiple of 8).</summary>
    private static OsFile* Inner(void* file) => (OsFile*)((byte*)file + sizeof(WalFile));

    private static IoMethods* InnerMethods(void* file) => Inner(file)->pMethods;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Open(Vfs* vfs, byte* name, OsFile* file, int flags, int* outFlags)
    {
        if ((flags & SQLITE_OPEN_WAL) == 0)
        {
            // Not a WAL: the default VFS's file, as it is, at the start of the space SQLite gave.
            return _default->xOpen(_default, name, file, flags, outFlags);
        }
        *Wal(file) = default;
        var rc = _default->xOpen(_default, name, Inner(file), flags, outFlags);
        // SQLite closes a file whose pMethods is set even when its open failed: mirror the inner file.
        file->pMethods = InnerMethods(file) is null ? null : _methods;
        return rc;
    }

    /// <summary>Gives the buffered bytes to the OS. On failure they are dropped: the transaction they belong to fails.</summary>
    private static int Flush(void* file)
    {
        var wal = Wal(file);
        if (wal->Length == 0)
        {
            return SQLITE_OK;
        }
        var length = wal->Length;
        wal->Length = 0;
        return InnerMethods(file)->xWrite(Inner(file), wal->Buffer, length, wal->Start);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Write(void* file, byte* data, int amount, long offset)
    {
        var wal = Wal(file);
        // A frame header announcing a commit: the page that follows it is the transaction's last frame.
        var commitHeader = amount == FrameHeaderBytes && (data[4] | data[5] | data[6] | data[7]) != 0;
        var endsCommit = wal->AfterCommit != 0 && !commitHeader;
        wal->AfterCommit = commitHeader ? 1 : 0;

        if (wal->Length > 0 && (offset != wal->Start + wal->Length || wal->Length + amount > BufferBytes)
            && Flush(file) is var flushed and not SQLITE_OK)
        {
            return flushed;
        }
        if (amount > BufferBytes)
        {
            return InnerMethods(file)->xWrite(Inner(file), data, amount, offset);
        }
        if (wal->Buffer is null)
        {
            try
            {
                wal->Buffer = (byte*)NativeMemory.Alloc(BufferBytes);
            }
            catch (OutOfMemoryException)
            {
                return SQLITE_NOMEM; // an exception must not leave a function SQLite calls
            }
        }
        if (wal->Length == 0)
        {
            wal->Start = offset;
        }
        new ReadOnlySpan<byte>(data, amount).CopyTo(new Span<byte>(wal->Buffer + wal->Length, amount));
        wal->Length += amount;
        return endsCommit ? Flush(file) : SQLITE_OK;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Close(void* file)
    {
        var wal = Wal(file);
        var flushed = Flush(file);
        var rc = InnerMethods(file)->xClose(Inner(file));
        NativeMemory.Free(wal->Buffer);
        wal->Buffer = null;
        return flushed != SQLITE_OK ? flushed : rc;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Read(void* file, byte* data, int amount, long offset) =>
        Flush(file) is var flushed and not SQLITE_OK ? flushed : InnerMethods(file)->xRead(Inner(file), data, amount, offset);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Truncate(void* file, long size) =>
        Flush(file) is var flushed and not SQLITE_OK ? flushed : InnerMethods(file)->xTruncate(Inner(file), size);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Sync(void* file, int flags) =>
        Flush(file) is var flushed and not SQLITE_OK ? flushed : InnerMethods(file)->xSync(Inner(file), flags);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int FileSize(void* file, long* size) =>
        Flush(file) is var flushed and not SQLITE_OK ? flushed : InnerMethods(file)->xFileSize(Inner(file), size);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int FileControl(void* file, int op, void* arg) =>
        Flush(file) is var flushed and not SQLITE_OK ? flushed : InnerMethods(file)->xFileControl(Inner(file), op, arg);

    // Memory-mapped reads would bypass the buffer (SQLite maps the database file, not a WAL, but still).
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Fetch(void* file, long offset, int amount, void** page)
    {
        *page = null;
        if (Flush(file) is var flushed and not SQLITE_OK)
        {
            return flushed;
        }
        return InnerMethods(file)->iVersion >= 3 ? InnerMethods(file)->xFetch(Inner(file), offset, amount, page) : SQLITE_OK;
    }

    // The rest touch no bytes of the file: passed through.
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Unfetch(void* file, long offset, void* page) =>
        InnerMethods(file)->iVersion >= 3 ? InnerMethods(file)->xUnfetch(Inner(file), offset, page) : SQLITE_OK;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int LockFile(void* file, int level) => InnerMethods(file)->xLock(Inner(file), level);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int UnlockFile(void* file, int level) => InnerMethods(file)->xUnlock(Inner(file), level);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int CheckReservedLock(void* file, int* result) => InnerMethods(file)->xCheckReservedLock(Inner(file), result);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int SectorSize(void* file) => InnerMethods(file)->xSectorSize(Inner(file));

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int DeviceCharacteristics(void* file) => InnerMethods(file)->xDeviceCharacteristics(Inner(file));

    // SQLite asks a WAL file for none of these (the shared memory belongs to the database file).
    private const int SQLITE_IOERR_SHMMAP = 10 | (21 << 8);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int ShmMap(void* file, int region, int regionSize, int extend, void** mapped) =>
        InnerMethods(file)->iVersion >= 2 ? InnerMethods(file)->xShmMap(Inner(file), region, regionSize, extend, mapped) : SQLITE_IOERR_SHMMAP;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int ShmLock(void* file, int offset, int n, int flags) =>
        InnerMethods(file)->iVersion >= 2 ? InnerMethods(file)->xShmLock(Inner(file), offset, n, flags) : SQLITE_IOERR_SHMMAP;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void ShmBarrier(void* file)
    {
        if (InnerMethods(file)->iVersion >= 2)
        {
            InnerMethods(file)->xShmBarrier(Inner(file));
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int ShmUnmap(void* file, int delete) =>
        InnerMethods(file)->iVersion >= 2 ? InnerMethods(file)->xShmUnmap(Inner(file), delete) : SQLITE_OK;

    // ---- sqlite3.h's sqlite3_vfs and sqlite3_io_methods, field for field. ----

    [StructLayout(LayoutKind.Sequential)]
    private struct Vfs
    {
        public int iVersion;
        public int szOsFile;
        public int mxPathname;
        public Vfs* pNext;
        public byte* zName;
        public void* pAppData;
        public delegate* unmanaged[Cdecl]<Vfs*, byte*, OsFile*, int, int*, int> xOpen;
        public void* xDelete, xAccess, xFullPathname, xDlOpen, xDlError, xDlSym, xDlClose, xRandomness, xSleep, xCurrentTime, xGetLastError;
        public void* xCurrentTimeInt64; // version 2
        public void* xSetSystemCall, xGetSystemCall, xNextSystemCall; // version 3
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct IoMethods
    {
        public int iVersion;
        public delegate* unmanaged[Cdecl]<void*, int> xClose;
        public delegate* unmanaged[Cdecl]<void*, byte*, int, long, int> xRead;
        public delegate* unmanaged[Cdecl]<void*, byte*, int, long, int> xWrite;
        public delegate* unmanaged[Cdecl]<void*, long, int> xTruncate;
        public delegate* unmanaged[Cdecl]<void*, int, int> xSync;
        public delegate* unmanaged[Cdecl]<void*, long*, int> xFileSize;
        public delegate* unmanaged[Cdecl]<void*, int, int> xLock;
        public delegate* unmanaged[Cdecl]<void*, int, int> xUnlock;
        public delegate* unmanaged[Cdecl]<void*, int*, int> xCheckReservedLock;
        public delegate* unmanaged[Cdecl]<void*, int, void*, int> xFileControl;
        public delegate* unmanaged[Cdecl]<void*, int> xSectorSize;
        public delegate* unmanaged[Cdecl]<void*, int> xDeviceCharacteristics;
        public delegate* unmanaged[Cdecl]<void*, int, int, int, void**, int> xShmMap; // version 2
        public delegate* unmanaged[Cdecl]<void*, int, int, int, int> xShmLock;
        public delegate* unmanaged[Cdecl]<void*, void> xShmBarrier;
        public delegate* unmanaged[Cdecl]<void*, int, int> xShmUnmap;
        public delegate* unmanaged[Cdecl]<void*, long, int, void**, int> xFetch; // version 3
        public delegate* unmanaged[Cdecl]<void*, long, void*, int> xUnfetch;
    }

    // The SQLite library Microsoft.Data.Sqlite loads (SQLitePCLRaw's e_sqlite3): the same one, so the VFS
    // registered here is the one its connections find.
    [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl)]
    private static extern Vfs* sqlite3_vfs_find(byte* name);

    [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl)]
    private static extern int sqlite3_vfs_register(Vfs* vfs, int makeDefault);
}
