using SupportHub.Functions.Hosting;
using SupportHub.Testing;

namespace SupportHub.Functions.Tests.Hosting;

// Unix modes: on Windows the data folder keeps the ACLs it inherits, and these tests have nothing to check.
public sealed class DataFolderTests : IDisposable
{
    private const UnixFileMode OpenFolder = DataFolder.FolderMode | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private readonly TemporaryDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public void Create_NewFolderWithNewParents_IsOwnerOnly()
    {
        var path = _data.File(Path.Combine("new", "data"));

        DataFolder.Create(path);

        Assert.True(Directory.Exists(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(DataFolder.FolderMode, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void Create_ExistingFolderOpenToOthers_IsMadeOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var path = _data.File("data");
        Directory.CreateDirectory(path, OpenFolder);
        File.SetUnixFileMode(path, OpenFolder);

        DataFolder.Create(path);

        Assert.Equal(DataFolder.FolderMode, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Restrict_OpenFolder_ReturnsTheModeItHad_AndNothingWhenAlreadyOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.SetUnixFileMode(_data.Path, OpenFolder);

        Assert.Equal(OpenFolder, DataFolder.Restrict(_data.Path));
        Assert.Null(DataFolder.Restrict(_data.Path));
        Assert.Equal("755", DataFolder.Octal(OpenFolder));
    }

    [Fact]
    public void RestrictFile_ReadableByOthers_IsMadeOwnerReadWrite()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var file = _data.File("supporthub.db");
        File.WriteAllText(file, "");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        Assert.NotNull(DataFolder.RestrictFile(file));
        Assert.Equal(DataFolder.FileMode, File.GetUnixFileMode(file));
    }
}
