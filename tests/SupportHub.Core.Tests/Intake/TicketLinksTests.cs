using NodaTime;
using SupportHub.Intake;
using SupportHub.Tickets;
using SupportHub.Storage.InMemory;

namespace SupportHub.Core.Tests.Intake;

public sealed class TicketLinksTests
{
    private static readonly Instant At = Instant.FromUtc(2026, 11, 21, 8, 0);
    private static readonly Duration Window = Duration.FromMinutes(30);
    private readonly InMemoryEntityStore _store = new();

    [Fact]
    public async Task Link_PhoneThenEmailSameAccountInWindow_LinksBothWithAReason()
    {
        var links = new TicketLinks(_store);
        await links.LinkNewTicketAsync(Facts("1001", "acme", IntakeChannel.Phone, At), Window, CancellationToken.None);

        var linked = await links.LinkNewTicketAsync(Facts("1002", "acme", IntakeChannel.Email, At + Duration.FromMinutes(12)), Window, CancellationToken.None);

        Assert.Equal("1001", linked);
        var link = Assert.Single(await links.ListAsync("1001", CancellationToken.None));
        Assert.Equal("1002", link.Ticket);
        Assert.Contains("12 min apart", link.Reason, StringComparison.Ordinal);
        Assert.Equal("1001", Assert.Single(await links.ListAsync("1002", CancellationToken.None)).Ticket);
    }

    [Theory]
    // Too far apart.
    [InlineData("acme", IntakeChannel.Email, 31)]
    // Another account.
    [InlineData("riverton", IntakeChannel.Email, 5)]
    // Same channel: two calls are the caller window's business, not a cross-channel link.
    [InlineData("acme", IntakeChannel.Phone, 5)]
    public async Task Link_NotTheSameIncident_LinksNothing(string account, IntakeChannel channel, int minutes)
    {
        var links = new TicketLinks(_store);
        await links.LinkNewTicketAsync(Facts("1001", "acme", IntakeChannel.Phone, At), Window, CancellationToken.None);

        Assert.Null(await links.LinkNewTicketAsync(Facts("1002", account, channel, At + Duration.FromMinutes(minutes)), Window, CancellationToken.None));
        Assert.Empty(await links.ListAsync("1001", CancellationToken.None));
    }

    [Fact]
    public async Task Split_RemovesBothSidesAndARedeliveryDoesNotLinkAgain()
    {
        var links = new TicketLinks(_store);
        var email = Facts("1002", "acme", IntakeChannel.Email, At + Duration.FromMinutes(5));
        await links.LinkNewTicketAsync(Facts("1001", "acme", IntakeChannel.Phone, At), Window, CancellationToken.None);
        await links.LinkNewTicketAsync(email, Window, CancellationToken.None);

        var split = await links.SplitAsync("1002", null, At + Duration.FromHours(1), CancellationToken.None);
        var relinked = await links.LinkNewTicketAsync(email, Window, CancellationToken.None);

        Assert.Equal(["1001"], split);
        Assert.Null(relinked);
        Assert.Empty(await links.ListAsync("1001", CancellationToken.None));
        Assert.Empty(await links.ListAsync("1002", CancellationToken.None));
    }

    private static TicketFacts Facts(string reference, string account, IntakeChannel channel, Instant received) =>
        new(reference, account, "standard", 3, channel, new Requester(null, "dana@acme.gov", null), received, "x");
}
