using NodaTime;
using SupportHub.Core.Tests.Tickets;
using SupportHub.Intake;
using SupportHub.Storage;
using SupportHub.Tickets;
using SupportHub.Testing.Storage;
using SupportHub.Workflows;
using SupportHub.Storage.InMemory;

namespace SupportHub.Core.Tests.Intake;

// A redelivered source message gets its decision back (the decision row holds the command) and its
// message sent again under the same id; index rows it would write are restored where missing and
// never overwritten (they may name a later ticket by now).
public sealed class TicketIntakeRedeliveryTests
{
    private static readonly Instant At = Instant.FromUtc(2026, 11, 23, 15, 0);
    private readonly TicketHarness _harness = new();
    private readonly InMemoryEntityStore _store = new();
    private readonly InMemoryMessageQueue _queue = new(new SupportHub.Testing.FakeClock(At));
    private static readonly InboundMessage Message = new(IntakeChannel.Chat, "m1", At, new Requester("Ann", "ann@acme.gov", null), "", "Problem", ConversationId: "c1");

    private TicketIntake Intake() => new(_store, _harness.Policy, new SequentialIntakeRecorder(_store, _queue));

    [Fact]
    public async Task Accept_SameSourceTwice_SameDecision_OneMessageUnderTheSameId()
    {
        var first = await Intake().AcceptAsync(Message, Queued, CancellationToken.None);
        var second = await Intake().AcceptAsync(Message, Queued, CancellationToken.None);

        Assert.Equal((false, true), (first.Duplicate, second.Duplicate));
        Assert.Equal((first.Ticket, first.Opened, WorkflowJson.Serialize(first.Command)), (second.Ticket, second.Opened, WorkflowJson.Serialize(second.Command)));
        Assert.IsType<OpenTicket>(second.Command);
        // The queue's duplicate detection kept the second send out.
        Assert.Equal(first.Command.Id, (await _queue.ReceiveAsync(QueueNames.TicketsInbound, Duration.FromMinutes(1), CancellationToken.None))?.MessageId);
        Assert.Null(await _queue.ReceiveAsync(QueueNames.TicketsInbound, Duration.FromMinutes(1), CancellationToken.None));
    }

    [Fact]
    public async Task Accept_Redelivered_DecisionRowHoldsTheCommand()
    {
        var first = await Intake().AcceptAsync(Message, CancellationToken.None);

        var row = await _store.GetAsync(TicketIntake.IndexTable, SourceKey("Chat:m1"), CancellationToken.None);
        var recorded = IntakeDecision.Read(row!.Payload);
        Assert.Equal((first.Ticket, true, first.Opened), (recorded.Ticket, recorded.Duplicate, recorded.Opened));
        Assert.Equal(WorkflowJson.Serialize(first.Command), WorkflowJson.Serialize(recorded.Command));
    }

    [Fact]
    public async Task Accept_RedeliveredAfterTheConversationMoved_LeavesTheNewerRowAlone()
    {
        var first = await Intake().AcceptAsync(Message, CancellationToken.None);
        await _store.SetAsync(TicketIntake.IndexTable, ConversationKey("c1"), """{"ticket":"2000"}""", CancellationToken.None);

        var again = await Intake().AcceptAsync(Message, CancellationToken.None);

        Assert.Equal((true, first.Ticket), (again.Duplicate, again.Ticket));
        Assert.Equal("""{"ticket":"2000"}""", (await _store.GetAsync(TicketIntake.IndexTable, ConversationKey("c1"), CancellationToken.None))?.Payload);
    }

    [Fact]
    public async Task Accept_RedeliveredAfterItsIndexRowWasLost_RestoresIt()
    {
        // In Azure a crash between the decision and its index rows leaves the rows unwritten.
        var first = await Intake().AcceptAsync(Message, CancellationToken.None);
        await _store.DeleteAsync(TicketIntake.IndexTable, ConversationKey("c1"), null, CancellationToken.None);

        await Intake().AcceptAsync(Message, CancellationToken.None);

        Assert.Equal($$"""{"ticket":"{{first.Ticket}}"}""", (await _store.GetAsync(TicketIntake.IndexTable, ConversationKey("c1"), CancellationToken.None))?.Payload);
    }

    private static EntityKey SourceKey(string value) => Key("source", value);

    private static EntityKey ConversationKey(string value) => Key("conv", value);

    private static EntityKey Key(string kind, string value) =>
        new($"{kind}-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value)))[..40]}", "i");

    private static QueuedMessage Queued(IntakeOutcome outcome) =>
        new(QueueNames.TicketsInbound, new OutgoingMessage(outcome.Command.Id, outcome.Ticket));
}

// Intake reads the source row and every index row threading may need at once (IEntityStore.GetManyAsync:
// one read transaction in the embedded store), not one read per rule.
public sealed class TicketIntakeLookupTests
{
    private static readonly Instant At = Instant.FromUtc(2026, 11, 23, 15, 0);
    private readonly TicketHarness _harness = new();

