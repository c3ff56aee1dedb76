using SupportHub.Functions.Hosting;
using SupportHub.Functions.Tests.Hosting;
using SupportHub.Storage;
using SupportHub.Testing;
using SupportHub.Tickets;
using SupportHub.Workflows;
using SupportHub.Storage.InMemory;

namespace SupportHub.Functions.Tests.Workflows;

public sealed class TicketListTests
{
    private readonly InMemoryEntityStore _store = new();
    private readonly TicketState _opened;

    public TicketListTests()
    {
        var facts = new TicketFacts("1001", "acme", "standard", 3, IntakeChannel.Email,
            new Requester("Dana Ortiz", "dana@acme.gov", null), FakeClock.Epoch, "Reports are slow");
        _opened = TicketWorkflow.Decide(new OpenTicket("o1", "1001", facts), null, FakeClock.Epoch,
            new TicketContext(PolicyFile.Load(HubFactory.Fixture("policy.json")))).State!;
    }

    [Fact]
    public async Task Update_FromAnOlderVersion_KeepsTheNewerEntry()
    {
        // A slow runner finishing after a faster one must not put the older status back.
        var list = new TicketList(_store);
        await list.UpdateAsync(_opened with { Status = TicketStatus.Solved, Version = 5 }, CancellationToken.None);

        await list.UpdateAsync(_opened with { Status = TicketStatus.Open, Version = 3 }, CancellationToken.None);

        var entry = Assert.Single(await list.QueryAsync(_ => true, CancellationToken.None));
        Assert.Equal((TicketStatus.Solved, 5), (entry.Status, entry.Version));
    }

    [Fact]
    public async Task Query_Filter_ReturnsOnlyMatchingEntries()
    {
        var list = new TicketList(_store);
        await list.UpdateAsync(_opened, CancellationToken.None);
        await list.UpdateAsync(_opened with { Facts = _opened.Facts with { Ref = "1002", AccountId = "globex" } }, CancellationToken.None);

        var acme = await list.QueryAsync(e => e.Account == "acme", CancellationToken.None);

        Assert.Equal(["1001"], acme.Select(e => e.Ticket));
    }
}
