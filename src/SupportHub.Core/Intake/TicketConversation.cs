using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NodaTime;
using NodaTime.Text;
using SupportHub.Storage;
using SupportHub.Tickets;
using SupportHub.Workflows;

namespace SupportHub.Intake;

/// <summary>One message of a ticket's conversation, as the customer (or staff, by email) sent it.</summary>
/// <param name="Text">What the sender wrote in this message (an email without its quotes and signature).</param>
/// <param name="Details">Channel details worth keeping: the recipient and SPF/DKIM verdicts of an email,
/// the IVR selection and recording URL, the sender's own timestamp; for a delivery report
/// <c>kind=delivery-failure</c> with the failed recipient, its status and the server's diagnostic.</param>
public sealed record ConversationMessage(
    string Ticket,
    IntakeChannel Channel,
    string SourceId,
    Instant ReceivedAt,
    Requester From,
    string Subject,
    string Text,
    IReadOnlyList<AttachmentInfo> Attachments,
    IReadOnlyDictionary<string, string> Details)
{
    /// <summary>The whole text as sent, beside the trimmed <see cref="Text"/> (CONTRACT.md's <c>fullText</c>);
    /// null when the text is all there was.</summary>
    public string? FullText { get; init; }

    public static ConversationMessage Of(string ticket, ChannelMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var m = message.Message;
        return new ConversationMessage(ticket, m.Channel, m.SourceId, m.ReceivedAt, m.From, m.Subject, m.Text, message.Attachments, message.Details)
        {
            FullText = message.FullText,
        };
    }
}

/// <summary>
/// What intake puts on <c>tickets-inbound</c> (MessageId: the source message, <see cref="QueueMessageIds.ForSource"/>):
/// the command ticket intake decided and the message itself. Sent again on every redelivery of the
/// source message, with the same id and the same command, so a repeat changes nothing.
/// </summary>
public sealed record TicketsInboundMessage(TicketCommand Command, ConversationMessage Message)
{
    /// <summary>The message for <paramref name="decided"/>, as <see cref="WorkflowJson"/> writes it.</summary>
    public static string Serialize(IntakeOutcome decided, ConversationMessage message)
    {
        ArgumentNullException.ThrowIfNull(decided);
        ArgumentNullException.ThrowIfNull(message);
        return WorkflowJson.Serialize(new TicketsInboundMessage(decided.Command, message));
    }
}

/// <summary>
/// A ticket's conversation: rows <c>message:{received}:{source}</c> in the ticket's partition of
/// table <c>tickets</c>, beside the workflow's state, outbox and history rows, in the order received.
/// The key comes from the message, so appending the same message twice writes one row.
/// </summary>
public sealed class TicketConversation(IEntityStore store)
{
    public const string MessagePrefix = "message:";

    public async Task AppendAsync(ConversationMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        try
        {
            await store.CreateAsync(TicketWorkflowRunner.Table, Key(message), WorkflowJson.Serialize(message), cancellationToken);
        }
        catch (EntityConflictException)
        {
            // Appended by an earlier delivery of the same message.
        }
    }

    /// <summary>The ticket's messages, oldest first.</summary>
    public async Task<IReadOnlyList<ConversationMessage>> ListAsync(string ticket, CancellationToken cancellationToken)
    {
        var messages = new List<ConversationMessage>();
        string? continuation = null;
        do
        {
            var page = await store.QueryAsync(TicketWorkflowRunner.Table, ticket, RowKeyRange.Prefix(MessagePrefix),
                EntityStoreLimits.MaxPageSize, continuation, cancellationToken);
            messages.AddRange(page.Entities.Select(e => WorkflowJson.Deserialize<ConversationMessage>(e.Payload)));
            continuation = page.Continuation;
        }
        while (continuation is not null);
        return messages;
    }

    private static EntityKey Key(ConversationMessage message)
    {
        var at = InstantPattern.CreateWithInvariantCulture("uuuuMMdd'T'HHmmss.fff'Z'").Format(message.ReceivedAt);
        var source = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{message.Channel}:{message.SourceId}")))[..16];
        return new EntityKey(message.Ticket, string.Create(CultureInfo.InvariantCulture, $"{MessagePrefix}{at}:{source}"));
    }
}

/// <summary>Queue MessageIds (Service Bus: at most 128 characters) derived from what a message is about.</summary>
public static class QueueMessageIds
{
    /// <summary><c>{channel}:{source id}</c>, e.g. <c>email:CAF…@mail.gmail.com</c>; hashed when too long.</summary>
    public static string ForSource(IntakeChannel channel, string sourceId) =>
        Fit($"{channel.ToString().ToLowerInvariant()}:{sourceId}");

    /// <summary>The id itself when it fits and is printable ASCII; otherwise a hash of it.</summary>
    public static string Fit(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return id.Length <= 128 && id.All(c => c is > ' ' and < (char)0x7f)
            ? id
            : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)));
    }
}
