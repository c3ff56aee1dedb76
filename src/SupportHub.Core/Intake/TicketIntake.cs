using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using NodaTime;
using SupportHub.Policy;
using SupportHub.Tickets;
using SupportHub.Workflows;

namespace SupportHub.Intake;

/// <summary>What ticket intake decided for one inbound message.</summary>
/// <param name="Ticket">The ticket the message opened or joined: what the channel answers with.</param>
/// <param name="Duplicate">The source message was seen before; <paramref name="Command"/> is the one decided then.</param>
/// <param name="Command">Send this to the ticket's workflow; its id is derived from the source message, so sending it again is
/// harmless. Null only for a duplicate whose decision was recorded without it: its message was queued in the decision's
/// own transaction (<see cref="IIntakeRecorder.QueuesWithDecision"/>), so there is nothing to send again.</param>
public sealed record IntakeOutcome(string Ticket, bool Duplicate, bool Opened, TicketCommand? Command)
{
    /// <summary><see cref="Command"/> as <see cref="WorkflowJson"/> writes a <see cref="TicketCommand"/>, when intake has
    /// that text already (it records it): a queue message can embed it instead of serializing the command again.</summary>
    public string? CommandJson { get; init; }
}

/// <summary>
/// Ticket intake (ARCHITECTURE.md step 2): recognises a redelivered source message, threads a
/// message into its ticket, safest rule first — a Message-ID the hub knows (In-Reply-To /
/// References), a <c>[#REF]</c> in the subject only from the ticket's requester, the chat
/// conversation, the same caller within <see cref="CallerWindow"/> — and otherwise opens a ticket
/// with the next reference. A reply to a Closed ticket opens a follow-up that names the original.
/// The decision is kept with the source id, so a crash before the command is sent loses nothing:
/// the redelivery gets the same command back. Where the recorder queues the message in the decision's
/// own transaction, no such crash can happen, and the decision keeps only the ticket.
/// </summary>
/// <param name="recorder">Writes the decision and index rows (and the message that goes with them);
/// by default one write after another in <paramref name="store"/>, with no message sender.</param>
public sealed partial class TicketIntake(IEntityStore store, SupportPolicy policy, IIntakeRecorder? recorder = null)
{
    private readonly IIntakeRecorder _recorder = recorder ?? new SequentialIntakeRecorder(store, null);

    public const string IndexTable = "ticketindex";
    public const string CounterTable = "counters";

    /// <summary>Ticket references start here, so they never look like a severity or a count.</summary>
    public const int FirstReference = 1001;

    /// <summary>Calls from the same number this soon after the last one join its ticket.</summary>
    public static Duration CallerWindow { get; } = Duration.FromMinutes(30);

    /// <summary>How many references one write of the counter reserves at a quiet desk (see <see cref="NextReferenceAsync"/>).</summary>
    public const int ReferenceBlock = 64;

    /// <summary>The most references one write of the counter reserves, under heavy intake.</summary>
    public const int MaxReferenceBlock = 1024;

    private readonly ReservedReferences _references = new();

    [System.Text.RegularExpressions.GeneratedRegex(@"\[#(\d{1,9})\]")]
    private static partial System.Text.RegularExpressions.Regex SubjectReference();

    public Task<IntakeOutcome> AcceptAsync(InboundMessage message, CancellationToken cancellationToken) =>
        AcceptAsync(message, null, cancellationToken);

