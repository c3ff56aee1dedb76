using SupportHub.Embedded;

namespace SupportHub.Functions.Hosting;

// The folder of SupportHub:DataPath holds the database and the generated secrets (the API key,
// the intake secrets, the link signing key): on Unix only its owner may enter it (0700) and read or
// write its files (0600), whether the hub creates it or finds it made by someone else (a `mkdir`
// under umask 022 gives 0755). Windows folders inherit their ACLs and are left as they are.

/// <summary>Makes the data folder and its files its owner's only.</summary>
public static class DataFolder
{
    /// <summary>rwx------</summary>
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>rw-------</summary>
    public const UnixFileMode FileMode = DataFolderLock.OwnerOnly;

    /// <summary>Creates the folder (and its parents) with <see cref="FolderMode"/>, or gives an existing one that mode.</summary>
    public static void Create(string path)
    {
        if (Directory.Exists(path))
        {
            Restrict(path);
            return;
        }

        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(path);
                return;
            }

            Directory.CreateDirectory(path, FolderMode);
            // The mode given at creation passes through the umask: set it outright.
            File.SetUnixFileMode(path, FolderMode);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CannotStartException(
                $"The data folder {path} cannot be created ({e.Message}). Set SupportHub__DataPath to a folder the hub's user can create, or create it for that user.", e);
        }
    }

    /// <summary>Gives an existing folder <see cref="FolderMode"/>.</summary>
    /// <returns>The mode it had when that was different; null when it had this mode already (or on Windows).</returns>
    public static UnixFileMode? Restrict(string path) =>
        CannotStartUnless(path, FolderMode, folder => DataFolderLock.SetMode(folder, FolderMode), "The data folder", "Run the hub as the folder's owner, or make it the owner's only (chmod 700).");

    /// <summary>Gives a file of the data folder <see cref="FileMode"/> (the database, its journal, secrets.json)
    /// with the embedded store's <see cref="DataFolderLock.RestrictToOwner"/>; a file that cannot be given it stops the start.</summary>
    /// <returns>The mode it had when that was different; null when it had this mode already, when there is
    /// no such file (or on Windows).</returns>
    public static UnixFileMode? RestrictFile(string path) =>
        CannotStartUnless(path, FileMode, DataFolderLock.RestrictToOwner, "The file", "Run the hub as the file's owner, or make it the owner's only (chmod 600).");

    /// <summary>A mode as chmod writes it: 755.</summary>
    public static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8);

    // A folder or file the hub cannot make its owner's only stops the start, saying what to do.
    private static UnixFileMode? CannotStartUnless(string path, UnixFileMode mode, Func<string, UnixFileMode?> restrict, string what, string advice)
    {
        try
        {
            return restrict(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CannotStartException($"{what} {path} cannot be made its owner's only (mode {Octal(mode)}): {e.Message}. {advice}", e);
        }
    }
}
