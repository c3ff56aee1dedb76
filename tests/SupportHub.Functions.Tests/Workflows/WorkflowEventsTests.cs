using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using SupportHub.Functions.Hosting;
using SupportHub.Storage;
using SupportHub.Workflows;
using SupportHub.Functions.Tests.Hosting;
using SupportHub.Functions.Workflows;
using SupportHub.Testing;
using SupportHub.Tickets;
using SupportHub.Storage.InMemory;

namespace SupportHub.Functions.Tests.Workflows;

public sealed class WorkflowEventsTests
{
    private readonly FakeClock _clock = FakeClock.AtEpoch();
    private readonly WorkflowEvents _handler;

    public WorkflowEventsTests()
    {
        var runner = new TicketWorkflowRunner(new InMemoryEntityStore(), new InMemoryMessageQueue(_clock, MessageQueueOptions.Default),
            new TicketContext(PolicyFile.Load(HubFactory.Fixture("policy.json"))));
        _handler = new WorkflowEvents(runner, _clock, NullLogger<WorkflowEvents>.Instance);
    }

    [Fact]
    public async Task Handle_RejectedCommand_CompletesTheMessage()
    {
        // An acknowledgement for a ticket that does not exist is an answer, not a failure to retry.
        var ack = WorkflowJson.Serialize<TicketCommand>(new Acknowledge("a1", "4040", "bob"));

        var failure = await Record.ExceptionAsync(() => _handler.HandleAsync(new QueueDelivery(QueueNames.WorkflowEvents, "a1", ack, 1), CancellationToken.None));

        Assert.Null(failure);
    }

    [Fact]
    public async Task Handle_BodyThatIsNotACommand_Throws_SoTheQueueRetriesAndDeadLetters()
    {
        await Assert.ThrowsAnyAsync<JsonException>(() =>
            _handler.HandleAsync(new QueueDelivery(QueueNames.WorkflowEvents, "x", "{\"type\":\"teleport\"}", 1), CancellationToken.None));
    }
}