    /// <summary>Decides and records what <paramref name="message"/> is.</summary>
    /// <param name="then">The message to send once the decision is recorded (built from it), written by
    /// the recorder together with the index rows; a duplicate sends it again, with the same id.</param>
    public async Task<IntakeOutcome> AcceptAsync(InboundMessage message, Func<IntakeOutcome, QueuedMessage>? then, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var keys = new MessageKeys(message);
        var sourceKey = keys.Source;
        // The source row and every index row threading may look at, read together (one snapshot, and for
        // the embedded store one read transaction instead of one per row).
        var threadKeys = keys.Threading();
        var found = await store.GetManyAsync(IndexTable, [sourceKey, .. threadKeys], cancellationToken);
        if (found[0] is { } seen)
        {
            return await RecordAgainAsync(message, keys, Recorded(seen.Payload), then, cancellationToken);
        }
        var index = new Dictionary<EntityKey, StoredEntity?>(threadKeys.Count);
        for (var i = 0; i < threadKeys.Count; i++)
        {
            index[threadKeys[i]] = found[i + 1];
        }

        var (ticket, original) = await ThreadAsync(message, keys, index, cancellationToken);
        var commandId = $"src:{message.Channel.ToString().ToLowerInvariant()}:{message.SourceId}";
        TicketCommand command;
        var opened = ticket is null;
        if (ticket is not null)
        {
            var staff = policy.People.Values.FirstOrDefault(p =>
                p.Email is not null && string.Equals(p.Email, message.From.Email, StringComparison.OrdinalIgnoreCase));
            command = new PostReply(commandId, ticket, staff?.Id ?? message.From.Address, staff is not null, message.Text);
        }
        else
        {
            ticket = await NextReferenceAsync(cancellationToken);
            var account = RequesterDirectory.Identify(policy, message.From, message.AccountHint);
            var facts = new TicketFacts(ticket, account?.Id, account?.Tier ?? policy.DefaultTier,
                message.Severity ?? policy.DefaultSeverity, message.Channel,
                RequesterDirectory.Complete(account, message.From), message.ReceivedAt,
                string.IsNullOrWhiteSpace(message.Subject) ? Summary(message.Text) : message.Subject.Trim(), original,
                // A follow-up's product, version and OS are on the ticket it follows: ask only on a first request.
                original is null && RequiredFields.Missing(policy.Intake, message.Subject ?? "", message.Text) is { Count: > 0 } missing ? missing : null);
            command = new OpenTicket(commandId, ticket, facts);
        }

        var commandJson = WorkflowJson.Serialize(command);
        var decided = new IntakeOutcome(ticket, false, opened, command) { CommandJson = commandJson };
        var queued = then?.Invoke(decided);
        // A recorder that writes the message in the decision's own transaction never sends it again, so the
        // decision need not keep the command: it is then two fields, not the command's ~400 bytes again.
        // (In the embedded file a smaller row at a random place in the index splits pages less often: under
        // load a commit wrote 72 WAL frames instead of 85, 7 interior pages instead of 13; bench/NOTES.md, step 12.)
        var record = Record(ticket, opened, queued is not null && _recorder.QueuesWithDecision ? null : commandJson);
        try
        {
            await _recorder.RecordAsync([EntityChange.Create(sourceKey, record), .. IndexChanges(message, keys, ticket)], queued, cancellationToken);
        }
        catch (EntityConflictException conflict) when (conflict.Key == sourceKey)
        {
            // The same message raced in through another delivery and was decided first: use that.
            var first = await store.GetAsync(IndexTable, sourceKey, cancellationToken);
            return await RecordAgainAsync(message, keys, Recorded(first!.Payload), then, cancellationToken);
        }
        return decided;
    }

    // A source message decided before: index it again (a crash may have come between recording the
    // decision and indexing it, in Azure) and send its message again under the same id, marked Again
    // (a recorder that wrote it in the decision's own transaction knows it is queued already). A decision
    // recorded without its command was written with its index rows and its message in one transaction:
    // nothing is left to do (and the index rows may point to a later ticket by now).
    private async Task<IntakeOutcome> RecordAgainAsync(InboundMessage message, MessageKeys keys, IntakeOutcome outcome, Func<IntakeOutcome, QueuedMessage>? then, CancellationToken cancellationToken)
    {
        if (outcome.Command is null)
        {
            return outcome;
        }
        var again = then?.Invoke(outcome) is { } queued ? queued with { Again = true } : null;
        await _recorder.RecordAsync(IndexChanges(message, keys, outcome.Ticket), again, cancellationToken);
        return outcome;
    }

