using Microsoft.Extensions.Logging.Abstractions;
using NodaTime;
using SupportHub.Embedded;
using SupportHub.Functions.Hosting;
using SupportHub.Storage;
using SupportHub.Workflows;
using SupportHub.Functions.Tests.Hosting;
using SupportHub.Functions.Workflows;
using SupportHub.Testing;
using SupportHub.Tickets;
using SupportHub.Testing.Storage;

namespace SupportHub.Functions.Tests.Workflows;

// The runtime's promise (TicketWorkflowRunner): a consumer that dies between saving a decision and
// dispatching its outbox, or between a send and the delete of that outbox row, loses nothing and
// doubles nothing once the message is delivered again; two consumers racing on one ticket apply
// both messages, the loser deciding again on the winner's state. Real SQLite store and queue; the
// crash is an exception thrown at the exact point, which the pump turns into an abandon, as a
// killed consumer's lease running out would.

public sealed class TicketWorkflowRunnerCrashTests : IDisposable
{
    private static readonly Duration Lease = Duration.FromMinutes(1);

    private readonly TemporaryDirectory _folder = new();
    private readonly SqliteDatabase _database;
    private readonly SqliteEntityStore _store;
    private readonly SqliteMessageQueue _queue;
    private readonly FakeClock _clock = FakeClock.AtEpoch();
    private readonly TicketContext _context = new(PolicyFile.Load(HubFactory.Fixture("policy.json")));

    public TicketWorkflowRunnerCrashTests()
    {
        _database = SqliteDatabase.InFolder(_folder.Path);
        _store = new SqliteEntityStore(_database);
        _queue = new SqliteMessageQueue(_database, _clock, MessageQueueOptions.Default);
    }

