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

/// <summary>
/// Replies by SMS from the on-call engineers: the sender's number must be a person's phone in
/// <c>policy.people</c>; the command runs through the ticket workflow like any other acknowledgement
/// or status change, and the engineer gets a confirmation SMS saying what happened ("ACK 1001:
/// acknowledged", "unknown ticket 9999", the workflow's reason when it refuses). A bare ticket
/// number acknowledges: it is the shortest answer to a page, and acknowledging twice is harmless.
/// Idempotent by the SMS's messageId: the confirmation is kept (table <c>smsreplies</c>) and a
/// redelivered event gets the same confirmation back, with the same notification id.
/// </summary>
public sealed partial class OnCallReplies(IEntityStore store, TicketWorkflowRunner runner, SupportPolicy policy)
{
    public const string Table = "smsreplies";

    public const string HelpText = "SupportHub: reply ACK <ticket> (or just the ticket number) to take a page, "
        + "RESOLVE <ticket> when it is solved, HELP for this message.";

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

    /// <summary>Carries out the SMS (once) and returns the confirmation to send back.</summary>
    public async Task<Notification> ReplyAsync(SmsReceived sms, Instant now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sms);
        var key = new EntityKey("sms-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sms.MessageId)))[..40], "reply");
        if (await store.GetAsync(Table, key, cancellationToken) is { } answered)
        {
            return WorkflowJson.Deserialize<Notification>(answered.Payload);
        }

        var person = policy.People.Values.FirstOrDefault(p => p.Phone is not null && p.Phone == sms.From);
        var command = Parse(sms.Message);
        var (ticket, text) = person is null
            ? (null, "SupportHub: unknown number. This phone is not on the on-call list.")
            : await CarryOutAsync(command, person, QueueMessageIds.Fit($"sms:{sms.MessageId}"), now, cancellationToken);
        var to = person is null
            ? new Recipient(sms.From, sms.From, null, sms.From, null)
            : Recipient.Staff(person) with { Phone = sms.From };
        var reply = new Notification(QueueMessageIds.Fit($"sms-reply:{sms.MessageId}"), ticket ?? "", NotificationPurpose.Acknowledgement,
            to, Channel.Sms, ticket is null ? "SupportHub" : $"[#{ticket}]", text, []);
        try
        {
            await store.CreateAsync(Table, key, WorkflowJson.Serialize(reply), cancellationToken);
        }
        catch (EntityConflictException)
        {
            // The same SMS raced in twice: answer what the first delivery answered.
            return WorkflowJson.Deserialize<Notification>((await store.GetAsync(Table, key, cancellationToken))!.Payload);
        }
        return reply;
    }

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
