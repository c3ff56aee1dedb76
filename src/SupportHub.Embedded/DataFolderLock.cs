using System.Diagnostics;
using System.Globalization;

namespace SupportHub.Embedded;

/// <summary>
/// The embedded hub's claim on its data folder: an exclusive lock on <c>hub.lock</c> inside it, held
/// while the hub runs, and <c>hub.pid</c> beside it saying who holds it. A second hub on the same
/// folder refuses to start, naming the folder and that process, instead of consuming the same queues.
/// (The lock is the operating system's: it ends with the process, however the process ends.)
/// </summary>
public sealed class DataFolderLock : IDisposable
{
    public const string LockFileName = "hub.lock";
    public const string OwnerFileName = "hub.pid";

    private readonly FileStream _lock;

    private DataFolderLock(string folder, FileStream @lock)
    {
        Folder = folder;
        _lock = @lock;
    }

    public string Folder { get; }

    /// <summary>Takes the folder (which must exist), or throws <see cref="DataFolderInUseException"/>.</summary>
    public static DataFolderLock Take(string folder)
    {
        var path = Path.GetFullPath(folder);
        var lockPath = Path.Combine(path, LockFileName);
        var ownerPath = Path.Combine(path, OwnerFileName);
        FileStream stream;
        try
        {
            // FileShare.None: an exclusive advisory lock (flock on Unix) that another process cannot take.
            stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            var owner = File.Exists(ownerPath) ? File.ReadAllText(ownerPath).Trim() : "another process";
            throw new DataFolderInUseException(path, owner);
        }
        RestrictToOwner(lockPath);
        using var process = Process.GetCurrentProcess();
        var temporary = ownerPath + ".tmp";
        File.WriteAllText(temporary, string.Create(CultureInfo.InvariantCulture,
            $"process {Environment.ProcessId} ({process.ProcessName}) on {Environment.MachineName}, since {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss}Z\n"));
        RestrictToOwner(temporary);
        File.Move(temporary, ownerPath, overwrite: true);
        return new DataFolderLock(path, stream);
    }

    /// <summary>rw-------: the mode of every file of the data folder.</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Gives a file of the data folder <see cref="OwnerOnly"/>: the folder's files hold the hub's
    /// secrets and its customers' mail.</summary>
    /// <returns>The mode it had when that was different; null when it had this mode already, when there
    /// is no such file, or on Windows.</returns>
    public static UnixFileMode? RestrictToOwner(string file) => File.Exists(file) ? SetMode(file, OwnerOnly) : null;

    /// <summary>Gives a file or folder <paramref name="mode"/> on Unix; on Windows, where files and folders
    /// inherit their ACLs, does nothing.</summary>
    /// <returns>The mode it had when that was different; null when it had this mode already, or on Windows.</returns>
    public static UnixFileMode? SetMode(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        var before = File.GetUnixFileMode(path);
        if (before == mode)
        {
            return null;
        }

        File.SetUnixFileMode(path, mode);
        return before;
    }

    public void Dispose()
    {
        try
        {
            File.Delete(Path.Combine(Folder, OwnerFileName));
        }
        catch (IOException)
        {
            // Left behind: the next hub overwrites it.
        }
        _lock.Dispose();
    }
}

/// <summary>Another process holds the data folder.</summary>
public sealed class DataFolderInUseException(string folder, string owner)
    : Exception($"The data folder '{folder}' is in use by {owner}. Stop that hub first, or give this one another folder (SupportHub__DataPath).")
{
    public string Folder { get; } = folder;
}
