using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using NodaTime;
using SupportHub.Intake;
using SupportHub.Notifications;
using SupportHub.OnCall;
using SupportHub.Policy;
using SupportHub.Storage;
using SupportHub.Tickets;
using SupportHub.Workflows;

namespace SupportHub.Channels.Sms;

/// <summary>An SMS to the hub's number (ACS <c>Microsoft.Communication.SMSReceived</c>, via Event Grid).</summary>
public sealed record SmsReceived(string MessageId, string From, string To, string Message);

/// <summary>What an on-call engineer's SMS asks for.</summary>
public abstract record SmsCommand
{
    private SmsCommand()
    {
    }

    /// <summary><c>ACK 1001</c>, <c>ACKNOWLEDGE #1001</c>, or the ticket number alone: taking the page.</summary>
    public sealed record Ack(string Ticket) : SmsCommand;

    /// <summary><c>RESOLVE 1001</c> (also RESOLVED, SOLVE, SOLVED): the ticket is solved.</summary>
    public sealed record Resolve(string Ticket) : SmsCommand;

    /// <summary><c>HELP</c> or <c>?</c>.</summary>
    public sealed record Help : SmsCommand;

    public sealed record NotUnderstood(string Text) : SmsCommand;
}

/// <summary>What the hub did with one SMS, as kept in table <c>smsreplies</c> (row <c>received</c>).</summary>
/// <param name="ReceivedAt">When the hub first handled it.</param>
/// <param name="Person">The person whose phone sent it; null for a number that is no person's phone.</param>
/// <param name="Reply">The SMS sent back; null when none is.</param>
/// <param name="Unanswered">Why no reply was sent (an unknown number); null when one was.</param>
public sealed record SmsHandled(
    string MessageId,
    string From,
    string Message,
    Instant ReceivedAt,
    string? Person,
    Notification? Reply,
    string? Unanswered);

/// <summary>
/// Replies by SMS from the on-call engineers: the sender's number must be a person's phone in
/// <c>policy.people</c>; the command runs through the ticket workflow like any other acknowledgement
/// or status change, and the engineer gets a confirmation SMS saying what happened ("ACK 1001:
/// acknowledged", "unknown ticket 9999", the workflow's reason when it refuses). A bare ticket
/// number acknowledges: it is the shortest answer to a page, and acknowledging twice is harmless.
/// <para>
/// A text from any other number runs nothing and, by default, is not answered: every reply is a paid
/// SMS to a number anyone can type (or spoof), so answering strangers invites floods and SMS-pumping
/// fraud, and tells them the number belongs to an on-call desk. It is kept like every SMS (sender,
/// text, time) and the function logs it. With <c>channels.sms.replyToUnknown</c> the policy turns on
/// a short answer ("not on the on-call list", which helps an engineer texting from a new phone), at
/// most once per number per <see cref="UnknownReplyInterval"/>: the last answer's time is kept per
/// number (row <c>last-reply</c> of a partition named by the number's hash), written with its ETag so
/// two texts at once answer once.
/// </para>
/// Idempotent by the SMS's messageId: what was done is kept (table <c>smsreplies</c>) and a
/// redelivered event gets the same answer back, with the same notification id.
/// </summary>
public sealed partial class OnCallReplies(IEntityStore store, TicketWorkflowRunner runner, SupportPolicy policy)
{
    public const string Table = "smsreplies";

    public const string HelpText = "SupportHub: reply ACK <ticket> (or just the ticket number) to take a page, "
        + "RESOLVE <ticket> when it is solved, HELP for this message.";

    public const string UnknownNumberText = "SupportHub: unknown number. This phone is not on the on-call list.";

    /// <summary>With <c>replyToUnknown</c>, one number gets at most one answer in this time.</summary>
    public static readonly Duration UnknownReplyInterval = Duration.FromHours(1);

    private const string ReceivedRow = "received";
    private const string LastReplyRow = "last-reply";

