using SupportHub.Intake;
using SupportHub.Workflows;

namespace SupportHub.Testing.Workflows;

// What every IIntakeRecorder must do (one write after another, or the embedded one-transaction
// recorder): apply intake's index rows in order, send the message that goes with them, and when the
// decision's Create finds its key taken, write nothing at all — neither the index rows nor the message.

public abstract class IntakeRecorderContract : IAsyncLifetime
{
    protected static readonly EntityKey Source = new("source-1", "i");
    protected static readonly EntityKey Conversation = new("conv-1", "i");

    private (IIntakeRecorder Recorder, IEntityStore Store, IMessageQueue Queue)? _opened;

    protected FakeClock Clock { get; } = FakeClock.AtEpoch();

    protected IIntakeRecorder Recorder => Opened.Recorder;

    private IEntityStore Store => Opened.Store;

    protected IMessageQueue Queue => Opened.Queue;

    private (IIntakeRecorder Recorder, IEntityStore Store, IMessageQueue Queue) Opened =>
        _opened ?? throw new InvalidOperationException("Opened in InitializeAsync.");

    public async Task InitializeAsync() => _opened = await OpenAsync(Clock);

    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A recorder writing to <c>Store</c> and sending to <c>Queue</c>, both new and empty.</summary>
    protected abstract Task<(IIntakeRecorder Recorder, IEntityStore Store, IMessageQueue Queue)> OpenAsync(FakeClock clock);

    [Fact]
    public async Task Record_DecisionIndexAndMessage_AllWritten()
    {
        await Recorder.RecordAsync(
            [EntityChange.Create(Source, """{"ticket":"1001"}"""), EntityChange.Set(Conversation, """{"ticket":"1001"}""")],
            Message("src-1"), CancellationToken.None);

        Assert.Equal("""{"ticket":"1001"}""", (await Store.GetAsync(TicketIntake.IndexTable, Source, CancellationToken.None))?.Payload);
        Assert.Equal("""{"ticket":"1001"}""", (await Store.GetAsync(TicketIntake.IndexTable, Conversation, CancellationToken.None))?.Payload);
        var sent = await Queue.ReceiveAsync(QueueNames.TicketsInbound, NodaTime.Duration.FromMinutes(1), CancellationToken.None);
        Assert.Equal(("src-1", "body of src-1"), (sent?.MessageId, sent?.Body));
    }

    [Fact]
    public async Task Record_SourceAlreadyDecided_ThrowsConflictAndWritesNothing()
    {
        await Store.CreateAsync(TicketIntake.IndexTable, Source, """{"ticket":"1001"}""", CancellationToken.None);

        var conflict = await Assert.ThrowsAsync<EntityConflictException>(() => Recorder.RecordAsync(
            [EntityChange.Create(Source, """{"ticket":"1002"}"""), EntityChange.Set(Conversation, """{"ticket":"1002"}""")],
            Message("src-2"), CancellationToken.None));

        Assert.Equal((Source, EntityConflictKind.AlreadyExists), (conflict.Key, conflict.Kind));
        Assert.Equal("""{"ticket":"1001"}""", (await Store.GetAsync(TicketIntake.IndexTable, Source, CancellationToken.None))?.Payload);
        Assert.Null(await Store.GetAsync(TicketIntake.IndexTable, Conversation, CancellationToken.None));
        Assert.Null(await Queue.ReceiveAsync(QueueNames.TicketsInbound, NodaTime.Duration.FromMinutes(1), CancellationToken.None));
    }

    [Fact]
    public async Task Record_SetsOnly_ReplaceRowsAndSendAgainUnderTheSameId()
    {
        await Recorder.RecordAsync([EntityChange.Set(Conversation, """{"ticket":"1001"}""")], Message("src-3"), CancellationToken.None);
        await Recorder.RecordAsync([EntityChange.Set(Conversation, """{"ticket":"1003"}""")], Message("src-3"), CancellationToken.None);

        Assert.Equal("""{"ticket":"1003"}""", (await Store.GetAsync(TicketIntake.IndexTable, Conversation, CancellationToken.None))?.Payload);
        // The second send of the same MessageId falls inside the duplicate window: one message only.
        Assert.NotNull(await Queue.ReceiveAsync(QueueNames.TicketsInbound, NodaTime.Duration.FromMinutes(1), CancellationToken.None));
        Assert.Null(await Queue.ReceiveAsync(QueueNames.TicketsInbound, NodaTime.Duration.FromMinutes(1), CancellationToken.None));
    }

    [Fact]
    public async Task Record_AgainForADecidedSource_IndexesAgainWithOneMessageOnly()
    {
        await Recorder.RecordAsync(
            [EntityChange.Create(Source, """{"ticket":"1004"}"""), EntityChange.Set(Conversation, """{"ticket":"1004"}""")],
            Message("src-4"), CancellationToken.None);
        // A redelivery of the source message: intake found the decision and records it again.
        await Recorder.RecordAsync([EntityChange.Set(Conversation, """{"ticket":"1004","again":true}""")], Message("src-4") with { Again = true }, CancellationToken.None);

        Assert.Equal("""{"ticket":"1004","again":true}""", (await Store.GetAsync(TicketIntake.IndexTable, Conversation, CancellationToken.None))?.Payload);
        Assert.Equal("src-4", (await Queue.ReceiveAsync(QueueNames.TicketsInbound, NodaTime.Duration.FromMinutes(1), CancellationToken.None))?.MessageId);
        Assert.Null(await Queue.ReceiveAsync(QueueNames.TicketsInbound, NodaTime.Duration.FromMinutes(1), CancellationToken.None));
    }

    [Fact]
    public async Task Record_NothingToWrite_DoesNothing()
    {
        await Recorder.RecordAsync([], null, CancellationToken.None);

        Assert.Null(await Queue.ReceiveAsync(QueueNames.TicketsInbound, NodaTime.Duration.FromMinutes(1), CancellationToken.None));
    }

    [Fact]
    public async Task Record_DeleteOrUpdate_Refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Recorder.RecordAsync([EntityChange.Delete(Source)], null, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => Recorder.RecordAsync([EntityChange.Update(Source, "{}", "W/\"1\"")], null, CancellationToken.None));
    }

    protected static QueuedMessage Message(string id) => new(QueueNames.TicketsInbound, new OutgoingMessage(id, $"body of {id}"));
}
