using NodaTime;
using SupportHub.Core.Tests.Tickets;
using SupportHub.Intake;
using SupportHub.Tickets;
using SupportHub.Testing.Workflows;
using SupportHub.Workflows;
using SupportHub.Workflows.InMemory;

namespace SupportHub.Core.Tests.Intake;

// A redelivered source message gets its decision back and its message sent again under the same id,
// marked Again: the embedded recorder wrote that message in the decision's own transaction and skips it.
public sealed class TicketIntakeRedeliveryTests
{
    private static readonly Instant At = Instant.FromUtc(2026, 11, 23, 15, 0);
    private readonly TicketHarness _harness = new();

    [Fact]
    public async Task Accept_SameSourceTwice_SecondSendsTheSameMessageMarkedAgain()
    {
        var store = new InMemoryEntityStore();
        var queue = new InMemoryMessageQueue(new SupportHub.Testing.FakeClock(At));
        var recorder = new CapturingRecorder(new SequentialIntakeRecorder(store, queue));
        var intake = new TicketIntake(store, _harness.Policy, recorder);
        var message = new InboundMessage(IntakeChannel.Chat, "m1", At, new Requester("Ann", "ann@acme.gov", null), "", "Problem", ConversationId: "c1");

        var first = await intake.AcceptAsync(message, Queued, CancellationToken.None);
        var second = await intake.AcceptAsync(message, Queued, CancellationToken.None);

        Assert.Equal((false, true), (first.Duplicate, second.Duplicate));
        Assert.Equal(first.Ticket, second.Ticket);
        Assert.Equal(2, recorder.Sent.Count);
        Assert.Equal(recorder.Sent[0].Message.MessageId, recorder.Sent[1].Message.MessageId);
        Assert.Equal((false, true), (recorder.Sent[0].Again, recorder.Sent[1].Again));
        // The queue's duplicate detection kept the second send out.
        Assert.NotNull(await queue.ReceiveAsync(QueueNames.TicketsInbound, Duration.FromMinutes(1), CancellationToken.None));
        Assert.Null(await queue.ReceiveAsync(QueueNames.TicketsInbound, Duration.FromMinutes(1), CancellationToken.None));
    }

    [Fact]
    public async Task Accept_RecorderQueuesWithTheDecision_DecisionKeepsNoCommand_AndARedeliveryWritesNothing()
    {
        var store = new InMemoryEntityStore();
        var recorder = new CapturingRecorder(new SequentialIntakeRecorder(store, new InMemoryMessageQueue(new SupportHub.Testing.FakeClock(At)))) { QueuesWithDecision = true };
        var intake = new TicketIntake(store, _harness.Policy, recorder);
        var message = new InboundMessage(IntakeChannel.Chat, "m1", At, new Requester("Ann", "ann@acme.gov", null), "", "Problem", ConversationId: "c1");

        var first = await intake.AcceptAsync(message, Queued, CancellationToken.None);
        var second = await intake.AcceptAsync(message, Queued, CancellationToken.None);

        Assert.IsType<OpenTicket>(first.Command);
        Assert.Equal($$"""{"ticket":"{{first.Ticket}}","opened":true}""", (await store.GetAsync(TicketIntake.IndexTable, SourceKey("Chat:m1"), CancellationToken.None))?.Payload);
        Assert.Equal((true, first.Ticket, true, null), (second.Duplicate, second.Ticket, second.Opened, second.Command));
        // The message went with the decision: the redelivery neither sends it again nor rewrites the index.
        Assert.Equal(1, recorder.Calls);
        Assert.Single(recorder.Sent);
    }

    [Fact]
    public async Task Accept_RecorderQueuesWithTheDecision_ADecisionStoredWithItsCommand_IsStillSentAgainMarkedAgain()
    {
        // Decisions recorded by earlier builds (or by a recorder writing one thing after another) keep the command.
        var store = new InMemoryEntityStore();
        var queue = new InMemoryMessageQueue(new SupportHub.Testing.FakeClock(At));
        var message = new InboundMessage(IntakeChannel.Chat, "m1", At, new Requester("Ann", "ann@acme.gov", null), "", "Problem", ConversationId: "c1");
        var first = await new TicketIntake(store, _harness.Policy, new SequentialIntakeRecorder(store, queue)).AcceptAsync(message, Queued, CancellationToken.None);
        var recorder = new CapturingRecorder(new SequentialIntakeRecorder(store, queue)) { QueuesWithDecision = true };

        var second = await new TicketIntake(store, _harness.Policy, recorder).AcceptAsync(message, Queued, CancellationToken.None);

        Assert.Equal((true, first.Ticket, first.CommandJson), (second.Duplicate, second.Ticket, second.CommandJson));
        Assert.Equal((first.Command!.Id, true), (Assert.Single(recorder.Sent).Message.MessageId, recorder.Sent[0].Again));
    }

