using SupportHub.Functions.Hosting;
using SupportHub.Testing;

namespace SupportHub.Functions.Tests.Hosting;

// How the built hub's process ends, as its user or supervisor sees it: the exit code and stderr of
// `dotnet SupportHub.Functions.dll` (and of a probe that composes the hub the same way with a queue
// that fails under it). Real processes: the exit code and the streams are the behaviour under test.

public sealed class SupportHubRunTests : IDisposable
{
    private readonly TemporaryDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Theory]
    // Damage that a crash, a disk error or a hand edit leaves; a file the hub's user cannot read as
    // one (a folder in its place: the tests run as root, who reads any file whatever its mode).
    [InlineData("{\"ApiKey\": ")]
    [InlineData("")]
    [InlineData("folder")]
    public async Task Start_SecretsFileDamaged_ExitsWith1NamingTheFileAndLeavesItAlone(string content)
    {
        var path = _data.File(HubSecrets.FileName);
        if (content == "folder")
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            await File.WriteAllTextAsync(path, content);
        }

        using var hub = Hub(_data.Path);
        hub.Start();
        var exitCode = await hub.WaitForExitAsync();

        Assert.Equal(SupportHubRun.CannotStart, exitCode);
        Assert.StartsWith($"SupportHub cannot start: {path} ", hub.Process.StandardError, StringComparison.Ordinal);
        Assert.Contains("delete it to have new secrets generated", hub.Process.StandardError, StringComparison.Ordinal);
        Assert.Contains("invalidates every signed link", hub.Process.StandardError, StringComparison.Ordinal);
        AssertNoStackTrace(hub.Output);
        if (content == "folder")
        {
            Assert.Empty(Directory.GetFileSystemEntries(path));
        }
        else
        {
            Assert.Equal(content, await File.ReadAllTextAsync(path));
        }
    }

    [Fact]
    public async Task Start_PolicyFileMissing_ExitsWith1NamingItWithoutAStackTrace()
    {
        var missing = _data.File("nowhere.json");

        using var hub = Hub(_data.Path, policy: missing);
        hub.Start();
        var exitCode = await hub.WaitForExitAsync();

        Assert.Equal(SupportHubRun.CannotStart, exitCode);
        Assert.Equal($"SupportHub cannot start: SupportHub:Policy: no file at '{missing}'.", hub.Process.StandardError);
        AssertNoStackTrace(hub.Output);
    }

    [Fact]
    public async Task Start_PolicyWithAnUnpairedSurrogate_ExitsWith1NamingThePathWithoutAStackTrace()
    {
        var policy = _data.File("policy.json");
        var text = await File.ReadAllTextAsync(HubFactory.Fixture("policy.json"));
        Assert.Contains("\"Example Software\"", text, StringComparison.Ordinal);
        await File.WriteAllTextAsync(policy, text.Replace("\"Example Software\"", "\"Example \\ud800 Software\"", StringComparison.Ordinal));

        using var hub = Hub(_data.File("data"), policy: policy);
        hub.Start();
        var exitCode = await hub.WaitForExitAsync();

        Assert.Equal(SupportHubRun.CannotStart, exitCode);
        Assert.StartsWith($"SupportHub cannot start: SupportHub:Policy: {policy}: organization.name: has an unpaired surrogate", hub.Process.StandardError, StringComparison.Ordinal);
        AssertNoStackTrace(hub.Output);
    }

    [Fact]
    public async Task Start_ShortApiKey_ExitsWith1NamingTheSettingWithoutAStackTrace()
    {
        using var hub = Hub(_data.Path, settings: new() { ["SupportHub__ApiKey"] = "short" });
        hub.Start();
        var exitCode = await hub.WaitForExitAsync();

        Assert.Equal(SupportHubRun.CannotStart, exitCode);
        Assert.StartsWith("SupportHub cannot start: SupportHub:ApiKey is set but shorter than 16 characters", hub.Process.StandardError, StringComparison.Ordinal);
        AssertNoStackTrace(hub.Output);
    }

    [Fact]
    public async Task Start_ExistingFolderAndSecretsOpenToOthers_AreMadeOwnerOnlyAndTheLogSaysSo()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var folder = _data.File("data");
        Directory.CreateDirectory(folder);
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101); // 755, what mkdir gives under umask 022
        var secrets = Path.Combine(folder, HubSecrets.FileName);
        // Every secret there already, so the hub has no reason to write the file anew.
        var kept = string.Join(", ", new[] { "ApiKey", "Email", "Chat", "Phone", "Sms", "LinkSigningKey" }.Select(n => $"\"{n}\": \"{n}-{new string('x', 40)}\""));
        kept = "{" + kept + "}";
        await File.WriteAllTextAsync(secrets, kept);
        File.SetUnixFileMode(secrets, (UnixFileMode)0b110_100_100); // 644

        using var hub = Hub(folder);
        await hub.StartAsync();

        Assert.Equal(DataFolder.FolderMode, File.GetUnixFileMode(folder));
        Assert.Equal(DataFolder.FileMode, File.GetUnixFileMode(secrets));
        Assert.Contains($"{folder} was open to others (mode 755); it is now 700, its owner's only", hub.Output, StringComparison.Ordinal);
        Assert.Contains($"{secrets} was open to others (mode 644); it is now 600, its owner's only", hub.Output, StringComparison.Ordinal);
        Assert.Equal(kept, await File.ReadAllTextAsync(secrets));
    }

    [Fact]
    public async Task Start_NewFolder_IsCreatedOwnerOnlyWithSecretsOwnerOnly()
    {
        var folder = _data.File(Path.Combine("new", "data"));

        using var hub = Hub(folder);
        await hub.StartAsync();

        var secrets = Path.Combine(folder, HubSecrets.FileName);
        Assert.True(File.Exists(secrets));
        Assert.DoesNotContain(Directory.GetFiles(folder), f => f.EndsWith(".tmp", StringComparison.Ordinal));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(DataFolder.FolderMode, File.GetUnixFileMode(folder));
            Assert.Equal(DataFolder.FileMode, File.GetUnixFileMode(secrets));
        }
    }

    [Fact]
    public async Task Run_QueuePumpFailsAfterStart_ExitsWith70NamingTheFailure()
    {
        using var hub = Hub(_data.Path, program: "SupportHub.FailingQueueProbe.dll");

        hub.Start();
        var exitCode = await hub.WaitForExitAsync();

        Assert.Contains("Application started", hub.Output, StringComparison.Ordinal);
        Assert.True(exitCode == SupportHubRun.Failed, $"exit code {exitCode}. Output:\n{hub.Output}");
        Assert.Equal("SupportHub stopped: QueuePump failed: IOException: disk I/O error", hub.Process.StandardError);
    }

    // No frame of a .NET stack trace, as the console logger or an unhandled exception prints one.
    private static void AssertNoStackTrace(string output) => Assert.DoesNotMatch(@"(?m)^\s+at \S+\(", output);

    // Given no API key or intake secret, the hub generates them, as on a first run (and reads the
    // secrets file these tests damage or loosen). Run from the temporary folder, as the data folder
    // may be one the hub has still to create.
    private HubProcess Hub(string dataPath, string? policy = null, Dictionary<string, string?>? settings = null, string program = "SupportHub.Functions.dll") =>
        new(dataPath, policy ?? HubFactory.Fixture("policy.json"), settings, knownSecrets: false)
        {
            Program = program,
            WorkingDirectory = _data.Path,
        };
}
