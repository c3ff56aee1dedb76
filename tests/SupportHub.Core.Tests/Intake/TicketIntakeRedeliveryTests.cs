using NodaTime;
using SupportHub.Core.Tests.Tickets;
using SupportHub.Intake;
using SupportHub.Tickets;
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

    private static QueuedMessage Queued(IntakeOutcome outcome) =>
        new(QueueNames.TicketsInbound, new OutgoingMessage(outcome.Command.Id, outcome.Ticket));

    private sealed class CapturingRecorder(IIntakeRecorder inner) : IIntakeRecorder
    {
        public List<QueuedMessage> Sent { get; } = [];

        public Task RecordAsync(IReadOnlyList<EntityChange> changes, QueuedMessage? message, CancellationToken cancellationToken)
        {
            if (message is not null)
            {
                Sent.Add(message);
            }
            return inner.RecordAsync(changes, message, cancellationToken);
        }
    }
}