    [Fact]
    public async Task Accept_NoMessageToQueue_DecisionKeepsItsCommandWhateverTheRecorder()
    {
        // Without a message (the simulator hands the command on itself) a redelivery needs the command back.
        var store = new InMemoryEntityStore();
        var recorder = new CapturingRecorder(new SequentialIntakeRecorder(store, null)) { QueuesWithDecision = true };
        var intake = new TicketIntake(store, _harness.Policy, recorder);
        var message = new InboundMessage(IntakeChannel.Chat, "m1", At, new Requester("Ann", "ann@acme.gov", null), "", "Problem", ConversationId: "c1");

        var first = await intake.AcceptAsync(message, CancellationToken.None);
        var second = await intake.AcceptAsync(message, CancellationToken.None);

        Assert.Contains("\"command\":", (await store.GetAsync(TicketIntake.IndexTable, SourceKey("Chat:m1"), CancellationToken.None))?.Payload, StringComparison.Ordinal);
        Assert.Equal((true, first.CommandJson), (second.Duplicate, second.CommandJson));
        Assert.IsType<OpenTicket>(second.Command);
    }

    private static EntityKey SourceKey(string value) =>
        new($"source-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value)))[..40]}", "i");

    private static QueuedMessage Queued(IntakeOutcome outcome) =>
        new(QueueNames.TicketsInbound, new OutgoingMessage(outcome.Command!.Id, outcome.Ticket));

    private sealed class CapturingRecorder(IIntakeRecorder inner) : IIntakeRecorder
    {
        public List<QueuedMessage> Sent { get; } = [];

        public int Calls { get; private set; }

        public bool QueuesWithDecision { get; init; }

        public Task RecordAsync(IReadOnlyList<EntityChange> changes, QueuedMessage? message, CancellationToken cancellationToken)
        {
            Calls++;
            if (message is not null)
            {
                Sent.Add(message);
            }
            return inner.RecordAsync(changes, message, cancellationToken);
        }
    }
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
        Assert.Equal([2, 2, 2, 3], store.ManyReads); // source + conversation, three times; source + two Message-IDs
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

    [Fact]
    public async Task TheQueueMessage_WithTheCommandTextIntakeHas_IsExactlyWhatSerializingTheMessageWrites()
    {
        // tickets-inbound embeds the command's recorded text instead of serializing the command again: the body
        // must be the same bytes either way, for a new ticket, a reply and a redelivered (duplicate) message.
        var store = new InMemoryEntityStore();
        var intake = new TicketIntake(store, _harness.Policy);
        var ann = new Requester("Ann <ann@acme.gov> & co", "ann@acme.gov", null);
        InboundMessage Chat(string id, string text) => new(IntakeChannel.Chat, id, At, ann, "", text, ConversationId: "c-é");
        var details = new Dictionary<string, string> { ["ivr"] = "1 > 2", ["note"] = "\"quoted\" \u2028 ü" };
        AttachmentInfo[] attachments = [new("log <1>.txt", "text/plain", 12), new("ü.png", "image/png", 3456)];

        var outcomes = new List<IntakeOutcome>
        {
            await intake.AcceptAsync(Chat("m1", "Broken <b>since</b> 10.0.1 & more"), CancellationToken.None),
            await intake.AcceptAsync(Chat("m2", "Still broken"), CancellationToken.None),
            await intake.AcceptAsync(Chat("m2", "Still broken"), CancellationToken.None),
        };

        Assert.Equal((true, false, true), (outcomes[0].Opened, outcomes[1].Opened, outcomes[2].Duplicate));
        foreach (var outcome in outcomes)
        {
            Assert.NotNull(outcome.CommandJson);
            var message = new ConversationMessage(outcome.Ticket, IntakeChannel.Chat, "m", At, ann, "", "Text <é> & \"x\"", attachments, details);
            Assert.Equal(WorkflowJson.Serialize(new TicketsInboundMessage(outcome.Command!, message)), TicketsInboundMessage.Serialize(outcome, message));
            // And without the text (an outcome made elsewhere), the same again.
            Assert.Equal(WorkflowJson.Serialize(new TicketsInboundMessage(outcome.Command!, message)),
                TicketsInboundMessage.Serialize(outcome with { CommandJson = null }, message));
        }
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
