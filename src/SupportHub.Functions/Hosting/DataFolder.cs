namespace SupportHub.Functions.Hosting;

/// <summary>The folder of <c>SupportHub:DataPath</c>: it holds the database and the generated secrets,
/// so when the hub creates it, only its owner may enter it.</summary>
public static class DataFolder
{
    public static void Create(string path)
    {
        if (Directory.Exists(path))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
