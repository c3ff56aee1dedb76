using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using NodaTime;
using SupportHub.Functions.Embedded;
using SupportHub.Functions.Intake;
using SupportHub.Intake;
using SupportHub.Policy;
using SupportHub.Tickets;
using SupportHub.Workflows;

namespace SupportHub.Benchmarks;

/// <summary>
/// Intake's durable work in the embedded hub without HTTP: what the chat route does once the webhook is
/// read and checked — ticket intake's lookups and decision, then its index rows and the tickets-inbound
/// message written in one commit through the SQLite file's single writer (synchronous=FULL, a real file
/// in the temporary folder). <see cref="Connections"/> callers each take the next message as soon as
/// theirs is answered, as <c>bench/load.sh</c>'s connections do; every message opens a new ticket. The
/// file holds <see cref="Seeded"/> tickets' rows before the first measurement and keeps growing, as a
/// hub's does. Each invocation accepts <see cref="PerInvoke"/> messages, so the reported ops are intakes.
/// In process: BenchmarkDotNet's generated project would not carry the function app's ASP.NET Core
/// framework reference, and this measures a file and a thread, not code generation.
/// </summary>
[Config(typeof(InProcessConfig))]
[MemoryDiagnoser]
[OperationsPerSecond]
public class IntakeWriteBenchmarks
{
    private const int PerInvoke = 2048;

    /// <summary>Tickets in the file before the measurement starts.</summary>
    public const int Seeded = 100_000;

    [Params(64)]
    public int Connections { get; set; }

    private string _folder = null!;
    private SqliteDatabase _database = null!;
    private TicketIntake _intake = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "supporthub-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        var loaded = PolicyLoader.Load(File.ReadAllText(Path.Combine(RepositoryRoot(), "samples", "policy.json")));
        var policy = loaded.Policy ?? throw new InvalidOperationException("samples/policy.json does not load: " + string.Join("; ", loaded.Errors));
        _database = SqliteDatabase.InFolder(_folder, [TicketIntake.IndexTable]);
        var store = new SqliteEntityStore(_database);
        var queue = new SqliteMessageQueue(_database, SystemClock.Instance, MessageQueueOptions.Default);
        _intake = new TicketIntake(store, policy, SqliteIntakeRecorder.For(store, queue));
        AcceptAsync(Seeded).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _database.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = PerInvoke)]
    public Task Accept() => AcceptAsync(PerInvoke);

    private async Task AcceptAsync(int count)
    {
        var left = count;
        await Task.WhenAll(Enumerable.Range(0, Connections).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Decrement(ref left) >= 0)
            {
                await IntakeHttp.AcceptAsync(Message(Interlocked.Increment(ref _next)), _intake, CancellationToken.None);
            }
        })));
    }

    // The chat webhook bench/load.sh sends, as the chat route reads it.
    private static ChannelMessage Message(int i) => new(
        new InboundMessage(IntakeChannel.Chat, $"load-{i}", SystemClock.Instance.GetCurrentInstant(),
            new Requester($"Load {i}", $"load{i}@acme.gov", null), "", $"Load test problem {i}",
            AccountHint: "acme", Severity: 3, ConversationId: $"load-c-{i}"),
        [],
        new Dictionary<string, string>());

    private sealed class InProcessConfig : ManualConfig
    {
        public InProcessConfig() =>
            AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(15));
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "samples", "policy.json")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException("The repository (with samples/policy.json) is not above " + AppContext.BaseDirectory);
    }
}
