using NodaTime;
using SupportHub.Tickets;
using SupportHub.Workflows;

namespace SupportHub.Functions.Metrics;

/// <summary>
/// Reads whole ticket states for the metrics and the board. Cost: one scan of the
/// <see cref="TicketList"/> partition (one small row per ticket), then one point read of the
/// <c>tickets</c> table per ticket the filter keeps, one after another. At the embedded hub's scale
/// (thousands of tickets in 30 days, SQLite on local disk) that is milliseconds; on Table Storage it
/// is one request per ticket, which a dashboard polling every few seconds should not multiply by many
/// viewers (a materialised metrics row updated by the runner would be the next step there).
/// </summary>
public sealed class TicketStates(TicketList list, TicketWorkflowRunner runner)
{
    /// <summary>The states of the tickets received in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public Task<IReadOnlyList<TicketState>> ReceivedAsync(Instant from, Instant to, CancellationToken cancellationToken) =>
        ReadAsync(e => e.Received >= from && e.Received < to, cancellationToken);

    /// <summary>The states of the tickets not Solved or Closed, by the list's status.</summary>
    public Task<IReadOnlyList<TicketState>> OpenAsync(CancellationToken cancellationToken) =>
        ReadAsync(e => e.Status is not (TicketStatus.Solved or TicketStatus.Closed), cancellationToken);

    private async Task<IReadOnlyList<TicketState>> ReadAsync(Func<TicketListEntry, bool> include, CancellationToken cancellationToken)
    {
        var entries = await list.QueryAsync(include, cancellationToken);
        var states = new List<TicketState>(entries.Count);
        foreach (var entry in entries)
        {
            // The list entry is written after the state, so the state exists; a ticket deleted in
            // between (there is no such operation today) would simply be left out.
            if (await runner.LoadAsync(entry.Ticket, cancellationToken) is { } state)
            {
                states.Add(state);
            }
        }

        return states;
    }
}
