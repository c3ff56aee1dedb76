using NodaTime;
using SupportHub.Storage;

namespace SupportHub.Embedded;

// The embedded hub's durable queue (contract: MessageQueueContract; semantics: MessageQueue.cs).
// A message is a row; its visible_at says when it may be delivered next: the send time, its
// ScheduledFor, the end of its current lease, or the end of its retry delay after an abandon.
// Receiving takes the deliverable row with the highest priority (an emergency's messages first),
// then the smallest (visible_at, sequence), and pushes visible_at to the end of the lease in the same
// write, so two consumers (threads or processes) never hold one message at once, and a consumer that
// dies holding it lets the lease run out: at-least-once delivery with nothing in memory to lose.
//
// Duplicate detection: a MessageId accepted on a queue is remembered for DuplicateDetectionWindow
// from its first acceptance; a send of a remembered id is dropped and reported as a success, like
// Service Bus. The lock token names one delivery ("sequence:deliveryCount"), so Complete or Abandon
// of an earlier delivery fails with MessageLockLostException.

/// <summary>An <see cref="IMessageQueue"/> in the embedded hub's SQLite file.</summary>
public sealed class SqliteMessageQueue : IMessageQueue
{
    private readonly SqliteDatabase _database;
    private readonly IClock _clock;
    private readonly MessageQueueOptions _options;

