using System.Text.Json.Nodes;
using NodaTime;
using SupportHub.Notifications;
using SupportHub.Storage;
using SupportHub.Tickets;

namespace SupportHub.Workflows;

/// <summary>
/// Runs the ticket workflow against the store and the queues: load the state and its ETag, decide,
/// save the new state with the effects to perform (the outbox) and the ticket's history in one
/// transaction, then perform the effects and delete their outbox rows.
/// <list type="bullet">
/// <item>A crash after the save and before dispatch loses nothing: the redelivered message is a
/// repeat (its id is in the state) and only dispatches the outbox rows still there.</item>
/// <item>An effect performed twice (a crash between a send and its row's delete, two dispatchers)
/// is sent with the same message id, so queue duplicate detection and the per-id senders drop it.</item>
/// <item>Two consumers racing on one ticket: the loser's save fails on the ETag, it reloads and
/// decides again on the winner's state.</item>
/// <item>After each message the ticket's <see cref="TicketList"/> entry is refreshed (also on a repeat,
/// so a crash before that write heals on redelivery); a decision that leaves the entry as it was
/// skips the write.</item>
/// <item>The state this runner saved is kept in memory under the ETag the save returned
/// (<see cref="SavedByETag{T}"/>); a load that finds the same ETag uses it instead of parsing the row
/// again. An ETag names one write, so the row cannot have changed under it.</item>
/// </list>
/// </summary>
/// <param name="keepHistory">Whether each decision's timeline lines are saved as a history row (the
/// audit trail <c>GET /api/tickets/{ref}</c> shows). The hub keeps them; <c>supporthub simulate</c>
/// prints the same lines as its timeline and never reads them back, so it does not.</param>
public sealed class TicketWorkflowRunner(IEntityStore store, IMessageSender sender, TicketContext context, bool keepHistory = true)
{
    /// <summary>The table holding every ticket's partition: its state row, outbox rows and history rows.</summary>
    public const string Table = "tickets";

    /// <summary>The audit log of billing approvals; only <see cref="RecordBillingApproval"/> writes it.</summary>
    public const string BillingTable = "billingapprovals";

    public const string StateRow = "state";
    public const string OutboxPrefix = "outbox:";
    public const string HistoryPrefix = "history:";

    private const int MaxAttempts = 8;

    private readonly TicketList list = new(store);
    private readonly SavedByETag<TicketState> saved = new();

    public TicketContext Context => context;

    public async Task<TicketDecision> HandleAsync(TicketCommand command, Instant now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        for (var attempt = 1; ; attempt++)
        {
            var row = await store.GetAsync(Table, new EntityKey(command.Ticket, StateRow), cancellationToken);
            var state = row is null ? null : saved.Find(command.Ticket, row.ETag) ?? WorkflowJson.Deserialize<TicketState>(row.Payload);
            var decision = TicketWorkflow.Decide(command, state, now, context);
            if (decision.State is null || ReferenceEquals(decision.State, state))
            {
                // A repeat, a stale timer or a rejection: nothing to save, but an earlier attempt may
                // have saved effects it never performed.
                await DispatchAsync(command.Ticket, cancellationToken);
                if (state is not null)
                {
                    await list.RefreshAsync(state, cancellationToken);
                }
                return decision;
            }
            var changes = Changes(command.Ticket, row, decision);
            IReadOnlyList<string?> etags;
            try
            {
                etags = await store.SubmitAsync(Table, changes, cancellationToken);
            }
            catch (EntityConflictException) when (attempt < MaxAttempts)
            {
                continue;
            }
            saved.Remember(command.Ticket, etags[0]!, decision.State);
            // Perform this decision's effects from memory, then drop their outbox rows. Rows an
            // earlier, crashed attempt left behind are performed when its message is redelivered:
            // that redelivery is a repeat, and a repeat dispatches the whole outbox.
            var first = changes.Count - decision.Effects.Count;
            for (var i = 0; i < decision.Effects.Count; i++)
            {
                await PerformAsync(decision.Effects[i], cancellationToken);
                await DeleteDoneAsync(changes[first + i].Key, etags[first + i]!, cancellationToken);
            }
            // The entry of the state before was written by the decision that made it (or heals when
            // its message is redelivered), so an unchanged entry needs no write.
            if (state is null || !TicketListEntry.From(state).Lists(decision.State))
            {
                await list.UpdateAsync(decision.State, cancellationToken);
            }
            return decision;
        }
    }

