using System.Security.Cryptography;
using System.Text;
using NodaTime;
using SupportHub.Policy;
using SupportHub.Storage;
using SupportHub.Workflows;

namespace SupportHub.Notifications;

/// <summary>
/// At most <c>perHour</c> automatic replies (acknowledgements) to one address in any hour, so a
/// sender the automatic-mail rules did not recognise (an auto-responder without its headers, a
/// forwarding loop) cannot make the hub write to it without end. Counted where notifications are
/// sent, in table <see cref="Table"/>: one row per address with the ids and instants of the replies
/// sent to it in the last hour, written with its ETag. Staff are never limited: the replies they get
/// (to an SMS acknowledgement) are answers to them, not automatic mail to a customer.
/// </summary>
public sealed class AutoReplyLimit(IEntityStore store, SupportPolicy policy, int perHour)
{
    public const string Table = "autoreplies";

    public static Duration Window { get; } = Duration.FromHours(1);

    private const int MaxAttempts = 8;

    /// <summary>
    /// Counts <paramref name="notification"/> against its address when it is an automatic reply, and says
    /// whether it may go: null to send it (also for one counted before: a redelivery), or why it is
    /// withheld (the ticket records it: <c>WithholdNotification</c>).
    /// </summary>
    public async Task<string?> CheckAsync(Notification notification, Instant now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (notification.Purpose != NotificationPurpose.Acknowledgement || policy.People.ContainsKey(notification.To.To)
            || Address(notification) is not { } address)
        {
            return null;
        }
        var key = new EntityKey("addr-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(address)))[..40], "i");
        for (var attempt = 1; ; attempt++)
        {
            var row = await store.GetAsync(Table, key, cancellationToken);
            var recent = (row is null ? [] : WorkflowJson.Deserialize<SentReplies>(row.Payload).Sent)
                .Where(s => now - s.At < Window)
                .ToList();
            if (recent.Any(s => s.Id == notification.Id))
            {
                return null;
            }
            if (recent.Count >= perHour)
            {
                return $"{recent.Count} automatic replies to {address} in the last hour (limit {perHour})";
            }
            recent.Add(new SentReply(notification.Id, now));
            var payload = WorkflowJson.Serialize(new SentReplies(recent));
            try
            {
                _ = row is null
                    ? await store.CreateAsync(Table, key, payload, cancellationToken)
                    : await store.UpdateAsync(Table, key, payload, row.ETag, cancellationToken);
                return null;
            }
            catch (EntityConflictException) when (attempt < MaxAttempts)
            {
                // Another reply to the same address was counted meanwhile: count again on its row.
            }
        }
    }

    private static string? Address(Notification notification) => (notification.Via switch
    {
        Channel.Email => notification.To.Email,
        Channel.Sms => notification.To.Phone,
        _ => null,
    })?.Trim().ToLowerInvariant();

    private sealed record SentReplies(IReadOnlyList<SentReply> Sent);

    private sealed record SentReply(string Id, Instant At);
}
