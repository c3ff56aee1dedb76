using SupportHub.Functions.Embedded;
using SupportHub.Testing;

namespace SupportHub.Functions.Tests.Embedded;

// The checkpointer writes the database file's dirty pages back before the WAL restarts (see
// SqliteCheckpointer). It is a hint to the OS, so what can go wrong is the call itself: the native
// function not found, or refused, and the write-back silently never happening.
public sealed class DirtyPageWriterTests : IDisposable
{
    private readonly TemporaryDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Run_OnLinux_WritesTheFileBackAndLeavesItsContent()
    {
        var path = _folder.File("pages.bin");
        var content = new byte[3 * 1024 * 1024 + 123];
        new Random(5).NextBytes(content);
        File.WriteAllBytes(path, content); // in the page cache, not yet on disk

        using var writer = new DirtyPageWriter(path);
        var ran = writer.Run(CancellationToken.None);

        Assert.Equal(OperatingSystem.IsLinux(), ran);
        Assert.Equal(content, File.ReadAllBytes(path));
        // A second pass over a clean file runs too (the handle is kept, not reopened).
        Assert.Equal(OperatingSystem.IsLinux(), writer.Run(CancellationToken.None));
    }

    [Fact]
    public void Run_FileMissing_ReportsItDidNotRunAndDoesNotThrow()
    {
        using var writer = new DirtyPageWriter(_folder.File("missing.bin"));

        Assert.False(writer.Run(CancellationToken.None));
    }
}