    /// <summary>The ticket's current state, or null when there is no such ticket.</summary>
    public async Task<TicketState?> LoadAsync(string ticket, CancellationToken cancellationToken) =>
        await store.GetAsync(Table, new EntityKey(ticket, StateRow), cancellationToken) is { } row
            ? WorkflowJson.Deserialize<TicketState>(row.Payload)
            : null;

    /// <summary>Performs every effect still in the ticket's outbox, oldest first, deleting each row once done.</summary>
    public async Task DispatchAsync(string ticket, CancellationToken cancellationToken)
    {
        string? continuation = null;
        do
        {
            var page = await store.QueryAsync(Table, ticket, RowKeyRange.Prefix(OutboxPrefix), 100, continuation, cancellationToken);
            foreach (var row in page.Entities)
            {
                await PerformAsync(WorkflowJson.Deserialize<Effect>(row.Payload), cancellationToken);
                await DeleteDoneAsync(row.Key, row.ETag, cancellationToken);
            }
            continuation = page.Continuation;
        }
        while (continuation is not null);
    }

    private async Task DeleteDoneAsync(EntityKey key, string etag, CancellationToken cancellationToken)
    {
        try
        {
            await store.DeleteAsync(Table, key, etag, cancellationToken);
        }
        catch (EntityConflictException)
        {
            // Another dispatcher performed and deleted it first; its sends carried the same ids.
        }
    }

    private async Task PerformAsync(Effect effect, CancellationToken cancellationToken)
    {
        switch (effect)
        {
            case SendNotification notify:
                await sender.SendAsync(QueueNames.NotificationsOutbound,
                    new OutgoingMessage(notify.Id, WorkflowJson.Serialize(notify.Notification))
                    {
                        // A page waits behind nothing: the on-call engineer hears of an emergency first.
                        Urgent = notify.Notification.Purpose == Notifications.NotificationPurpose.Page,
                    }, cancellationToken);
                break;
            case ScheduleTimer timer:
                await sender.SendAsync(QueueNames.WorkflowEvents,
                    new OutgoingMessage(timer.Id, WorkflowJson.Serialize(timer.Message), timer.Due), cancellationToken);
                break;
            case RecordBillingApproval record:
                try
                {
                    await store.CreateAsync(BillingTable, new EntityKey(record.Record.Account.Length == 0 ? "none" : record.Record.Account, record.Id),
                        WorkflowJson.Serialize(record.Record), cancellationToken);
                }
                catch (EntityConflictException)
                {
                    // Recorded by an earlier attempt: the audit row is written once.
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(effect), effect.GetType().Name, "Unknown effect.");
        }
    }

    private List<EntityChange> Changes(string ticket, StoredEntity? row, TicketDecision decision)
    {
        var state = WorkflowJson.Serialize(decision.State);
        var version = decision.State!.Version;
        var changes = new List<EntityChange>
        {
            row is null
                ? EntityChange.Create(new EntityKey(ticket, StateRow), state)
                : EntityChange.Update(new EntityKey(ticket, StateRow), state, row.ETag),
        };
        if (keepHistory && decision.Events.Count > 0)
        {
            // One history row per decision, keyed by the state's version so rows sort in order.
            var lines = new JsonArray([
                .. TicketTimeline.Describe(decision, decision.Events[0].At, ticket, context.Policy.Organization.TimeZone),
            ]);
            changes.Add(EntityChange.Set(
                new EntityKey(ticket, $"{HistoryPrefix}{version:D8}"), lines.ToJsonString()));
        }
        changes.AddRange(decision.Effects.Select((effect, i) =>
            EntityChange.Create(new EntityKey(ticket, $"{OutboxPrefix}{version:D8}:{i:D3}"), WorkflowJson.Serialize(effect))));
        return changes;
    }
}
