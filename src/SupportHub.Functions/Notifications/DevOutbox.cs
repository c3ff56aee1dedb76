using System.Text.Json;
using NodaTime;
using SupportHub.Notifications;
using SupportHub.Storage;
using SupportHub.Tickets;
using SupportHub.Workflows;

namespace SupportHub.Functions.Notifications;

// The embedded hub sends nothing: each notification is kept, once per notification id, in table
// `devoutbox` with what a person would have received (rendered text, signed links), and shown at
// /dev/outbox. Its subject and name are kept as a sender puts them in headers (HeaderText: one line,
// no control characters), its text as it is. One partition, keyed by notification id: a redelivered
// notification hits AlreadyExists and is not stored twice; the page sorts by the time each row was stored.

/// <summary>One stored notification, as the dev outbox page and its JSON show it.</summary>
public sealed record DevOutboxEntry(
    string Id,
    Instant StoredAt,
    string Ticket,
    string Purpose,
    string To,
    string ToName,
    string Via,
    string? Address,
    string Subject,
    string Text,
    string? MessageId,
    IReadOnlyList<DevOutboxLink> Links);

public sealed record DevOutboxLink(string Action, string Label, string Url, Instant Expires);

/// <summary>The embedded <see cref="INotificationChannel"/>: keeps notifications for a developer to read.</summary>
public sealed class DevOutbox(IEntityStore store, IClock clock) : INotificationChannel
{
    public const string Table = "devoutbox";
    public const string Partition = "notifications";

    public async Task SendAsync(RenderedNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var n = notification.Notification;
        var entry = new DevOutboxEntry(
            n.Id,
            clock.GetCurrentInstant(),
            n.Ticket,
            n.Purpose.Name(),
            n.To.To,
            HeaderText.Clean(n.To.Name, HeaderText.NameLength),
            n.Via.Name(),
            n.Via switch
            {
                Policy.Channel.Email => n.To.Email,
                Policy.Channel.Sms => n.To.Phone,
                _ => n.To.TeamsUserId,
            },
            HeaderText.Clean(n.Subject),
            notification.Text,
            notification.MessageId,
            [.. notification.Links.Select(l => new DevOutboxLink(Links.LinkSigner.ActionName(l.Action), l.Label, l.Url, l.Expires))]);
        try
        {
            await store.CreateAsync(Table, new EntityKey(Partition, n.Id), WorkflowJson.Serialize(entry), cancellationToken);
        }
        catch (EntityConflictException e) when (e.Kind == EntityConflictKind.AlreadyExists)
        {
            // Sent before (a redelivery): the first copy stands.
        }
    }

    /// <summary>Every stored notification, newest first.</summary>
    public async Task<IReadOnlyList<DevOutboxEntry>> ListAsync(CancellationToken cancellationToken)
    {
        var entries = new List<DevOutboxEntry>();
        string? continuation = null;
        do
        {
            var page = await store.QueryAsync(Table, Partition, RowKeyRange.All, EntityStoreLimits.MaxPageSize, continuation, cancellationToken);
            entries.AddRange(page.Entities.Select(row => WorkflowJson.Deserialize<DevOutboxEntry>(row.Payload)));
            continuation = page.Continuation;
        }
        while (continuation is not null);
        return [.. entries.OrderByDescending(e => e.StoredAt).ThenByDescending(e => e.Id, StringComparer.Ordinal)];
    }
}
