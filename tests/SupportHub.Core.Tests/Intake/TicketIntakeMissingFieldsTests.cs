using NodaTime;
using SupportHub.Core.Tests.Tickets;
using SupportHub.Intake;
using SupportHub.Notifications;
using SupportHub.Storage;
using SupportHub.Tickets;
using SupportHub.Workflows;
using SupportHub.Storage.InMemory;

namespace SupportHub.Core.Tests.Intake;

public sealed class TicketIntakeMissingFieldsTests
{
    private static readonly Instant At = Instant.FromUtc(2026, 11, 23, 15, 0);
    private readonly TicketHarness _harness = new();

    [Fact]
    public async Task Accept_NewRequestWithoutOsAndVersion_AcknowledgementAsksForThem()
    {
        var intake = new TicketIntake(new InMemoryEntityStore(), _harness.Policy);

        var outcome = await intake.AcceptAsync(Email("m1@acme.gov", "Export broken", "Product: Reports\nThe nightly export stopped producing files."), CancellationToken.None);

        var open = Assert.IsType<OpenTicket>(outcome.Command);
        Assert.Equal(["version", "os"], open.Facts.Missing);
        var decision = TicketWorkflow.Decide(open, null, At, _harness.Context);
        var ack = decision.Effects.OfType<SendNotification>().Select(e => e.Notification).Single(n => n.Purpose == NotificationPurpose.Acknowledgement);
        Assert.EndsWith("To help us work on it, please reply with its version and your operating system.", ack.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accept_CompleteRequest_AcknowledgementAsksForNothing()
    {
        var intake = new TicketIntake(new InMemoryEntityStore(), _harness.Policy);

        var outcome = await intake.AcceptAsync(Email("m2@acme.gov", "Reports 4.2.1 export broken",
            "Product: Reports\nOn Windows Server 2022 the nightly export stopped producing files."), CancellationToken.None);

        var open = Assert.IsType<OpenTicket>(outcome.Command);
        Assert.Null(open.Facts.Missing);
        var decision = TicketWorkflow.Decide(open, null, At, _harness.Context);
        Assert.DoesNotContain(decision.Effects.OfType<SendNotification>(), e => e.Notification.Text.Contains("please reply with", StringComparison.Ordinal));
    }

    private static InboundMessage Email(string id, string subject, string text) =>
        new(IntakeChannel.Email, id, At, new Requester("Dana", "dana@acme.gov", null), subject, text);
}
