using System.Globalization;
using NodaTime;
using SupportHub.Core.Tests.Tickets;
using SupportHub.Intake;
using SupportHub.Storage;
using SupportHub.Tickets;
using SupportHub.Storage.InMemory;

namespace SupportHub.Core.Tests.Intake;

// Ticket references are consecutive from 1001, kept in one counter row. These tests run the recorder
// that writes one thing after another (Azure's); the embedded recorder's own transaction is tested in
// SqliteIntakeRecorderTests.
public sealed class TicketReferenceTests
{
    private static readonly Instant At = Instant.FromUtc(2026, 11, 23, 15, 0);
    private readonly TicketHarness _harness = new();
    private readonly InMemoryEntityStore _store = new();

    [Fact]
    public void Take_NoCounterYet_HandsOutTheFirstReference()
    {
        Assert.Equal(("1001", """{"next":1002}"""), TicketReferences.Take(null));
        Assert.Equal(("1500", """{"next":1501}"""), TicketReferences.Take("""{"next":1500}"""));
    }

    [Fact]
    public async Task Accept_OneAfterAnother_ReferencesRunOnWithoutGaps()
    {
        var intake = new TicketIntake(_store, _harness.Policy);

        var references = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            references.Add((await intake.AcceptAsync(Chat(i), CancellationToken.None)).Ticket);
        }

        Assert.Equal(Enumerable.Range(TicketReferences.First, 200).Select(r => r.ToString(CultureInfo.InvariantCulture)), references);
        Assert.Equal("""{"next":1201}""", (await _store.GetAsync(TicketReferences.Table, TicketReferences.Key, CancellationToken.None))?.Payload);
    }

    [Fact]
    public async Task Accept_ManyAtOnce_EveryReferenceIsDistinctAndNoneIsSkipped()
    {
        var intake = new TicketIntake(_store, _harness.Policy);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 500).Select(i => Task.Run(() => intake.AcceptAsync(Chat(i), CancellationToken.None))));

        // Conflicting writes of the counter are retried: 500 tickets take exactly 1001–1500.
        Assert.Equal(Enumerable.Range(TicketReferences.First, 500), outcomes.Select(o => int.Parse(o.Ticket, CultureInfo.InvariantCulture)).Order());
    }

    [Fact]
    public async Task Accept_AReplyThatThreads_TakesNoReference()
    {
        var intake = new TicketIntake(_store, _harness.Policy);
        var first = await intake.AcceptAsync(Chat(0), CancellationToken.None);

        var reply = await intake.AcceptAsync(new InboundMessage(IntakeChannel.Chat, "reply", At, Ann, "", "More", ConversationId: "c-0"), CancellationToken.None);
        var next = await intake.AcceptAsync(Chat(1), CancellationToken.None);

        Assert.Equal((first.Ticket, false), (reply.Ticket, reply.Opened));
        Assert.Equal("1002", next.Ticket);
    }

    private static readonly Requester Ann = new("Ann", "ann@acme.gov", null);

    private static InboundMessage Chat(int i) => new(IntakeChannel.Chat, $"m{i}", At, Ann, "", "Problem", ConversationId: $"c-{i}");
}
