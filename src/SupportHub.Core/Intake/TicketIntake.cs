using System.Text.RegularExpressions;
using NodaTime;
using SupportHub.Policy;
using SupportHub.Storage;
using SupportHub.Tickets;
using SupportHub.Workflows;

namespace SupportHub.Intake;

/// <summary>What ticket intake decided for one inbound message.</summary>
/// <param name="Ticket">The ticket the message opened or joined: what the channel answers with.</param>
/// <param name="Duplicate">The source message was seen before; <paramref name="Command"/> is the one decided then.</param>
/// <param name="Command">Send this to the ticket's workflow; its id is derived from the source message, so sending it again is harmless.</param>
public sealed record IntakeOutcome(string Ticket, bool Duplicate, bool Opened, TicketCommand Command)
{
    /// <summary>The message opens a ticket at an emergency severity: its work goes ahead of a queue's
    /// ordinary messages (<see cref="OutgoingMessage.Urgent"/>). Not recorded: false for a duplicate.</summary>
    public bool Emergency { get; init; }
}

/// <summary>
/// Ticket intake (ARCHITECTURE.md step 2): recognises a redelivered source message, threads a message
/// into its ticket (<see cref="TicketThreading"/>) or opens one with the next reference
/// (<see cref="TicketReferences"/>), and records the decision with its index rows
/// (<see cref="IntakeIndex"/>) and its message through the <see cref="IIntakeRecorder"/>. The decision
/// is kept with the source id, so a redelivery gets the same command back and changes nothing.
/// </summary>
/// <param name="recorder">Writes the decision, index rows and message; by default one write after another
/// in <paramref name="store"/>, with no message sender.</param>
public sealed class TicketIntake(IEntityStore store, SupportPolicy policy, IIntakeRecorder? recorder = null)
{
    private readonly IIntakeRecorder _recorder = recorder ?? new SequentialIntakeRecorder(store, null);
    private readonly TicketThreading _threading = new(store);

    public const string IndexTable = "ticketindex";

    public Task<IntakeOutcome> AcceptAsync(InboundMessage message, CancellationToken cancellationToken) =>
        AcceptAsync(message, null, cancellationToken);

    /// <summary>Decides and records what <paramref name="message"/> is.</summary>
    /// <param name="then">The message to send once the decision is recorded (built from it), written by the
    /// recorder with the index rows; a duplicate sends it again, with the same id.</param>
    public async Task<IntakeOutcome> AcceptAsync(InboundMessage message, Func<IntakeOutcome, QueuedMessage>? then, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var index = new IntakeIndex(message);
        var lookups = index.Lookups;
        // The decision row and every row threading may look at, read together (one snapshot).
        var found = await store.GetManyAsync(IndexTable, [index.Source, .. lookups], cancellationToken);
        if (found[0] is { } seen)
        {
            return await AgainAsync(index, IntakeDecision.Read(seen.Payload), then, cancellationToken);
        }

        var rows = new Dictionary<EntityKey, StoredEntity?>(lookups.Count);
        for (var i = 0; i < lookups.Count; i++)
        {
            rows[lookups[i]] = found[i + 1];
        }
        var (joined, original) = await _threading.ThreadAsync(message, index, rows, cancellationToken);

        IntakeOutcome? decided = null;
        try
        {
            await _recorder.RecordAsync(joined, ticket =>
            {
                var command = Decide(message, joined, ticket, original);
                decided = new IntakeOutcome(ticket, false, joined is null, command) { Emergency = policy.IsEmergency(command) };
                return new IntakeWrites(
                    [EntityChange.Create(index.Source, IntakeDecision.Write(decided)), .. index.Rows(ticket)],
                    then?.Invoke(decided));
            }, cancellationToken);
        }
        catch (EntityConflictException conflict) when (conflict.Key == index.Source)
        {
            // The same message raced in through another delivery and was decided first: use that.
            var first = await store.GetAsync(IndexTable, index.Source, cancellationToken);
            return await AgainAsync(index, IntakeDecision.Read(first!.Payload), then, cancellationToken);
        }
        return decided!;
    }