    /// <summary>Remembers a Message-ID the hub itself sent (its acknowledgement), so replies to it thread.</summary>
    public Task RememberMessageIdAsync(string messageId, string ticket, CancellationToken cancellationToken) =>
        store.SetAsync(IndexTable, IndexKey("msgid", Normalise(messageId)), Ref(ticket), cancellationToken);

    /// <summary>The index keys of one message (source, threading, its own rows), each hashed once.</summary>
    private sealed class MessageKeys(InboundMessage message)
    {
        public EntityKey Source { get; } = IndexKey("source", $"{message.Channel}:{message.SourceId}");

        /// <summary>The In-Reply-To/References Message-IDs, in order.</summary>
        public EntityKey[] Replies { get; } = [.. (message.InReplyTo ?? []).Select(id => IndexKey("msgid", Normalise(id)))];

        public EntityKey? Conversation { get; } = message.ConversationId is { } conversation ? IndexKey("conv", conversation) : null;

        public EntityKey? Caller { get; } =
            message.Channel == IntakeChannel.Phone && message.From.Phone is { } caller ? IndexKey("caller", caller) : null;

        /// <summary>An email's own Message-ID, so replies to it thread.</summary>
        public EntityKey? OwnMessageId { get; } = message.Channel == IntakeChannel.Email ? IndexKey("msgid", Normalise(message.SourceId)) : null;

        /// <summary>The index rows ThreadAsync may look at, in the order it looks.</summary>
        public List<EntityKey> Threading()
        {
            var keys = new List<EntityKey>(Replies.Length + 2);
            keys.AddRange(Replies);
            if (Conversation is { } conversation)
            {
                keys.Add(conversation);
            }
            if (Caller is { } caller)
            {
                keys.Add(caller);
            }
            return keys;
        }
    }

