using System.Diagnostics;
using System.Net;
using NodaTime;
using SupportHub.Channels;
using SupportHub.Embedded;
using SupportHub.Functions.Tests.Hosting;
using SupportHub.Functions.Tests.Intake;
using SupportHub.Storage;
using SupportHub.Testing;
using SupportHub.Workflows;
using Xunit.Abstractions;

namespace SupportHub.Functions.Tests.EndToEnd;

// The embedded hub when things go wrong around it, as a real process: each fault has a clear outcome
// and loses nothing. A second hub on the same folder and a damaged database stop the start with exit
// code 1 and a message; a full disk answers 503 and the hub carries on once space returns; dead
// letters make /healthz Degraded; references run on across a crash without a gap.

public sealed class HubFaultProcessTests(ITestOutputHelper output) : IDisposable
{
    private readonly TemporaryDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Start_SecondHubOnTheSameDataFolder_ExitsWith1NamingTheFolderAndTheFirst()
    {
        using var first = Hub(_data.Path);
        await first.StartAsync();

        using var second = Hub(_data.Path);
        second.Start();
        var exitCode = await second.WaitForExitAsync();

        Assert.Equal(1, exitCode);
        Assert.Contains($"The data folder '{_data.Path}' is in use by process {first.Process.Id}", second.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", second.Output, StringComparison.Ordinal); // a message, not a stack trace
        // The first hub is untouched and still answers.
        Assert.Equal(HttpStatusCode.OK, (await first.Http.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
    }

    public static TheoryData<string> Damages => ["header", "truncated", "page"];

    [Theory]
    [MemberData(nameof(Damages))]
    public async Task Start_DamagedDatabase_ExitsWith1NamingTheFileAndWhatToDo(string damage)
    {
        var file = Path.Combine(_data.Path, SqliteDatabase.FileName);
        using (var database = SqliteDatabase.Open(file))
        {
            var store = new SqliteEntityStore(database);
            for (var i = 0; i < 400; i++)
            {
                await store.SetAsync("tickets", new EntityKey($"{1001 + i}", "state"), $$"""{"n":{{i}},"text":"{{new string('x', 300)}}"}""", CancellationToken.None);
            }
        }
        var length = new FileInfo(file).Length;
        await using (var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite))
        {
            switch (damage)
            {
                case "header":
                    stream.Write("not a database at all"u8);
                    break;
                case "truncated":
                    stream.SetLength(length - 1000);
                    break;
                default:
                    // A b-tree page in the middle overwritten with garbage, the length unchanged.
                    stream.Position = length / 2 / 4096 * 4096;
                    stream.Write(Enumerable.Repeat((byte)0x5a, 4096).ToArray());
                    break;
            }
        }

        using var hub = Hub(_data.Path);
        hub.Start();
        var exitCode = await hub.WaitForExitAsync();

        output.WriteLine(hub.Output);
        Assert.Equal(1, exitCode);
        Assert.Contains($"The database '{file}' cannot be used", hub.Output, StringComparison.Ordinal);
        Assert.Contains("Restore it from a backup", hub.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", hub.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Application started", hub.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task References_AcrossACrash_RunOnWithoutAGap()
    {
        var references = new List<string>();
        using var hub = Hub(_data.Path);
        await hub.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            references.Add(await AcceptedAsync(hub, $"before-{i}"));
        }
        await hub.KillAsync();
        await hub.StartAsync();
        for (var i = 0; i < 2; i++)
        {
            references.Add(await AcceptedAsync(hub, $"after-{i}"));
        }

        Assert.Equal(["1001", "1002", "1003", "1004", "1005"], references);
    }

    [Fact]
    public async Task Healthz_AQueueWithDeadLetters_IsDegradedAndSaysWhatToRun()
    {
        using var hub = Hub(_data.Path, new Dictionary<string, string?> { ["SupportHub__Queues__MaxDeliveryCount"] = "1" });
        await hub.StartAsync();
        // A message no handler can read, put on the hub's queue from outside (SQLite lets two processes write).
        using (var database = SqliteDatabase.Open(Path.Combine(_data.Path, SqliteDatabase.FileName)))
        {
            await new SqliteMessageQueue(database, SystemClock.Instance, MessageQueueOptions.Default)
                .SendAsync(QueueNames.WorkflowEvents, new OutgoingMessage("poison-1", "{\"not\":\"a command\"}"), CancellationToken.None);
        }

        var health = await hub.WaitForHealthAsync("Degraded");

        Assert.Equal(1, health.GetProperty("checks").GetProperty("queue").GetProperty("data").GetProperty("workflow-events").GetInt32());
        Assert.Contains("supporthub deadletters list", health.GetProperty("checks").GetProperty("queue").GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task DiskFull_IntakeAnswers503AndHealthzUnhealthy_ThenTheHubCarriesOnAndLosesNothing()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "needs a Linux tmpfs");
        var mount = Path.Combine(_data.Path, "small-disk");
        Directory.CreateDirectory(mount);
        var mounted = Run("mount", $"-t tmpfs -o size=6m tmpfs {mount}");
        Skip.If(mounted != 0, $"cannot mount a tmpfs here (mount exited {mounted}; it needs root): the disk-full test did not run");
        try
        {
            var data = Path.Combine(mount, "data");
            Directory.CreateDirectory(data);
            var accepted = new List<string>();
            using var hub = Hub(data);
            await hub.StartAsync();
            for (var i = 0; i < 5; i++)
            {
                accepted.Add(await AcceptedAsync(hub, $"room-{i}"));
            }

            // Fill the disk, then keep sending until the hub cannot store a request.
            var filler = Path.Combine(mount, "filler");
            Fill(filler);
            HttpResponseMessage? refused = null;
            for (var i = 0; i < 500 && refused is null; i++)
            {
                var response = await ChatAsync(hub, $"full-{i}");
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    accepted.Add(await IntakeHub.AcceptedTicketAsync(response));
                }
                else
                {
                    refused = response;
                }
            }

            Assert.NotNull(refused);
            var problem = await refused.Content.ReadAsStringAsync();
            output.WriteLine(problem);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Equal(TimeSpan.FromSeconds(30), refused.Headers.RetryAfter?.Delta);
            Assert.Contains("is full", problem, StringComparison.Ordinal);
            var unhealthy = await hub.Http.GetAsync(new Uri("/healthz", UriKind.Relative));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unhealthy.StatusCode);
            Assert.Contains("Unhealthy", await unhealthy.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            // Space returns: the same hub, never restarted, takes requests again.
            File.Delete(filler);
            string? after = null;
            for (var i = 0; i < 100 && after is null; i++)
            {
                var response = await ChatAsync(hub, $"space-{i}");
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    after = await IntakeHub.AcceptedTicketAsync(response);
                }
                else
                {
                    await Task.Delay(100);
                }
            }
            Assert.NotNull(after);
            accepted.Add(after);
            Assert.False(hub.Process.HasExited);
            await hub.WaitForHealthAsync("Healthy");

            // Nothing accepted was lost: every 202 is a ticket once the queues have run.
            foreach (var ticket in accepted)
            {
                await hub.WaitForTicketAsync(ticket);
            }
            output.WriteLine($"{accepted.Count} accepted, all tickets; refused with {(int)refused.StatusCode} while full");
        }
        finally
        {
            Run("umount", $"-l {mount}");
        }
    }

    private static void Fill(string path)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        var block = new byte[64 * 1024];
        try
        {
            while (true)
            {
                stream.Write(block);
                stream.Flush();
            }
        }
        catch (IOException)
        {
            // No space left on the device: what the test wanted.
        }
    }

    private static int Run(string program, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }

    private static async Task<string> AcceptedAsync(HubProcess hub, string messageId) =>
        await IntakeHub.AcceptedTicketAsync(await ChatAsync(hub, messageId));

    private static Task<HttpResponseMessage> ChatAsync(HubProcess hub, string messageId) => hub.ChatAsync(messageId, $"Invoices do not load ({messageId})");

    // Quick queues; of the log, warnings and the host's lifetime ("Application started") only.
    private static HubProcess Hub(string data, IReadOnlyDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["SupportHub__Queues__PollInterval"] = "00:00:00.050",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
        };
        foreach (var (name, value) in more ?? new Dictionary<string, string?>())
        {
            settings[name] = value;
        }

        return new HubProcess(data, HubFactory.Fixture("intake-policy.json"), settings) { HttpTimeout = TimeSpan.FromSeconds(30) };
    }
}