    /// <summary>
    /// A delivery report about a message the hub sent (<paramref name="message"/> is the report itself):
    /// when its original Message-ID is one the hub remembered (<see cref="RememberMessageIdAsync"/>), the
    /// report joins that ticket as a delivery failure (<see cref="RecordDeliveryFailure"/>: no status
    /// change, no acknowledgement, no SLA effect); otherwise nothing is written and the answer is null.
    /// A bounce never opens a ticket. A redelivered report is answered from its decision row, like any
    /// source message.
    /// </summary>
    public async Task<IntakeOutcome?> AcceptDeliveryReportAsync(
        InboundMessage message, Email.DeliveryReport report, Func<IntakeOutcome, QueuedMessage>? then, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(report);
        var index = new IntakeIndex(message);
        EntityKey[] keys = report.OriginalMessageId is { } original ? [index.Source, IntakeIndex.MessageIdKey(original)] : [index.Source];
        var found = await store.GetManyAsync(IndexTable, keys, cancellationToken);
        if (found[0] is { } seen)
        {
            var earlier = IntakeDecision.Read(seen.Payload);
            await _recorder.RecordAsync(earlier.Ticket, _ => new IntakeWrites([], then?.Invoke(earlier)), cancellationToken);
            return earlier;
        }
        if (keys.Length < 2 || IntakeIndex.TicketOf(found[1]) is not { } ticket)
        {
            return null;
        }
        var failed = report.Main;
        var command = new RecordDeliveryFailure($"src:{message.Channel.ToString().ToLowerInvariant()}:{message.SourceId}", ticket,
            failed?.Recipient ?? message.From.Address, failed?.Action ?? "failed", failed?.Status, failed?.Diagnostic, report.OriginalMessageId);
        var decided = new IntakeOutcome(ticket, false, false, command);
        try
        {
            // Only the decision row: a report's own Message-ID is nothing a reply should thread by.
            await _recorder.RecordAsync(ticket, _ => new IntakeWrites([EntityChange.Create(index.Source, IntakeDecision.Write(decided))], then?.Invoke(decided)),
                cancellationToken);
        }
        catch (EntityConflictException conflict) when (conflict.Key == index.Source)
        {
            var first = await store.GetAsync(IndexTable, index.Source, cancellationToken);
            return IntakeDecision.Read(first!.Payload);
        }
        return decided;
    }

    /// <summary>Remembers a Message-ID the hub itself sent (its acknowledgement), so replies to it thread.</summary>
    public Task RememberMessageIdAsync(string messageId, string ticket, CancellationToken cancellationToken) =>
        store.SetAsync(IndexTable, IntakeIndex.MessageIdKey(messageId), IntakeIndex.TicketRow(ticket), cancellationToken);

    // A reply from staff (by their address) or the requester joins its ticket; anything else opens one.
    private TicketCommand Decide(InboundMessage message, string? joined, string ticket, string? original)
    {
        var commandId = $"src:{message.Channel.ToString().ToLowerInvariant()}:{message.SourceId}";
        if (joined is not null)
        {
            var staff = policy.People.Values.FirstOrDefault(p =>
                p.Email is not null && string.Equals(p.Email, message.From.Email, StringComparison.OrdinalIgnoreCase));
            return new PostReply(commandId, ticket, staff?.Id ?? message.From.Address, staff is not null, message.Text);
        }

        var account = RequesterDirectory.Identify(policy, message.From, message.AccountHint);
        var facts = new TicketFacts(ticket, account?.Id, account?.Tier ?? policy.DefaultTier,
            message.Severity ?? policy.DefaultSeverity, message.Channel,
            RequesterDirectory.Complete(account, message.From), message.ReceivedAt,
            string.IsNullOrWhiteSpace(message.Subject) ? Summary(message.Text) : message.Subject.Trim(), original,
            // A follow-up's product, version and OS are on the ticket it follows: ask only on a first request.
            original is null && RequiredFields.Missing(policy.Intake, message.Subject ?? "", message.Text) is { Count: > 0 } missing ? missing : null,
            message.Automatic);
        return new OpenTicket(commandId, ticket, facts);
    }