    [GeneratedRegex(@"^(?:(?<verb>ACK|ACKNOWLEDGE|ACKNOWLEDGED|RESOLVE|RESOLVED|SOLVE|SOLVED)\s*)?#?\s*(?<ticket>\d{1,9})$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Command();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Spaces();

    public static SmsCommand Parse(string? text)
    {
        var clean = Spaces().Replace((text ?? "").Trim(), " ").TrimEnd('.', '!');
        if (clean.Equals("HELP", StringComparison.OrdinalIgnoreCase) || clean == "?")
        {
            return new SmsCommand.Help();
        }
        var match = Command().Match(clean);
        if (!match.Success)
        {
            return new SmsCommand.NotUnderstood(clean);
        }
        var ticket = int.Parse(match.Groups["ticket"].Value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        var verb = match.Groups["verb"].Value.ToUpperInvariant();
        return verb.Contains("SOLVE", StringComparison.Ordinal) ? new SmsCommand.Resolve(ticket) : new SmsCommand.Ack(ticket);
    }

    /// <summary>Where the record of the SMS <paramref name="messageId"/> is kept in <see cref="Table"/>.</summary>
    public static EntityKey RecordKey(string messageId) => new(Hashed("sms-", messageId), ReceivedRow);

    /// <summary>Carries out the SMS (once) and says what was done, with the reply to send if any.</summary>
    public async Task<SmsHandled> HandleAsync(SmsReceived sms, Instant now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sms);
        var key = RecordKey(sms.MessageId);
        if (await store.GetAsync(Table, key, cancellationToken) is { } answered)
        {
            return WorkflowJson.Deserialize<SmsHandled>(answered.Payload);
        }

        var person = policy.People.Values.FirstOrDefault(p => p.Phone is not null && p.Phone == sms.From);
        var replyId = QueueMessageIds.Fit($"sms-reply:{sms.MessageId}");
        SmsHandled handled;
        if (person is null)
        {
            var unanswered = !(policy.Channels?.Sms ?? SmsPolicy.Default).ReplyToUnknown
                ? "channels.sms.replyToUnknown is off"
                : !await ClaimUnknownReplyAsync(sms.From, now, cancellationToken)
                    ? "this number was answered less than an hour ago"
                    : null;
            var reply = unanswered is null
                ? new Notification(replyId, "", NotificationPurpose.Acknowledgement, new Recipient(sms.From, sms.From, null, sms.From, null),
                    Channel.Sms, "SupportHub", UnknownNumberText, [])
                : null;
            handled = new SmsHandled(sms.MessageId, sms.From, sms.Message, now, null, reply, unanswered);
        }
        else
        {
            var (ticket, text) = await CarryOutAsync(Parse(sms.Message), person, QueueMessageIds.Fit($"sms:{sms.MessageId}"), now, cancellationToken);
            var reply = new Notification(replyId, ticket ?? "", NotificationPurpose.Acknowledgement,
                Recipient.Staff(person) with { Phone = sms.From }, Channel.Sms, ticket is null ? "SupportHub" : $"[#{ticket}]", text, []);
            handled = new SmsHandled(sms.MessageId, sms.From, sms.Message, now, person.Id, reply, null);
        }

        try
        {
            await store.CreateAsync(Table, key, WorkflowJson.Serialize(handled), cancellationToken);
        }
        catch (EntityConflictException)
        {
            // The same SMS raced in twice: answer what the first delivery answered.
            return WorkflowJson.Deserialize<SmsHandled>((await store.GetAsync(Table, key, cancellationToken))!.Payload);
        }
        return handled;
    }

    /// <summary>Takes this hour's one answer to <paramref name="from"/>; false when it was taken (by an
    /// earlier text, or by another text handled at the same time).</summary>
    private async Task<bool> ClaimUnknownReplyAsync(string from, Instant now, CancellationToken cancellationToken)
    {
        var key = new EntityKey(Hashed("from-", from), LastReplyRow);
        var payload = WorkflowJson.Serialize(new UnknownNumberReplied(now));
        var last = await store.GetAsync(Table, key, cancellationToken);
        try
        {
            if (last is null)
            {
                await store.CreateAsync(Table, key, payload, cancellationToken);
                return true;
            }
            if (now - WorkflowJson.Deserialize<UnknownNumberReplied>(last.Payload).At < UnknownReplyInterval)
            {
                return false;
            }
            await store.UpdateAsync(Table, key, payload, last.ETag, cancellationToken);
            return true;
        }
        catch (EntityConflictException)
        {
            // Another text from this number took the answer first.
            return false;
        }
    }

    // Keys from what a sender wrote: hashed, so any text makes a key Table Storage accepts.
    private static string Hashed(string prefix, string value) =>
        prefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..40];

    /// <summary>When a number that is no person's phone was last answered.</summary>
    private sealed record UnknownNumberReplied(Instant At);

    private async Task<(string? Ticket, string Text)> CarryOutAsync(SmsCommand command, Person person, string id, Instant now, CancellationToken cancellationToken)
    {
        switch (command)
        {
            case SmsCommand.Ack(var ticket):
                return (ticket, await RunAsync(new Acknowledge(id, ticket, person.Id), $"ACK {ticket}", "acknowledged", now, cancellationToken));
            case SmsCommand.Resolve(var ticket):
                return (ticket, await RunAsync(new ChangeStatus(id, ticket, TicketStatus.Solved, person.Id), $"RESOLVE {ticket}", "solved", now, cancellationToken));
            case SmsCommand.Help:
                return (null, HelpText);
            default:
                var said = ((SmsCommand.NotUnderstood)command).Text;
                return (null, $"SupportHub did not understand \"{(said.Length > 40 ? said[..40] + "..." : said)}\". {HelpText}");
        }
    }

    private async Task<string> RunAsync(TicketCommand command, string echo, string done, Instant now, CancellationToken cancellationToken)
    {
        if (await runner.LoadAsync(command.Ticket, cancellationToken) is null)
        {
            return $"{echo}: unknown ticket {command.Ticket}";
        }
        var decision = await runner.HandleAsync(command, now, cancellationToken);
        return decision.Rejection is { } reason ? $"{echo}: {reason}" : $"{echo}: {done}";
    }
}
