using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NodaTime;
using NodaTime.Text;
using SupportHub.Storage;

namespace SupportHub.Azure.Notifications;

// What makes the senders idempotent per notification id where the service has no idempotency key
// of its own (SendGrid, Graph's activity feed), and what keeps ACS's repeatability pair stable
// across retries: one row per (channel, notification id) in the entity store, holding when the
// first attempt started and whether a send completed. The order is: Begin (creates the row or
// reads it back) → send → Complete. A crash between a send and Complete sends once more on the
// redelivery: at least once, never silently lost; the window is one HTTP call wide.

/// <summary>The record of which notifications each channel has sent.</summary>
public sealed class SentNotifications(IEntityStore store, IClock clock)
{
    public const string Table = "sentnotifications";

    /// <summary>Starts (or resumes) the attempt to send <paramref name="notificationId"/> through
    /// <paramref name="channel"/>: whether it was already sent, and when it was first attempted.</summary>
    public async Task<SendAttempt> BeginAsync(string channel, string notificationId, CancellationToken cancellationToken)
    {
        var key = Key(channel, notificationId);
        var existing = await store.GetAsync(Table, key, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            var now = clock.GetCurrentInstant();
            try
            {
                await store.CreateAsync(Table, key, Payload(now, sent: false), cancellationToken).ConfigureAwait(false);
                return new SendAttempt(key, now, AlreadySent: false);
            }
            catch (EntityConflictException conflict) when (conflict.Kind == EntityConflictKind.AlreadyExists)
            {
                // A concurrent delivery of the same notification created it first: use its row.
                existing = await store.GetAsync(Table, key, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"Send record {key} vanished while being read.");
            }
        }

        using var json = JsonDocument.Parse(existing.Payload);
        var firstAttempt = InstantPattern.ExtendedIso.Parse(json.RootElement.GetProperty("firstAttempt").GetString()!).Value;
        return new SendAttempt(key, firstAttempt, json.RootElement.GetProperty("sent").GetBoolean());
    }

    /// <summary>Records that the send succeeded: later deliveries of the same notification send nothing.</summary>
    public Task CompleteAsync(SendAttempt attempt, CancellationToken cancellationToken) =>
        store.SetAsync(Table, attempt.Key, Payload(attempt.FirstAttempt, sent: true), cancellationToken);

    internal static EntityKey Key(string channel, string notificationId)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        ArgumentException.ThrowIfNullOrEmpty(notificationId);
        var key = new EntityKey(channel, notificationId);
        try
        {
            EntityStoreLimits.ValidateKey(key);
            return key;
        }
        catch (ArgumentException)
        {
            // An id Table Storage would refuse as a key ('/', '#', too long...): its hash is as unique.
            return new EntityKey(channel, "sha256-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(notificationId))));
        }
    }

    private static string Payload(Instant firstAttempt, bool sent) =>
        JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["firstAttempt"] = InstantPattern.ExtendedIso.Format(firstAttempt),
            ["sent"] = sent,
        });
}

/// <param name="FirstAttempt">When the first attempt to send began (ACS's repeatabilityFirstSent).</param>
public sealed record SendAttempt(EntityKey Key, Instant FirstAttempt, bool AlreadySent)
{
    public string FirstAttemptRfc1123 => FirstAttempt.ToDateTimeOffset().ToString("R", CultureInfo.InvariantCulture);
}