    public SqliteMessageQueue(SqliteDatabase database, IClock clock, MessageQueueOptions options)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _database = database;
        _clock = clock;
        _options = options;
    }

    public Task SendAsync(string queue, OutgoingMessage message, CancellationToken cancellationToken) =>
        SendBatchAsync(queue, [message], cancellationToken);

    public async Task SendBatchAsync(string queue, IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken)
    {
        MessageQueueRules.ValidateQueue(queue);
        ArgumentNullException.ThrowIfNull(messages);
        foreach (var message in messages)
        {
            MessageQueueRules.ValidateMessage(message);
        }
        await _database.WriteAsync(session => Send(session, queue, messages), cancellationToken);
    }

    /// <summary>For work on the writer: sends in the writer's current transaction.</summary>
    internal int Send(SqliteSession session, string queue, IReadOnlyList<OutgoingMessage> messages)
    {
        MessageQueueRules.ValidateQueue(queue);
        var now = _clock.GetCurrentInstant();
        session.Execute("DELETE FROM queue_seen_ids WHERE accepted_at <= $1", Ticks(now - _options.DuplicateDetectionWindow));
        var sent = 0;
        foreach (var message in messages)
        {
            MessageQueueRules.ValidateMessage(message);
            var remembered = session.Execute(
                "INSERT INTO queue_seen_ids (queue, message_id, accepted_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                queue, message.MessageId, Ticks(now));
            if (remembered == 0)
            {
                continue;
            }
            session.Execute(
                "INSERT INTO queue_messages (queue, message_id, body, priority, enqueued_at, visible_at) VALUES ($1, $2, $3, $4, $5, $6)",
                queue, message.MessageId, message.Body, message.Urgent ? 1 : 0, Ticks(now),
                Ticks(message.ScheduledFor is { } at && at > now ? at : now));
            sent++;
        }
        return sent;
    }

    public Task<LeasedMessage?> ReceiveAsync(string queue, Duration lease, CancellationToken cancellationToken)
    {
        MessageQueueRules.ValidateQueue(queue);
        MessageQueueRules.ValidateLease(lease);
        return _database.WriteAsync(session => Receive(session, queue, lease), cancellationToken);
    }

    private LeasedMessage? Receive(SqliteSession session, string queue, Duration lease)
    {
        var now = _clock.GetCurrentInstant();
        while (true)
        {
            Row? next;
            using (var reader = session.Query("""
                SELECT sequence, message_id, body, enqueued_at, delivery_count, last_reason FROM queue_messages
                WHERE queue = $1 AND visible_at <= $2
                ORDER BY priority DESC, visible_at, sequence
                LIMIT 1
                """, queue, Ticks(now)))
            {
                next = reader.Read()
                    ? new Row(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), Instant.FromUnixTimeTicks(reader.GetInt64(3)),
                        reader.GetInt32(4), reader.IsDBNull(5) ? null : reader.GetString(5))
                    : null;
            }
            if (next is null)
            {
                return null;
            }

            // Deliverable yet already delivered MaxDeliveryCount times: its last lease ended
            // unsettled (an abandon would have dead-lettered it on the spot).
            if (next.DeliveryCount >= _options.MaxDeliveryCount)
            {
                DeadLetter(session, next.Sequence, now, $"Lease ended without completion on delivery {next.DeliveryCount}"
                    + (next.LastReason is null ? "." : $"; last abandoned because: {next.LastReason}"));
                continue;
            }

            var deliveryCount = next.DeliveryCount + 1;
            var lockToken = $"{next.Sequence}:{deliveryCount}";
            var lockedUntil = now + lease;
            session.Execute("UPDATE queue_messages SET delivery_count = $1, lock_token = $2, visible_at = $3 WHERE sequence = $4",
                deliveryCount, lockToken, Ticks(lockedUntil), next.Sequence);
            return new LeasedMessage(queue, next.MessageId, next.Body, deliveryCount, next.EnqueuedAt, lockToken, lockedUntil);
        }
    }

    public Task CompleteAsync(LeasedMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _database.WriteAsync(session =>
            session.Execute("DELETE FROM queue_messages WHERE queue = $1 AND lock_token = $2", message.Queue, message.LockToken) == 0
                ? throw new MessageLockLostException(message.Queue, message.MessageId)
                : true, cancellationToken);
    }

    public Task AbandonAsync(LeasedMessage message, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(reason);
        return _database.WriteAsync(session =>
        {
            var now = _clock.GetCurrentInstant();
            long sequence;
            int deliveryCount;
            using (var reader = session.Query("SELECT sequence, delivery_count FROM queue_messages WHERE queue = $1 AND lock_token = $2", message.Queue, message.LockToken))
            {
                if (!reader.Read())
                {
                    throw new MessageLockLostException(message.Queue, message.MessageId);
                }
                (sequence, deliveryCount) = (reader.GetInt64(0), reader.GetInt32(1));
            }

            if (deliveryCount >= _options.MaxDeliveryCount)
            {
                DeadLetter(session, sequence, now, reason);
            }
            else
            {
                session.Execute("UPDATE queue_messages SET lock_token = NULL, visible_at = $1, last_reason = $2 WHERE sequence = $3",
                    Ticks(now + _options.RetryDelay(deliveryCount)), reason, sequence);
            }
            return true;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string queue, CancellationToken cancellationToken)
    {
        MessageQueueRules.ValidateQueue(queue);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<IReadOnlyList<DeadLetter>>(_database.Read(session =>
        {
            using var reader = session.Query("""
                SELECT message_id, body, delivery_count, enqueued_at, dead_lettered_at, reason FROM queue_dead_letters
                WHERE queue = $1 ORDER BY dead_lettered_at, sequence
                """, queue);
            var deadLetters = new List<DeadLetter>();
            while (reader.Read())
            {
                deadLetters.Add(new DeadLetter(queue, reader.GetString(0), reader.GetString(1), reader.GetInt32(2),
                    Instant.FromUnixTimeTicks(reader.GetInt64(3)), Instant.FromUnixTimeTicks(reader.GetInt64(4)), reader.GetString(5)));
            }
            return deadLetters;
        }));
    }

    /// <summary>How many dead letters each queue holds (every queue that has any).</summary>
    public IReadOnlyDictionary<string, long> CountDeadLetters() =>
        _database.Read(session =>
        {
            using var reader = session.Query("SELECT queue, count(*) FROM queue_dead_letters GROUP BY queue ORDER BY queue");
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            while (reader.Read())
            {
                counts[reader.GetString(0)] = reader.GetInt64(1);
            }
            return counts;
        });

    /// <summary>Sends dead letters of <paramref name="queue"/> back to it, as new deliveries (count zero, deliverable
    /// now, duplicate detection not applied: a person asked for them); only <paramref name="messageId"/>'s when given.</summary>
    /// <returns>The dead letters sent back.</returns>
    public Task<IReadOnlyList<DeadLetter>> ReplayDeadLettersAsync(string queue, string? messageId, CancellationToken cancellationToken)
    {
        MessageQueueRules.ValidateQueue(queue);
        return _database.WriteAsync<IReadOnlyList<DeadLetter>>(session =>
        {
            var now = _clock.GetCurrentInstant();
            var replayed = new List<(long Sequence, DeadLetter Letter)>();
            using (var reader = session.Query("""
                SELECT sequence, message_id, body, delivery_count, enqueued_at, dead_lettered_at, reason FROM queue_dead_letters
                WHERE queue = $1 AND ($2 IS NULL OR message_id = $2) ORDER BY dead_lettered_at, sequence
                """, queue, messageId))
            {
                while (reader.Read())
                {
                    replayed.Add((reader.GetInt64(0), new DeadLetter(queue, reader.GetString(1), reader.GetString(2), reader.GetInt32(3),
                        Instant.FromUnixTimeTicks(reader.GetInt64(4)), Instant.FromUnixTimeTicks(reader.GetInt64(5)), reader.GetString(6))));
                }
            }
            foreach (var (sequence, _) in replayed)
            {
                session.Execute("""
                    INSERT INTO queue_messages (queue, message_id, body, priority, enqueued_at, visible_at)
                    SELECT queue, message_id, body, priority, $1, $1 FROM queue_dead_letters WHERE sequence = $2
                    """, Ticks(now), sequence);
                session.Execute("DELETE FROM queue_dead_letters WHERE sequence = $1", sequence);
            }
            return [.. replayed.Select(r => r.Letter)];
        }, cancellationToken);
    }

    private static void DeadLetter(SqliteSession session, long sequence, Instant now, string reason)
    {
        session.Execute("""
            INSERT INTO queue_dead_letters (sequence, queue, message_id, body, priority, enqueued_at, delivery_count, dead_lettered_at, reason)
            SELECT sequence, queue, message_id, body, priority, enqueued_at, delivery_count, $1, $2 FROM queue_messages WHERE sequence = $3
            """, Ticks(now), reason, sequence);
        session.Execute("DELETE FROM queue_messages WHERE sequence = $1", sequence);
    }

    private static long Ticks(Instant instant) => instant.ToUnixTimeTicks();

    private sealed record Row(long Sequence, string MessageId, string Body, Instant EnqueuedAt, int DeliveryCount, string? LastReason);
}
