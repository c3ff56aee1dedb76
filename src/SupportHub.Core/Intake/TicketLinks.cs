using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using NodaTime;
using NodaTime.Text;
using SupportHub.Storage;
using SupportHub.Tickets;
using SupportHub.Workflows;

namespace SupportHub.Intake;

/// <summary>A link between two tickets, as kept on each of them.</summary>
/// <param name="Ticket">The other ticket.</param>
/// <param name="Reason">Why they were linked, in words a person can check.</param>
public sealed record TicketLink(string Ticket, string Reason, Instant LinkedAt);

/// <summary>
/// Cross-channel links. A customer in trouble often calls and emails about the same incident; when a
/// phone call and an email from the same account open tickets within <c>window</c> of each other,
/// the two tickets are linked so whoever works one sees the other. The heuristic is deliberately
/// plain and says so: same account, one phone ticket and one email ticket, opened within the
/// window; nothing reads the words. It can be wrong (two people of one account with two problems),
/// so a link only informs, never merges, and <see cref="SplitAsync"/> undoes it for good.
/// <para>Storage: rows <c>link:{other}</c> in each ticket's partition of <c>tickets</c>; a split
/// leaves rows <c>split:{other}</c> so a redelivered message does not link the pair again; the
/// latest ticket each account opened per channel is indexed in <c>ticketindex</c>.</para>
/// </summary>
public sealed class TicketLinks(IEntityStore store)
{
    public const string LinkPrefix = "link:";
    public const string SplitPrefix = "split:";

    private static readonly InstantPattern Iso = InstantPattern.ExtendedIso;

    /// <summary>Indexes a new ticket and links it to the account's latest ticket from the other channel when it is close enough.</summary>
    /// <returns>The ticket linked to, or null.</returns>
    public async Task<string?> LinkNewTicketAsync(TicketFacts facts, Duration window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (facts.AccountId is not { } account || facts.Channel is not (IntakeChannel.Email or IntakeChannel.Phone))
        {
            return null;
        }
        await store.SetAsync(TicketIntake.IndexTable, RecentKey(account, facts.Channel),
            new JsonObject { ["ticket"] = facts.Ref, ["at"] = Iso.Format(facts.Received) }.ToJsonString(), cancellationToken);

        var other = facts.Channel == IntakeChannel.Email ? IntakeChannel.Phone : IntakeChannel.Email;
        if (await store.GetAsync(TicketIntake.IndexTable, RecentKey(account, other), cancellationToken) is not { } row)
        {
            return null;
        }
        var node = JsonNode.Parse(row.Payload)!;
        var otherTicket = (string)node["ticket"]!;
        var apart = facts.Received - Iso.Parse((string)node["at"]!).Value;
        if (otherTicket == facts.Ref || Duration.Max(apart, -apart) > window
            || await store.GetAsync(TicketWorkflowRunner.Table, new EntityKey(facts.Ref, SplitPrefix + otherTicket), cancellationToken) is not null)
        {
            return null;
        }
        var minutes = (int)Math.Round(Duration.Max(apart, -apart).TotalMinutes);
        var reason = $"a phone call and an email from account {account} {minutes} min apart "
            + $"(within the {(int)window.TotalMinutes} min cross-channel window); may be the same incident";
        await WriteAsync(facts.Ref, new TicketLink(otherTicket, reason, facts.Received), cancellationToken);
        await WriteAsync(otherTicket, new TicketLink(facts.Ref, reason, facts.Received), cancellationToken);
        return otherTicket;
    }

    /// <summary>The ticket's links.</summary>
    public async Task<IReadOnlyList<TicketLink>> ListAsync(string ticket, CancellationToken cancellationToken)
    {
        var page = await store.QueryAsync(TicketWorkflowRunner.Table, ticket, RowKeyRange.Prefix(LinkPrefix), EntityStoreLimits.MaxPageSize, null, cancellationToken);
        var links = page.Entities.Select(e => WorkflowJson.Deserialize<TicketLink>(e.Payload)).ToList();
        return links;
    }

    /// <summary>
    /// Removes the links of <paramref name="ticket"/> (only the one to <paramref name="other"/> when
    /// given) from both tickets, and remembers the split so the pair is not linked again.
    /// </summary>
    /// <returns>The tickets it is no longer linked to.</returns>
    public async Task<IReadOnlyList<string>> SplitAsync(string ticket, string? other, Instant at, CancellationToken cancellationToken)
    {
        var split = new List<string>();
        foreach (var link in await ListAsync(ticket, cancellationToken))
        {
            if (other is not null && link.Ticket != other)
            {
                continue;
            }
            var marker = new JsonObject { ["at"] = Iso.Format(at), ["reason"] = link.Reason }.ToJsonString();
            // Markers first: if the split stops half-way, a retry finds the link still there and finishes.
            await store.SetAsync(TicketWorkflowRunner.Table, new EntityKey(ticket, SplitPrefix + link.Ticket), marker, cancellationToken);
            await store.SetAsync(TicketWorkflowRunner.Table, new EntityKey(link.Ticket, SplitPrefix + ticket), marker, cancellationToken);
            await store.DeleteAsync(TicketWorkflowRunner.Table, new EntityKey(link.Ticket, LinkPrefix + ticket), null, cancellationToken);
            await store.DeleteAsync(TicketWorkflowRunner.Table, new EntityKey(ticket, LinkPrefix + link.Ticket), null, cancellationToken);
            split.Add(link.Ticket);
        }
        return split;
    }

    private Task WriteAsync(string ticket, TicketLink link, CancellationToken cancellationToken) =>
        store.SetAsync(TicketWorkflowRunner.Table, new EntityKey(ticket, LinkPrefix + link.Ticket), WorkflowJson.Serialize(link), cancellationToken);

    private static EntityKey RecentKey(string account, IntakeChannel channel) =>
        new($"recent-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{channel}:{account}")))[..40]}", "i");
}
