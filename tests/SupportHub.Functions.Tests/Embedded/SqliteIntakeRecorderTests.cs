using SupportHub.Embedded;
using SupportHub.Intake;
using SupportHub.Storage;
using SupportHub.Testing;
using SupportHub.Testing.Intake;

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
        return Task.FromResult<(IIntakeRecorder, IEntityStore, IMessageQueue)>((new SqliteIntakeRecorder(_database, queue), store, queue));
    }

    /// <summary>The counter is written in the decision's own transaction: a decision that fails gives its
    /// number back, so references have no gaps.</summary>
    [Fact]
    public async Task Record_NewTicketWhoseDecisionFails_GivesItsReferenceBack()
    {
        Assert.Equal("1001", await Recorder.RecordAsync(null, r => Writes(Source, r, "src-1"), CancellationToken.None));

        // A redelivery racing in: its Create of the same source key fails after the counter moved.
        await Assert.ThrowsAsync<EntityConflictException>(() => Recorder.RecordAsync(null, r => Writes(Source, r, "src-1b"), CancellationToken.None));
        await Assert.ThrowsAsync<InvalidOperationException>(() => Recorder.RecordAsync(null, _ => throw new InvalidOperationException("bad"), CancellationToken.None));

        Assert.Equal("1002", await Recorder.RecordAsync(null, r => Writes(new EntityKey("source-2", "i"), r, "src-2"), CancellationToken.None));
    }

    /// <summary>The counter survives a restart: the next reference follows the last one handed out.</summary>
    [Fact]
    public async Task Record_AfterReopen_ContinuesFromTheLastReference()
    {
        await Recorder.RecordAsync(null, r => Writes(Source, r, "src-1"), CancellationToken.None);
        _database!.Dispose();

        using var reopened = SqliteDatabase.InFolder(_folder.Path);
        var recorder = new SqliteIntakeRecorder(reopened, new SqliteMessageQueue(reopened, Clock, MessageQueueOptions.Default));

        Assert.Equal("1002", await recorder.RecordAsync(null, r => Writes(new EntityKey("source-2", "i"), r, "src-2"), CancellationToken.None));
    }

    public override Task DisposeAsync()
    {
        _database?.Dispose();
        _folder.Dispose();
        return Task.CompletedTask;
    }
}
