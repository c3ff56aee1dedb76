using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using NodaTime;
using NodaTime.Text;
using SupportHub.Storage;
using SupportHub.Tickets;
using SupportHub.Workflows;

namespace SupportHub.Intake;

/// <summary>
/// Intake's index (table <see cref="TicketIntake.IndexTable"/>): one row per key a later message may be
/// recognised by — the source message (its decision), an email's Message-ID, a chat conversation, a
/// caller's number with the time of the call — each naming its ticket. Rows are keyed by a hash of
/// the value: source ids may hold characters Table Storage keys refuse.
/// </summary>
public sealed class IntakeIndex
{
    public IntakeIndex(InboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Source = Key("source", $"{message.Channel}:{message.SourceId}");
        Replies = [.. (message.InReplyTo ?? []).Select(id => Key("msgid", NormaliseMessageId(id)))];
        Conversation = message.ConversationId is { } conversation ? Key("conv", conversation) : null;
        Caller = message.Channel == IntakeChannel.Phone && message.From.Phone is { } caller ? Key("caller", caller) : null;
        OwnMessageId = message.Channel == IntakeChannel.Email ? Key("msgid", NormaliseMessageId(message.SourceId)) : null;
        _receivedAt = message.ReceivedAt;
    }

    private readonly Instant _receivedAt;

    /// <summary>The decision row of the source message.</summary>
    public EntityKey Source { get; }

    /// <summary>The In-Reply-To/References Message-IDs, in order.</summary>
    public IReadOnlyList<EntityKey> Replies { get; }

    public EntityKey? Conversation { get; }

    public EntityKey? Caller { get; }

    /// <summary>An email's own Message-ID, so replies to it thread.</summary>
    public EntityKey? OwnMessageId { get; }

    /// <summary>The rows threading may look at, in the order it looks.</summary>
    public IReadOnlyList<EntityKey> Lookups =>
        [.. Replies, .. Conversation is { } c ? [c] : Array.Empty<EntityKey>(), .. Caller is { } k ? [k] : Array.Empty<EntityKey>()];

    /// <summary>The rows this message writes once it belongs to <paramref name="ticket"/>.</summary>
    public IReadOnlyList<EntityChange> Rows(string ticket)
    {
        var changes = new List<EntityChange>(3);
        if (OwnMessageId is { } own)
        {
            changes.Add(EntityChange.Set(own, TicketRow(ticket)));
        }
        if (Conversation is { } conversation)
        {
            changes.Add(EntityChange.Set(conversation, TicketRow(ticket)));
        }
        if (Caller is { } caller)
        {
            changes.Add(EntityChange.Set(caller, new JsonObject { ["ticket"] = ticket, ["at"] = InstantPattern.ExtendedIso.Format(_receivedAt) }.ToJsonString()));
        }
        return changes;
    }

    /// <summary>The key of a Message-ID the hub itself sent, so replies to it thread.</summary>
    public static EntityKey MessageIdKey(string messageId) => Key("msgid", NormaliseMessageId(messageId));

    /// <summary>A row naming <paramref name="ticket"/>: <c>{"ticket":"…"}</c>.</summary>
    public static string TicketRow(string ticket) => new JsonObject { ["ticket"] = ticket }.ToJsonString();

    /// <summary>The ticket a row names; null for no row.</summary>
    public static string? TicketOf(StoredEntity? row) =>
        row is null ? null : (string?)JsonNode.Parse(row.Payload)!["ticket"];

    /// <summary>A caller row's ticket and the time of that call.</summary>
    public static (string Ticket, Instant At) CallOf(StoredEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var node = JsonNode.Parse(row.Payload)!;
        return ((string)node["ticket"]!, InstantPattern.ExtendedIso.Parse((string)node["at"]!).Value);
    }

    /// <summary><c>{kind}-</c> and the first 40 hex digits of the SHA-256 of the value's UTF-8; RowKey <c>i</c>.</summary>
    private static EntityKey Key(string kind, string value) =>
        new($"{kind}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..40]}", "i");

    private static string NormaliseMessageId(string messageId) => messageId.Trim().Trim('<', '>').ToLowerInvariant();
}

/// <summary>A source message's decision row: <c>{"ticket","opened","command"}</c>, the command as the workflow reads it.</summary>
public static class IntakeDecision
{
    public static string Write(IntakeOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return new JsonObject
        {
            ["ticket"] = outcome.Ticket,
            ["opened"] = outcome.Opened,
            ["command"] = JsonNode.Parse(WorkflowJson.Serialize(outcome.Command)),
        }.ToJsonString();
    }

    /// <summary>The outcome a decision row records, as a duplicate.</summary>
    public static IntakeOutcome Read(string payload)
    {
        var node = JsonNode.Parse(payload)!;
        var command = node["command"] ?? throw new InvalidDataException($"An intake decision row without its command: {payload}");
        return new IntakeOutcome((string)node["ticket"]!, true, (bool)node["opened"]!, WorkflowJson.Deserialize<Tickets.TicketCommand>(command.ToJsonString()));
    }
}