    // A source message decided before: its index rows are restored where missing (in Azure a crash may
    // have come between the decision and the rows; rows that exist may name a later ticket by now and
    // are left alone), and its message is sent again under the same id (the queue drops the duplicate,
    // or the handlers find the work done).
    private async Task<IntakeOutcome> AgainAsync(IntakeIndex index, IntakeOutcome outcome, Func<IntakeOutcome, QueuedMessage>? then, CancellationToken cancellationToken)
    {
        var rows = index.Rows(outcome.Ticket);
        var present = await store.GetManyAsync(IndexTable, [.. rows.Select(r => r.Key)], cancellationToken);
        var missing = rows.Where((_, i) => present[i] is null).Select(r => EntityChange.Create(r.Key, r.Payload!)).ToList();
        try
        {
            await _recorder.RecordAsync(outcome.Ticket, _ => new IntakeWrites(missing, then?.Invoke(outcome)), cancellationToken);
        }
        catch (EntityConflictException)
        {
            // A row appeared meanwhile (another delivery restored it): send the message alone.
            await _recorder.RecordAsync(outcome.Ticket, _ => new IntakeWrites([], then?.Invoke(outcome)), cancellationToken);
        }
        return outcome;
    }

    private static string Summary(string text)
    {
        var line = text.Split('\n', 2)[0].Trim();
        return line.Length == 0 ? "(no subject)" : line.Length <= 80 ? line : line[..77] + "...";
    }
}

/// <summary>
/// Threading rules, safest first: a Message-ID the hub knows (In-Reply-To / References), a <c>[#REF]</c>
/// in the subject only from the ticket's requester, the chat conversation, the same caller within
/// <see cref="CallerWindow"/>. A message that threads into a Closed ticket opens a follow-up instead.
/// </summary>
public sealed partial class TicketThreading(IEntityStore store)
{
    /// <summary>Calls from the same number this soon after the last one join its ticket.</summary>
    public static Duration CallerWindow { get; } = Duration.FromMinutes(30);

    [GeneratedRegex(@"\[#(\d{1,9})\]")]
    private static partial Regex SubjectReference();

    /// <param name="rows">The rows of <see cref="IntakeIndex.Lookups"/>, read before (null: no such row).</param>
    /// <returns>The ticket the message joins (null: a new one), and the Closed ticket a new one follows up.</returns>
    public async Task<(string? Ticket, string? Original)> ThreadAsync(InboundMessage message, IntakeIndex index, IReadOnlyDictionary<EntityKey, StoredEntity?> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(rows);
        string? ticket = null;
        foreach (var reply in index.Replies)
        {
            ticket ??= IntakeIndex.TicketOf(rows[reply]);
        }
        if (ticket is null && SubjectReference().Match(message.Subject ?? "") is { Success: true } match)
        {
            // A ticket number in the subject is easy to copy: it only counts from the requester.
            var candidate = match.Groups[1].Value;
            if (await LoadAsync(candidate, cancellationToken) is { } state
                && message.From.Email is { } from
                && string.Equals(state.Facts.Requester.Email, from, StringComparison.OrdinalIgnoreCase))
            {
                ticket = candidate;
            }
        }
        if (ticket is null && index.Conversation is { } conversation)
        {
            ticket = IntakeIndex.TicketOf(rows[conversation]);
        }
        if (ticket is null && index.Caller is { } caller && rows[caller] is { } call)
        {
            var (called, at) = IntakeIndex.CallOf(call);
            if (message.ReceivedAt - at <= CallerWindow)
            {
                ticket = called;
            }
        }
        if (ticket is not null && await LoadAsync(ticket, cancellationToken) is { Status: TicketStatus.Closed })
        {
            return (null, ticket);
        }
        return (ticket, null);
    }

    private async Task<TicketState?> LoadAsync(string ticket, CancellationToken cancellationToken) =>
        await store.GetAsync(TicketWorkflowRunner.Table, new EntityKey(ticket, TicketWorkflowRunner.StateRow), cancellationToken) is { } row
            ? WorkflowJson.Deserialize<TicketState>(row.Payload)
            : null;
}