    /// <param name="index">The rows of <see cref="ThreadKeys"/>, read before (null: no such row).</param>
    private async Task<(string? Ticket, string? Original)> ThreadAsync(InboundMessage message, MessageKeys keys, Dictionary<EntityKey, StoredEntity?> index, CancellationToken cancellationToken)
    {
        string? ticket = null;
        foreach (var reply in keys.Replies)
        {
            ticket ??= TicketOf(index[reply]);
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
        if (ticket is null && keys.Conversation is { } conversation)
        {
            ticket = TicketOf(index[conversation]);
        }
        if (ticket is null && keys.Caller is { } caller && index[caller] is { } call)
        {
            var node = JsonNode.Parse(call.Payload)!;
            var last = NodaTime.Text.InstantPattern.ExtendedIso.Parse((string)node["at"]!).Value;
            if (message.ReceivedAt - last <= CallerWindow)
            {
                ticket = (string?)node["ticket"];
            }
        }
        if (ticket is not null && await LoadAsync(ticket, cancellationToken) is { Status: TicketStatus.Closed })
        {
            return (null, ticket);
        }
        return (ticket, null);
    }

    private static List<EntityChange> IndexChanges(InboundMessage message, MessageKeys keys, string ticket)
    {
        var changes = new List<EntityChange>(2);
        if (keys.OwnMessageId is { } own)
        {
            changes.Add(EntityChange.Set(own, Ref(ticket)));
        }
        if (keys.Conversation is { } conversation)
        {
            changes.Add(EntityChange.Set(conversation, Ref(ticket)));
        }
        if (keys.Caller is { } caller)
        {
            var call = new JsonObject { ["ticket"] = ticket, ["at"] = NodaTime.Text.InstantPattern.ExtendedIso.Format(message.ReceivedAt) };
            changes.Add(EntityChange.Set(caller, call.ToJsonString()));
        }
        return changes;
    }

    // References are reserved from the stored counter a block at a time and handed out from memory:
    // one conditional write per block instead of one per ticket. Under concurrent intake the
    // per-ticket read-and-update lost almost every race (64 requests read one ETag, one wins), so the
    // counter serialised all ticket creation. The next block is reserved while half of the current one
    // is left, so a request need not wait for the counter's write (under load every request arriving
    // while a block was reserved waited for that write: a batch of the store's writer, half the
    // intake time). Should requests still run out first, the next block is twice as large (up to
    // MaxReferenceBlock); once a reservation is back with plenty to spare, it halves again (down to
    // ReferenceBlock). The price: references stay unique and increase within a process, but what is
    // left of the current block and the one reserved ahead is skipped when the process stops (at a
    // quiet desk under two blocks of 64), and two hub instances hand out interleaved blocks.
    private async Task<string> NextReferenceAsync(CancellationToken cancellationToken)
    {
        var retried = false;
        while (true)
        {
            string? handed = null;
            Task<int>? upcoming = null;
            TaskCompletionSource<int>? reserve = null;
            var size = 0;
            lock (_references)
            {
                if (_references.Next < _references.End)
                {
                    handed = (_references.Next++).ToString(CultureInfo.InvariantCulture);
                    if (_references.End - _references.Next <= _references.Size / 2 && _references.Upcoming is null)
                    {
                        (reserve, size) = ReserveAhead();
                    }
                }
                else if (_references.Upcoming is null)
                {
                    (reserve, size) = ReserveAhead();
                    upcoming = reserve.Task;
                }
                else
                {
                    upcoming = _references.Upcoming;
                    if (!upcoming.IsCompleted && !_references.RanOut)
                    {
                        // Ran out before the reservation was back: the next one takes more.
                        _references.RanOut = true;
                        _references.NextSize = Math.Min(_references.NextSize * 2, MaxReferenceBlock);
                    }
                }
            }
            if (reserve is not null)
            {
                _ = ReserveIntoAsync(reserve, size);
            }
            if (handed is not null)
            {
                return handed;
            }

            int first;
            try
            {
                first = await upcoming!.WaitAsync(cancellationToken);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                lock (_references)
                {
                    if (_references.Upcoming == upcoming)
                    {
                        _references.Upcoming = null;
                    }
                }
                // A reservation started ahead by an earlier request failed (the store was away then):
                // this request tries once itself before it gives up.
                if (reserve is null && !retried)
                {
                    retried = true;
                    continue;
                }
                throw;
            }
            lock (_references)
            {
                // The first request back installs the block; the others find it there.
                if (_references.Upcoming == upcoming)
                {
                    (_references.Next, _references.End, _references.Size) = (first, first + _references.UpcomingSize, _references.UpcomingSize);
                    (_references.Upcoming, _references.RanOut) = (null, false);
                }
            }
        }
    }

    // Under the lock: marks a reservation of the next block as under way (it is started outside the
    // lock, since it reads the store).
    private (TaskCompletionSource<int> Reserve, int Size) ReserveAhead()
    {
        var reserve = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        (_references.Upcoming, _references.UpcomingSize) = (reserve.Task, _references.NextSize);
        return (reserve, _references.NextSize);
    }

    private async Task ReserveIntoAsync(TaskCompletionSource<int> reserve, int size)
    {
        int first;
        try
        {
            // Not the request's token: the block serves whichever requests come next.
            first = await ReserveBlockAsync(size, CancellationToken.None);
        }
        catch (Exception exception)
        {
            reserve.SetException(exception);
            return;
        }
        lock (_references)
        {
            // Back with over a third of the current block to spare: a smaller block would do.
            if (!_references.RanOut && _references.End - _references.Next >= _references.Size * 3 / 8)
            {
                _references.NextSize = Math.Max(_references.NextSize / 2, ReferenceBlock);
            }
        }
        reserve.SetResult(first);
    }

    private async Task<int> ReserveBlockAsync(int size, CancellationToken cancellationToken)
    {
        var key = new EntityKey("tickets", "next");
        while (true)
        {
            var row = await store.GetAsync(CounterTable, key, cancellationToken);
            try
            {
                if (row is null)
                {
                    await store.CreateAsync(CounterTable, key, Counter(FirstReference + size), cancellationToken);
                    return FirstReference;
                }
                var next = (int)JsonNode.Parse(row.Payload)!["next"]!;
                await store.UpdateAsync(CounterTable, key, Counter(next + size), row.ETag, cancellationToken);
                return next;
            }
            catch (EntityConflictException)
            {
                // Another instance took that block first: read the counter again.
            }
        }
    }

    private sealed class ReservedReferences
    {
        /// <summary>The current block: the next reference to hand out, the end, the block's size.</summary>
        public int Next, End, Size;

        /// <summary>The first reference of the block being reserved, or null when none is; and its size.</summary>
        public Task<int>? Upcoming;
        public int UpcomingSize;

        /// <summary>Requests ran out of references while <see cref="Upcoming"/> was under way.</summary>
        public bool RanOut;

        /// <summary>The size of the next block to reserve.</summary>
        public int NextSize = ReferenceBlock;
    }

    private async Task<TicketState?> LoadAsync(string ticket, CancellationToken cancellationToken) =>
        await store.GetAsync(TicketWorkflowRunner.Table, new EntityKey(ticket, TicketWorkflowRunner.StateRow), cancellationToken) is { } row
            ? WorkflowJson.Deserialize<TicketState>(row.Payload)
            : null;

    private static string? TicketOf(StoredEntity? row) =>
        row is null ? null : (string?)JsonNode.Parse(row.Payload)!["ticket"];

    // A decision as Record wrote it: {"ticket","opened"} and, unless its message was queued with it, "command".
    private static IntakeOutcome Recorded(string payload)
    {
        var node = JsonNode.Parse(payload)!;
        var command = node["command"]?.ToJsonString();
        return new IntakeOutcome((string)node["ticket"]!, true, (bool)node["opened"]!, command is null ? null : WorkflowJson.Deserialize<TicketCommand>(command))
        {
            CommandJson = command,
        };
    }

    /// <summary>Index rows are keyed by a hash: source ids may hold characters Table Storage keys refuse.</summary>
    /// <remarks><c>{kind}-</c> and the first 40 hex digits (lower case) of the SHA-256 of the value's UTF-8, built
    /// in one string (intake makes several per request).</remarks>
    private static EntityKey IndexKey(string kind, string value)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var length = Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = null;
        Span<byte> utf8 = length <= 512 ? stackalloc byte[512] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(length));
        try
        {
            SHA256.HashData(utf8[..Encoding.UTF8.GetBytes(value, utf8)], hash);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
        Span<char> key = stackalloc char[kind.Length + 1 + 40];
        kind.CopyTo(key);
        key[kind.Length] = '-';
        Convert.TryToHexStringLower(hash[..20], key[(kind.Length + 1)..], out _);
        return new(new string(key), "i");
    }

    private static string Normalise(string messageId) => messageId.Trim().Trim('<', '>').ToLowerInvariant();

    /// <summary>The decision row: <c>{"ticket","opened","command"}</c>, the command as the workflow reads it; without
    /// <c>"command"</c> when <paramref name="command"/> is null (its message was queued with the decision).</summary>
    private static string Record(string ticket, bool opened, string? command)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>((command?.Length ?? 0) + 48);
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("ticket", ticket);
            writer.WriteBoolean("opened", opened);
            if (command is not null)
            {
                writer.WritePropertyName("command");
                writer.WriteRawValue(command, skipInputValidation: true);
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    // {"ticket":"…"}, as JsonObject.ToJsonString writes it (the same encoder), without building the node.
    private static string Ref(string ticket) => $"{{\"ticket\":{System.Text.Json.JsonSerializer.Serialize(ticket)}}}";

    private static string Counter(int next) => new JsonObject { ["next"] = next }.ToJsonString();

    private static string Summary(string text)
    {
        var line = text.Split('\n', 2)[0].Trim();
        return line.Length == 0 ? "(no subject)" : line.Length <= 80 ? line : line[..77] + "...";
    }
}
