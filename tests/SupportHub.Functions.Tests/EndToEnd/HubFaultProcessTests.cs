using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
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
    private const string ApiKey = "fault-test-key-0123456789abcdef";
    private const string ChatSecret = "fault-chat-secret-0123456789";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly TemporaryDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Start_SecondHubOnTheSameDataFolder_ExitsWith1NamingTheFolderAndTheFirst()
    {
        using var first = await StartAsync(_data.Path);

        using var second = Start(_data.Path, $"http://127.0.0.1:{FreePort()}");
        var exitCode = await second.WaitForExitAsync(Patience);

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

        using var hub = Start(_data.Path, $"http://127.0.0.1:{FreePort()}");
        var exitCode = await hub.WaitForExitAsync(Patience);

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
        using (var hub = await StartAsync(_data.Path))
        {
            for (var i = 0; i < 3; i++)
            {
                references.Add(await AcceptedAsync(hub, $"before-{i}"));
            }
            await hub.Process.KillAsync(Patience);
        }
        using (var hub = await StartAsync(_data.Path))
        {
            for (var i = 0; i < 2; i++)
            {
                references.Add(await AcceptedAsync(hub, $"after-{i}"));
            }
        }

        Assert.Equal(["1001", "1002", "1003", "1004", "1005"], references);
    }

    [Fact]
    public async Task Healthz_AQueueWithDeadLetters_IsDegradedAndSaysWhatToRun()
    {
        using var hub = await StartAsync(_data.Path, new Dictionary<string, string?> { ["SupportHub__Queues__MaxDeliveryCount"] = "1" });
        // A message no handler can read, put on the hub's queue from outside (SQLite lets two processes write).
        using (var database = SqliteDatabase.Open(Path.Combine(_data.Path, SqliteDatabase.FileName)))
        {
            await new SqliteMessageQueue(database, SystemClock.Instance, MessageQueueOptions.Default)
                .SendAsync(QueueNames.WorkflowEvents, new OutgoingMessage("poison-1", "{\"not\":\"a command\"}"), CancellationToken.None);
        }

        var health = await WaitForHealthAsync(hub, "Degraded");

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
            var accepted = new List<string>();
            using var hub = await StartAsync(data);
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
            await WaitForHealthAsync(hub, "Healthy");

            // Nothing accepted was lost: every 202 is a ticket once the queues have run.
            foreach (var ticket in accepted)
            {
                await WaitForTicketAsync(hub, ticket);
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

    private static async Task<JsonElement> WaitForHealthAsync(RunningHub hub, string status)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var body = JsonDocument.Parse(await hub.Http.GetStringAsync(new Uri("/healthz", UriKind.Relative)).ConfigureAwait(false)).RootElement;
            if (body.GetProperty("status").GetString() == status)
            {
                return body;
            }
            Assert.True(DateTime.UtcNow < deadline, $"/healthz never said {status}: {body}");
            await Task.Delay(100);
        }
    }

    private static async Task WaitForTicketAsync(RunningHub hub, string ticket)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/tickets/{ticket}");
            request.Headers.Add("x-functions-key", ApiKey);
            var response = await hub.Http.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"ticket {ticket} answered {(int)response.StatusCode}");
            await Task.Delay(100);
        }
    }

    private static async Task<string> AcceptedAsync(RunningHub hub, string messageId) =>
        await IntakeHub.AcceptedTicketAsync(await ChatAsync(hub, messageId));

    private static Task<HttpResponseMessage> ChatAsync(RunningHub hub, string messageId)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            messageId,
            conversationId = $"conversation-{messageId}",
            account = "acme",
            from = new { name = "Dana Ortiz", email = "dana@acme.gov" },
            text = $"Invoices do not load ({messageId})",
        });
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/intake/chat") { Content = content };
        request.Headers.Add(WebhookAuth.TimestampHeader, timestamp);
        request.Headers.Add(WebhookAuth.SignatureHeader, WebhookAuth.Sign(ChatSecret, timestamp, body));
        return hub.Http.SendAsync(request);
    }

    private static async Task<RunningHub> StartAsync(string data, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        var process = Start(data, url, settings);
        await process.WaitForLineAsync(l => l.Contains("Application started", StringComparison.Ordinal), Patience);
        return new RunningHub(process, new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) });
    }

    private static DotnetProcess Start(string data, string url, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = url,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["SupportHub__DataPath"] = data,
            ["SupportHub__Policy"] = HubFactory.Fixture("intake-policy.json"),
            ["SupportHub__ApiKey"] = ApiKey,
            ["SupportHub__Secrets__Email"] = "fault-email-secret-0123456789",
            ["SupportHub__Secrets__Chat"] = ChatSecret,
            ["SupportHub__Secrets__Phone"] = "fault-phone-secret-0123456789",
            ["SupportHub__Secrets__Sms"] = "fault-sms-secret-0123456789",
            ["SupportHub__Queues__PollInterval"] = "00:00:00.050",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
        };
        foreach (var (name, value) in settings ?? new Dictionary<string, string?>())
        {
            environment[name] = value;
        }
        Directory.CreateDirectory(data);
        return DotnetProcess.Start(Path.Combine(AppContext.BaseDirectory, "SupportHub.Functions.dll"), [], environment, workingDirectory: data);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class RunningHub(DotnetProcess process, HttpClient http) : IDisposable
    {
        public DotnetProcess Process { get; } = process;

        public HttpClient Http { get; } = http;

        public void Dispose()
        {
            Http.Dispose();
            Process.Dispose();
        }
    }
}
