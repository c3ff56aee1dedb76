using NodaTime;

namespace SupportHub.Storage.InMemory;

// The queue `supporthub simulate` runs on: the semantics of the embedded SQLite queue (see
// MessageQueue.cs), time from the clock it is given, so a virtual clock drives scheduled delivery,
// lease expiry and duplicate detection. State lives as long as the instance.

/// <summary>An <see cref="IMessageQueue"/> held in memory; thread-safe.</summary>
public sealed class InMemoryMessageQueue : IMessageQueue
{
    private readonly IClock _clock;
    private readonly MessageQueueOptions _options;
    private readonly Lock _gate = new();
    private readonly List<Entry> _messages = [];
    private readonly List<DeadLetter> _deadLetters = [];
    private readonly Dictionary<(string Queue, string MessageId), Instant> _acceptedIds = [];
    private long _lastSequence;

    public InMemoryMessageQueue(IClock clock, MessageQueueOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(clock);
        _clock = clock;
        _options = options ?? MessageQueueOptions.Default;
        _options.Validate();
    }

    public Task SendAsync(string queue, OutgoingMessage message, CancellationToken cancellationToken) =>
        SendBatchAsync(queue, [message], cancellationToken);

    public Task SendBatchAsync(string queue, IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken)
    {
        MessageQueueRules.ValidateQueue(queue);
        ArgumentNullException.ThrowIfNull(messages);
        foreach (var message in messages)
        {
            MessageQueueRules.ValidateMessage(message);
        }

        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var now = _clock.GetCurrentInstant();
            ForgetExpiredIds(now);
            foreach (var message in messages)
            {
                var id = (queue, message.MessageId);
                if (_acceptedIds.TryGetValue(id, out var acceptedAt) && now - acceptedAt < _options.DuplicateDetectionWindow)
                {
                    continue;
                }

                _acceptedIds[id] = now;
                _messages.Add(new Entry(++_lastSequence, queue, message.MessageId, message.Body, now)
                {
                    Urgent = message.Urgent,
                    VisibleAt = message.ScheduledFor is { } at && at > now ? at : now,
                });
            }
        }

        return Task.CompletedTask;
    }

    public Task<LeasedMessage?> ReceiveAsync(string queue, Duration lease, CancellationToken cancellationToken)
    {
        MessageQueueRules.ValidateQueue(queue);
        MessageQueueRules.ValidateLease(lease);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var now = _clock.GetCurrentInstant();
            while (true)
            {
                var next = _messages
                    .Where(m => m.Queue == queue && m.VisibleAt <= now)
                    .OrderByDescending(m => m.Urgent)
                    .ThenBy(m => m.VisibleAt)
                    .ThenBy(m => m.Sequence)
                    .FirstOrDefault();
                if (next is null)
                {
                    return Task.FromResult<LeasedMessage?>(null);
                }

                // Deliverable yet already delivered MaxDeliveryCount times: its last lease ended
                // unsettled (an abandon would have dead-lettered it on the spot).
                if (next.DeliveryCount >= _options.MaxDeliveryCount)
                {
                    DeadLetterLocked(next, now, LeaseEndedReason(next));
                    continue;
                }

                next.DeliveryCount++;
                next.LockToken = $"{next.Sequence}:{next.DeliveryCount}";
                next.VisibleAt = now + lease;
                return Task.FromResult<LeasedMessage?>(new LeasedMessage(
                    queue, next.MessageId, next.Body, next.DeliveryCount, next.EnqueuedAt, next.LockToken, next.VisibleAt));
            }
        }
    }

    public Task CompleteAsync(LeasedMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _messages.Remove(Held(message));
        }

        return Task.CompletedTask;
    }

    public Task AbandonAsync(LeasedMessage message, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(reason);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var entry = Held(message);
            var now = _clock.GetCurrentInstant();
            if (entry.DeliveryCount >= _options.MaxDeliveryCount)
            {
                DeadLetterLocked(entry, now, reason);
            }
            else
            {
                entry.LockToken = null;
                entry.VisibleAt = now + _options.RetryDelay(entry.DeliveryCount);
                entry.LastReason = reason;
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string queue, CancellationToken cancellationToken)
    {
        MessageQueueRules.ValidateQueue(queue);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<DeadLetter>>(_deadLetters.Where(d => d.Queue == queue).ToList());
        }
    }

    // Keeps the duplicate-detection history to the window, as Service Bus does.
    private void ForgetExpiredIds(Instant now)
    {
        foreach (var (id, acceptedAt) in _acceptedIds)
        {
            if (now - acceptedAt >= _options.DuplicateDetectionWindow)
            {
                _acceptedIds.Remove(id);
            }
        }
    }

    private static string LeaseEndedReason(Entry entry) =>
        $"Lease ended without completion on delivery {entry.DeliveryCount}"
        + (entry.LastReason is null ? "." : $"; last abandoned because: {entry.LastReason}");

    private Entry Held(LeasedMessage message) =>
        _messages.FirstOrDefault(m => m.Queue == message.Queue && m.LockToken == message.LockToken)
        ?? throw new MessageLockLostException(message.Queue, message.MessageId);

    private void DeadLetterLocked(Entry entry, Instant now, string reason)
    {
        _messages.Remove(entry);
        _deadLetters.Add(new DeadLetter(entry.Queue, entry.MessageId, entry.Body, entry.DeliveryCount, entry.EnqueuedAt, now, reason));
    }

    private sealed class Entry(long sequence, string queue, string messageId, string body, Instant enqueuedAt)
    {
        public long Sequence { get; } = sequence;

        public string Queue { get; } = queue;

        public string MessageId { get; } = messageId;

        public string Body { get; } = body;

        public Instant EnqueuedAt { get; } = enqueuedAt;

        public Instant VisibleAt { get; set; }

        public bool Urgent { get; init; }

        public int DeliveryCount { get; set; }

        public string? LockToken { get; set; }

        public string? LastReason { get; set; }
    }
}
