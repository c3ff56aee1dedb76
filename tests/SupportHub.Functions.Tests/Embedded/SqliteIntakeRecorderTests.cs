using SupportHub.Functions.Embedded;
using SupportHub.Intake;
using SupportHub.Testing;
using SupportHub.Testing.Workflows;
using SupportHub.Workflows;

namespace SupportHub.Functions.Tests.Embedded;

public sealed class SqliteIntakeRecorderTests : IntakeRecorderContract
{
    private readonly TemporaryDirectory _folder = new();
    private SqliteDatabase? _database;

    protected override Task<(IIntakeRecorder Recorder, IEntityStore Store, IMessageQueue Queue)> OpenAsync(FakeClock clock)
    {
        _database = SqliteDatabase.InFolder(_folder.Path);
        var store = new SqliteEntityStore(_database);
        var queue = new SqliteMessageQueue(_database, clock, MessageQueueOptions.Default);
        var recorder = SqliteIntakeRecorder.For(store, queue);
        Assert.IsType<SqliteIntakeRecorder>(recorder);
        return Task.FromResult<(IIntakeRecorder, IEntityStore, IMessageQueue)>((recorder, store, queue));
    }

    [Fact]
    public void For_StoreAndQueueInDifferentFiles_WritesOneAfterAnother()
    {
        using var other = new TemporaryDirectory();
        using var otherDatabase = SqliteDatabase.InFolder(other.Path);
        var recorder = SqliteIntakeRecorder.For(new SqliteEntityStore(otherDatabase), new SqliteMessageQueue(_database!, Clock, MessageQueueOptions.Default));

        Assert.IsType<SequentialIntakeRecorder>(recorder);
    }

    [Fact]
    public async Task Record_WithTheDecision_KeepsNoDuplicateIdRow_ItsCreateIsTheDetection()
    {
        await Recorder.RecordAsync([EntityChange.Create(Source, """{"ticket":"1005"}""")], Message("src-5"), CancellationToken.None);
        Assert.Equal(0, SeenIds());

        // Without a Create the queue's own duplicate detection stands.
        await Recorder.RecordAsync([EntityChange.Set(Conversation, """{"ticket":"1005"}""")], Message("src-6"), CancellationToken.None);
        Assert.Equal(1, SeenIds());
    }

    [Fact]
    public async Task Record_AgainLongAfterTheMessageWasHandled_SendsNothing()
    {
        await Recorder.RecordAsync([EntityChange.Create(Source, """{"ticket":"1007"}""")], Message("src-7"), CancellationToken.None);
        var handled = await Queue.ReceiveAsync(QueueNames.TicketsInbound, NodaTime.Duration.FromMinutes(1), CancellationToken.None);
        await Queue.CompleteAsync(handled!, CancellationToken.None);
        Clock.Advance(MessageQueueOptions.Default.DuplicateDetectionWindow + NodaTime.Duration.FromMinutes(1));

        // The decision and its message were one transaction: a late redelivery has nothing to send.
        await Recorder.RecordAsync([EntityChange.Set(Conversation, """{"ticket":"1007"}""")], Message("src-7") with { Again = true }, CancellationToken.None);

        Assert.Null(await Queue.ReceiveAsync(QueueNames.TicketsInbound, NodaTime.Duration.FromMinutes(1), CancellationToken.None));
    }

    private long SeenIds()
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_database!.FilePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM queue_seen_ids";
        return (long)count.ExecuteScalar()!;
    }

    public override Task DisposeAsync()
    {
        _database?.Dispose();
        _folder.Dispose();
        return Task.CompletedTask;
    }
}
