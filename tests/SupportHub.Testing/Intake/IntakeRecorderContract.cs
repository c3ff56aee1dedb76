using SupportHub.Intake;
using SupportHub.Storage;
using SupportHub.Workflows;

namespace SupportHub.Testing.Intake;

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
    public async Task Record_NewTicket_TakesTheNextReferenceAndWritesDecisionIndexAndMessage()
    {
        var seen = new List<string>();
        var ticket = await Recorder.RecordAsync(null, reference =>
        {
            seen.Add(reference);
            return Writes(Source, reference, "src-1");
        }, CancellationToken.None);

        Assert.Equal("1001", ticket);
        Assert.Equal(["1001"], seen);
        Assert.Equal("""{"ticket":"1001"}""", (await Store.GetAsync(TicketIntake.IndexTable, Source, CancellationToken.None))?.Payload);
        Assert.Equal("""{"ticket":"1001"}""", (await Store.GetAsync(TicketIntake.IndexTable, Conversation, CancellationToken.None))?.Payload);
        var sent = await Queue.ReceiveAsync(QueueNames.TicketsInbound, NodaTime.Duration.FromMinutes(1), CancellationToken.None);
        Assert.Equal(("src-1", "body of src-1"), (sent?.MessageId, sent?.Body));
    }

    [Fact]
    public async Task Record_NewTickets_ReferencesIncrease()
    {
        var first = await Recorder.RecordAsync(null, r => Writes(Source, r, "src-1"), CancellationToken.None);
        var second = await Recorder.RecordAsync(null, r => Writes(new EntityKey("source-2", "i"), r, "src-2"), CancellationToken.None);
        var joined = await Recorder.RecordAsync(first, r => Writes(new EntityKey("source-3", "i"), r, "src-3"), CancellationToken.None);
        var third = await Recorder.RecordAsync(null, r => Writes(new EntityKey("source-4", "i"), r, "src-4"), CancellationToken.None);

        Assert.Equal(["1001", "1002", "1001", "1003"], [first, second, joined, third]);
    }

    [Fact]
    public async Task Record_SourceAlreadyDecided_ThrowsConflictAndWritesNothing()
    {
        await Store.CreateAsync(TicketIntake.IndexTable, Source, """{"ticket":"1001"}""", CancellationToken.None);

        var conflict = await Assert.ThrowsAsync<EntityConflictException>(() => Recorder.RecordAsync("1002", r => Writes(Source, r, "src-2"), CancellationToken.None));

        Assert.Equal((Source, EntityConflictKind.AlreadyExists), (conflict.Key, conflict.Kind));
        Assert.Equal("""{"ticket":"1001"}""", (await Store.GetAsync(TicketIntake.IndexTable, Source, CancellationToken.None))?.Payload);
        Assert.Null(await Store.GetAsync(TicketIntake.IndexTable, Conversation, CancellationToken.None));
        Assert.Null(await Queue.ReceiveAsync(QueueNames.TicketsInbound, NodaTime.Duration.FromMinutes(1), CancellationToken.None));
    }

    [Fact]
    public async Task Record_SameMessageIdTwice_OneMessage()
    {
        await Recorder.RecordAsync("1001", _ => new IntakeWrites([EntityChange.Set(Conversation, """{"ticket":"1001"}""")], Message("src-3")), CancellationToken.None);
        await Recorder.RecordAsync("1003", _ => new IntakeWrites([EntityChange.Set(Conversation, """{"ticket":"1003"}""")], Message("src-3")), CancellationToken.None);

        Assert.Equal("""{"ticket":"1003"}""", (await Store.GetAsync(TicketIntake.IndexTable, Conversation, CancellationToken.None))?.Payload);
        // The second send of the same MessageId falls inside the duplicate window: one message only.
        Assert.NotNull(await Queue.ReceiveAsync(QueueNames.TicketsInbound, NodaTime.Duration.FromMinutes(1), CancellationToken.None));
        Assert.Null(await Queue.ReceiveAsync(QueueNames.TicketsInbound, NodaTime.Duration.FromMinutes(1), CancellationToken.None));
    }

    [Fact]
    public async Task Record_NothingToWrite_DoesNothing()
    {
        Assert.Equal("1001", await Recorder.RecordAsync("1001", _ => new IntakeWrites([], null), CancellationToken.None));

        Assert.Null(await Queue.ReceiveAsync(QueueNames.TicketsInbound, NodaTime.Duration.FromMinutes(1), CancellationToken.None));
    }

    [Fact]
    public async Task Record_DeleteOrUpdate_Refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Recorder.RecordAsync("1001", _ => new IntakeWrites([EntityChange.Delete(Source)], null), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => Recorder.RecordAsync("1001", _ => new IntakeWrites([EntityChange.Update(Source, "{}", "W/\"1\"")], null), CancellationToken.None));
    }

    protected static IntakeWrites Writes(EntityKey source, string ticket, string messageId) =>
        new([EntityChange.Create(source, $$"""{"ticket":"{{ticket}}"}"""), EntityChange.Set(Conversation, $$"""{"ticket":"{{ticket}}"}""")], Message(messageId));

    protected static QueuedMessage Message(string id) => new(QueueNames.TicketsInbound, new OutgoingMessage(id, $"body of {id}"));
}