    [Fact]
    public async Task Accept_ChatAndEmail_ReadTheIndexOnceEach_AndStillThread()
    {
        var store = new CountingStore(new InMemoryEntityStore());
        var intake = new TicketIntake(store, _harness.Policy);
        var ann = new Requester("Ann", "ann@acme.gov", null);

        var opened = await intake.AcceptAsync(new InboundMessage(IntakeChannel.Chat, "m1", At, ann, "", "Problem", ConversationId: "c1"), CancellationToken.None);
        var joined = await intake.AcceptAsync(new InboundMessage(IntakeChannel.Chat, "m2", At, ann, "", "More", ConversationId: "c1"), CancellationToken.None);
        var again = await intake.AcceptAsync(new InboundMessage(IntakeChannel.Chat, "m2", At, ann, "", "More", ConversationId: "c1"), CancellationToken.None);
        var email = await intake.AcceptAsync(new InboundMessage(IntakeChannel.Email, "<e1@acme.gov>", At, ann, "Re: it", "Still broken",
            InReplyTo: ["<unknown@acme.gov>", "<e0@acme.gov>"]), CancellationToken.None);

        Assert.Equal((true, false, false), (opened.Opened, joined.Opened, joined.Duplicate));
        Assert.Equal(opened.Ticket, joined.Ticket);
        Assert.Equal((true, joined.Ticket), (again.Duplicate, again.Ticket));
        Assert.True(email.Opened);
        // source + conversation, three times; the duplicate's conversation row (restored if missing); source + two Message-IDs
        Assert.Equal([2, 2, 2, 1, 3], store.ManyReads);
        Assert.Equal(0, store.SingleIndexReads);
    }

    [Fact]
    public async Task IndexRows_KeepTheKeysAndPayloadsStoredBefore()
    {
        // Rows written by earlier builds (SQLite files, Table Storage) must still be found: each key is the kind,
        // '-' and the first 40 lower-case hex digits of the SHA-256 of the value's UTF-8 (written out here as the
        // first version computed it), the row key "i"; a reference row is {"ticket":"…"}.
        static EntityKey Key(string kind, string value) =>
            new($"{kind}-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value)))[..40]}", "i");
        var store = new InMemoryEntityStore();
        var intake = new TicketIntake(store, _harness.Policy);
        var ann = new Requester("Ann", "ann@acme.gov", "+15551230000");
        // Longer than 512 UTF-8 bytes, and not ASCII.
        var longId = "<" + string.Concat(Enumerable.Repeat("réponse-", 80)) + "@acme.gov>";

        var chat = await intake.AcceptAsync(new InboundMessage(IntakeChannel.Chat, "m1", At, ann, "", "Problem", ConversationId: "c-ü1"), CancellationToken.None);
        var email = await intake.AcceptAsync(new InboundMessage(IntakeChannel.Email, longId, At, ann, "It", "Broken"), CancellationToken.None);
        var call = await intake.AcceptAsync(new InboundMessage(IntakeChannel.Phone, "call-1", At, ann, "", "Called"), CancellationToken.None);

        Assert.NotNull(await store.GetAsync(TicketIntake.IndexTable, Key("source", "Chat:m1"), CancellationToken.None));
        Assert.Equal($$"""{"ticket":"{{chat.Ticket}}"}""", (await store.GetAsync(TicketIntake.IndexTable, Key("conv", "c-ü1"), CancellationToken.None))?.Payload);
        Assert.NotNull(await store.GetAsync(TicketIntake.IndexTable, Key("source", "Email:" + longId), CancellationToken.None));
        var own = longId.Trim('<', '>').ToLowerInvariant();
        Assert.Equal($$"""{"ticket":"{{email.Ticket}}"}""", (await store.GetAsync(TicketIntake.IndexTable, Key("msgid", own), CancellationToken.None))?.Payload);
        Assert.Contains($"\"ticket\":\"{call.Ticket}\"", (await store.GetAsync(TicketIntake.IndexTable, Key("caller", "+15551230000"), CancellationToken.None))?.Payload);

        // And a reply quoting that long Message-ID threads into its ticket.
        var reply = await intake.AcceptAsync(new InboundMessage(IntakeChannel.Email, "<r1@acme.gov>", At, ann, "Re: It", "More", InReplyTo: [longId]), CancellationToken.None);
        Assert.Equal((false, email.Ticket), (reply.Opened, reply.Ticket));
    }

    private sealed class CountingStore(IEntityStore inner) : DelegatingEntityStore(inner)
    {
        public List<int> ManyReads { get; } = [];

        public int SingleIndexReads { get; private set; }

        public override Task<StoredEntity?> GetAsync(string table, EntityKey key, CancellationToken cancellationToken)
        {
            if (table == TicketIntake.IndexTable)
            {
                SingleIndexReads++;
            }
            return base.GetAsync(table, key, cancellationToken);
        }

        public override Task<IReadOnlyList<StoredEntity?>> GetManyAsync(string table, IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken)
        {
            Assert.Equal(TicketIntake.IndexTable, table);
            ManyReads.Add(keys.Count);
            return base.GetManyAsync(table, keys, cancellationToken);
        }
    }
}