    public void Dispose()
    {
        _database.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task Handle_CrashAfterSaveBeforeDispatch_RedeliveryPerformsEachEffectOnce()
    {
        var store = new CrashingStore(_store);
        var open = Open("1001");

        await DeliverAsync(new TicketWorkflowRunner(store, _queue, _context), open, expectCrash: true);
        Assert.Empty(await DrainAsync(QueueNames.NotificationsOutbound)); // saved, nothing sent yet
        await DeliverAsync(new TicketWorkflowRunner(_store, _queue, _context), open, expectCrash: false);

        await AssertEachEffectOnceAsync(open);
    }

    [Fact]
    public async Task Handle_CrashAfterASendBeforeItsOutboxRowIsDeleted_TheResendIsDropped()
    {
        var sender = new CrashingSender(_queue);
        var open = Open("1001");

        await DeliverAsync(new TicketWorkflowRunner(_store, sender, _context), open, expectCrash: true);
        await DeliverAsync(new TicketWorkflowRunner(_store, _queue, _context), open, expectCrash: false);

        Assert.Equal(1, sender.Sent);
        await AssertEachEffectOnceAsync(open);
    }

    [Fact]
    public async Task Handle_TwoRunnersRaceOnOneTicket_TheLoserDecidesAgainOnTheWinnersState()
    {
        await new TicketWorkflowRunner(_store, _queue, _context).HandleAsync(Open("1001"), _clock.GetCurrentInstant(), CancellationToken.None);
        var gated = new GatedStore(_store);
        var slow = new TicketWorkflowRunner(gated, _queue, _context);
        var fast = new TicketWorkflowRunner(_store, _queue, _context);

        var slowAck = slow.HandleAsync(new Acknowledge("ack-alice", "1001", "alice"), _clock.GetCurrentInstant(), CancellationToken.None);
        await gated.StateRead.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var fastAck = await fast.HandleAsync(new Acknowledge("ack-bob", "1001", "bob"), _clock.GetCurrentInstant(), CancellationToken.None);
        gated.Release.SetResult();
        var slowDecision = await slowAck.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Null(fastAck.Rejection);
        Assert.Equal(1, gated.Conflicts);
        Assert.Equal("ticket #1001 was already acknowledged by bob", slowDecision.Rejection);
        var state = await fast.LoadAsync("1001", CancellationToken.None);
        Assert.Equal(("bob", 2), (state!.Escalation!.StoppedBy, state.Version));
    }

    private OpenTicket Open(string ticket) => new($"src:phone:{ticket}", ticket, new TicketFacts(ticket, "acme", "standard", 1, IntakeChannel.Phone,
        new Requester("Dana Ortiz", "dana@acme.gov", "+13125550101"), _clock.GetCurrentInstant(), "Payment page is down"));

    // One delivery through the real workflow-events function, settled as the pump settles it.
    private async Task DeliverAsync(TicketWorkflowRunner runner, TicketCommand command, bool expectCrash)
    {
        await _queue.SendAsync(QueueNames.WorkflowEvents, new OutgoingMessage("open-" + command.Ticket, WorkflowJson.Serialize(command)), CancellationToken.None);
        var leased = await _queue.ReceiveAsync(QueueNames.WorkflowEvents, Lease, CancellationToken.None);
        Assert.NotNull(leased);
        var handler = new WorkflowEvents(runner, _clock, NullLogger<WorkflowEvents>.Instance);
        var crash = await Record.ExceptionAsync(() =>
            handler.HandleAsync(new QueueDelivery(leased.Queue, leased.MessageId, leased.Body, leased.DeliveryCount), CancellationToken.None));
        if (expectCrash)
        {
            Assert.IsType<SimulatedCrashException>(crash);
            await _queue.AbandonAsync(leased, crash.Message, CancellationToken.None);
            _clock.Advance(MessageQueueOptions.Default.RetryDelay(leased.DeliveryCount)); // the redelivery's wait
        }
        else
        {
            Assert.Null(crash);
            await _queue.CompleteAsync(leased, CancellationToken.None);
        }
    }

    private async Task AssertEachEffectOnceAsync(OpenTicket open)
    {
        // What deciding the command once asks for: every notification and timer, each exactly once.
        var expected = TicketWorkflow.Decide(open, null, _clock.GetCurrentInstant(), _context).Effects;
        var notifications = await DrainAsync(QueueNames.NotificationsOutbound);
        _clock.Advance(Duration.FromDays(60));
        var timers = await DrainAsync(QueueNames.WorkflowEvents);

        Assert.Equal(expected.OfType<SendNotification>().Select(e => e.Id).Order(), notifications.Order());
        Assert.Equal(expected.OfType<ScheduleTimer>().Select(e => e.Id).Order(), timers.Order());
        var state = await new TicketWorkflowRunner(_store, _queue, _context).LoadAsync(open.Ticket, CancellationToken.None);
        Assert.Equal(1, state!.Handled.Count(id => id == open.Id));
        Assert.Equal(1, state.Version);
        var outbox = await _store.QueryAsync(TicketWorkflowRunner.Table, open.Ticket, RowKeyRange.Prefix(TicketWorkflowRunner.OutboxPrefix), 100, null, CancellationToken.None);
        Assert.Empty(outbox.Entities);
    }

    private async Task<List<string>> DrainAsync(string queue)
    {
        var ids = new List<string>();
        while (await _queue.ReceiveAsync(queue, Lease, CancellationToken.None) is { } message)
        {
            ids.Add(message.MessageId);
            await _queue.CompleteAsync(message, CancellationToken.None);
        }

        return ids;
    }

    private sealed class SimulatedCrashException(string where) : Exception($"simulated crash {where}");

    /// <summary>Dies right after the first submit to the tickets table has committed.</summary>
    private sealed class CrashingStore(IEntityStore inner) : DelegatingEntityStore(inner)
    {
        private bool _crashed;

        public override async Task<IReadOnlyList<string?>> SubmitAsync(string table, IReadOnlyList<EntityChange> changes, CancellationToken cancellationToken)
        {
            var result = await base.SubmitAsync(table, changes, cancellationToken);
            if (table == TicketWorkflowRunner.Table && !_crashed)
            {
                _crashed = true;
                throw new SimulatedCrashException("after the save, before dispatch");
            }

            return result;
        }
    }

    /// <summary>Dies right after its first send has been accepted by the queue.</summary>
    private sealed class CrashingSender(IMessageSender inner) : IMessageSender
    {
        public int Sent { get; private set; }

        public async Task SendAsync(string queue, OutgoingMessage message, CancellationToken cancellationToken)
        {
            await inner.SendAsync(queue, message, cancellationToken);
            Sent++;
            throw new SimulatedCrashException("after a send, before its outbox row was deleted");
        }

        public Task SendBatchAsync(string queue, IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    /// <summary>Holds the first reader of a ticket's state until released, and counts the submits that lost.</summary>
    private sealed class GatedStore(IEntityStore inner) : DelegatingEntityStore(inner)
    {
        private int _reads;

        public TaskCompletionSource StateRead { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Conflicts { get; private set; }

        public override async Task<StoredEntity?> GetAsync(string table, EntityKey key, CancellationToken cancellationToken)
        {
            var row = await base.GetAsync(table, key, cancellationToken);
            if (table == TicketWorkflowRunner.Table && key.RowKey == TicketWorkflowRunner.StateRow && Interlocked.Increment(ref _reads) == 1)
            {
                StateRead.SetResult();
                await Release.Task;
            }

            return row;
        }

        public override async Task<IReadOnlyList<string?>> SubmitAsync(string table, IReadOnlyList<EntityChange> changes, CancellationToken cancellationToken)
        {
            try
            {
                return await base.SubmitAsync(table, changes, cancellationToken);
            }
            catch (EntityConflictException)
            {
                Conflicts++;
                throw;
            }
        }
    }
}
