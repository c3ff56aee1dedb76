using Microsoft.ApplicationInsights;
using Microsoft.ApplicationInsights.Channel;
using Microsoft.ApplicationInsights.DataContracts;
using Microsoft.ApplicationInsights.Extensibility;
using NodaTime;
using SupportHub.Functions.Hosting;
using SupportHub.Functions.Telemetry;
using SupportHub.Functions.Tests.Hosting;
using SupportHub.Sla;
using SupportHub.Testing;
using SupportHub.Tickets;

namespace SupportHub.Functions.Tests.Telemetry;

// The decisions come from the real decider on the fixture policy (Saturday 02:00 Chicago: after
// hours, alice primary on call); the telemetry goes to an in-memory channel, never a network.
public sealed class DecisionTelemetryTests
{
    private static readonly TicketContext Context = new(PolicyFile.Load(HubFactory.Fixture("policy.json")));
    private static readonly Instant Now = FakeClock.Epoch;

    [Fact]
    public void Events_EmergencyOpened_OnePageSentNamingWhoAndHow()
    {
        var open = Open("1001", severity: 1);

        var item = Assert.Single(DecisionTelemetry.Events(open));

        Assert.Equal(DecisionTelemetry.PageSent, item.Name);
        Assert.Equal("1001", item.Properties["ticket"]);
        Assert.Equal(("page", "1", "1"), (item.Properties["chain"], item.Properties["step"], item.Properties["round"]));
        Assert.Equal("alice", item.Properties["paged"]);
        Assert.Equal("teams,sms", item.Properties["via"]);
        Assert.Equal(("1", "standard", "acme"), (item.Properties["severity"], item.Properties["tier"], item.Properties["account"]));
        Assert.Equal(Now.ToDateTimeOffset(), item.Timestamp);
    }

    [Fact]
    public void Events_ResponseBreached_OneSlaBreachedEventAndNoneOnTheRepeat()
    {
        var open = Open("1001", severity: 1);
        var due = open.State!.Sla[SlaTarget.Response]!.Due;
        var check = new SlaCheckpointReached("t-1", "1001", SlaTarget.Response, true, due);

        var breach = TicketWorkflow.Decide(check, open.State, due, Context);
        var repeat = TicketWorkflow.Decide(check, breach.State, due, Context);

        var item = Assert.Single(DecisionTelemetry.Events(breach), e => e.Name == DecisionTelemetry.SlaBreach);
        Assert.Equal("response", item.Properties["target"]);
        Assert.Empty(DecisionTelemetry.Events(repeat));
    }

    [Theory]
    // Dana approves or declines; nobody answers within the 2h window.
    [InlineData(true, "approved")]
    [InlineData(false, "declined")]
    [InlineData(null, "expired")]
    public void Events_BillingAnswered_OneBillingApprovalWithItsOutcome(bool? approve, string outcome)
    {
        var open = Open("1003", severity: 3);
        Assert.Empty(DecisionTelemetry.Events(open));
        TicketCommand answer = approve is { } yes
            ? new AnswerApproval("a-1", "1003", yes, "dana@acme.gov")
            : new ApprovalWindowElapsed("t-1", "1003");
        var at = approve is null ? open.State!.Billing!.Deadline : Now + Duration.FromMinutes(5);

        var answered = TicketWorkflow.Decide(answer, open.State, at, Context);

        var item = Assert.Single(DecisionTelemetry.Events(answered), e => e.Name == DecisionTelemetry.BillingApproval);
        Assert.Equal(outcome, item.Properties["outcome"]);
        if (approve is not null)
        {
            Assert.Equal("dana@acme.gov", item.Properties["by"]);
        }
    }

    [Fact]
    public void Track_WithAClient_SendsTheEventsToItsChannel()
    {
        var channel = new RecordingChannel();
        using var configuration = new TelemetryConfiguration { TelemetryChannel = channel, ConnectionString = "InstrumentationKey=00000000-0000-0000-0000-000000000000" };
        var telemetry = new DecisionTelemetry(new TelemetryClient(configuration));

        telemetry.Track(Open("1001", severity: 1));
        telemetry.Track(Open("1002", severity: 4));

        var sent = Assert.Single(channel.Items.OfType<EventTelemetry>());
        Assert.Equal((DecisionTelemetry.PageSent, "1001"), (sent.Name, sent.Properties["ticket"]));
    }

    [Fact]
    public void Track_WithoutAClient_DoesNothing()
    {
        var exception = Record.Exception(() => new DecisionTelemetry(null).Track(Open("1001", severity: 1)));

        Assert.Null(exception);
    }

    private static TicketDecision Open(string ticket, int severity)
    {
        var facts = new TicketFacts(ticket, "acme", "standard", severity, IntakeChannel.Phone,
            new Requester("Dana Ortiz", "dana@acme.gov", "+13125550101"), Now, "Payment page is down");
        return TicketWorkflow.Decide(new OpenTicket($"src:phone:{ticket}", ticket, facts), null, Now, Context);
    }

    private sealed class RecordingChannel : ITelemetryChannel
    {
        public List<ITelemetry> Items { get; } = [];

        public bool? DeveloperMode { get; set; }

        public string? EndpointAddress { get; set; }

        public void Send(ITelemetry item) => Items.Add(item);

        public void Flush()
        {
        }

        public void Dispose()
        {
        }
    }
}
