using Microsoft.Data.Sqlite;
using NodaTime;
using SupportHub.Workflows;

namespace SupportHub.Functions.Embedded;

// The embedded hub's durable queue (contract: MessageQueueContract; semantics: MessageQueue.cs).
// A message is a row; its visible_at says when it may be delivered next: the send time, its
// ScheduledFor, the end of its current lease, or the moment it was abandoned. Receiving takes the
// deliverable row with the smallest (visible_at, sequence) and pushes visible_at to the end of the
// lease in the same write (every write runs on the file's single writer, SqliteWriter), so two consumers (threads or processes) never hold one message at
// once, and a consumer that dies holding it simply lets the lease run out: at-least-once delivery
// with nothing in memory to lose.
//
// Duplicate detection (decided here, documented in MessageQueue.cs): a MessageId accepted on a
// queue is remembered for DuplicateDetectionWindow from its first acceptance, whether or not the
// message has been consumed since; a send of a remembered id is dropped and reported as a success,
// like Service Bus. The lock token names one delivery ("sequence:deliveryCount"), so Complete or
// Abandon of an earlier delivery fails with MessageLockLostException.

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

    /// <summary>The file this queue lives in.</summary>
    public SqliteDatabase Database => _database;

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

        await _database.WriteAsync(writer => Send(writer, queue, messages), cancellationToken);
    }

    /// <summary>For work running on the writer: sends in the writer's current transaction.</summary>
    /// <param name="detectDuplicates">False only when the caller's own transaction already guarantees the
    /// messages are sent once (intake's decision Create): then no duplicate-id row is kept for them.</param>
    internal int Send(SqliteWriter writer, string queue, IReadOnlyList<OutgoingMessage> messages, bool detectDuplicates = true)
    {
        var now = _clock.GetCurrentInstant();
        if (detectDuplicates)
        {
            writer.Statement("DELETE FROM queue_seen_ids WHERE accepted_at <= ?1")
                .Bind(1, Ticks(now - _options.DuplicateDetectionWindow))
                .Execute();
        }

        var sent = 0;
        foreach (var message in messages)
        {
            if (detectDuplicates)
            {
                var remembered = writer.Statement(
                    "INSERT INTO queue_seen_ids (queue, message_id, accepted_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING")
                    .Bind(1, queue)
                    .Bind(2, message.MessageId)
                    .Bind(3, Ticks(now))
                    .Execute();
                if (remembered == 0)
                {
                    continue;
                }
            }

            writer.Statement(
                """
                INSERT INTO queue_messages (queue, message_id, body, enqueued_at, visible_at)
                VALUES (?1, ?2, ?3, ?4, ?5)
                """)
                .Bind(1, queue)
                .Bind(2, message.MessageId)
                .Bind(3, message.Body)
                .Bind(4, Ticks(now))
                .Bind(5, Ticks(message.ScheduledFor is { } at && at > now ? at : now))
                .Execute();
            sent++;
        }
        return sent;
    }

    public Task<LeasedMessage?> ReceiveAsync(string queue, Duration lease, CancellationToken cancellationToken)
    {
        MessageQueueRules.ValidateQueue(queue);
        MessageQueueRules.ValidateLease(lease);
        return _database.WriteAsync(writer => Receive(writer, queue, lease), cancellationToken);
    }

    private LeasedMessage? Receive(SqliteWriter writer, string queue, Duration lease)
    {
        var now = _clock.GetCurrentInstant();
        while (true)
        {
            var next = NextDeliverable(writer, queue, now);
            if (next is null)
            {
                return null;
            }

            // Deliverable yet already delivered MaxDeliveryCount times: its last lease ended
            // unsettled (an abandon would have dead-lettered it on the spot).
            if (next.DeliveryCount >= _options.MaxDeliveryCount)
            {
                var reason = $"Lease ended without completion on delivery {next.DeliveryCount}"
                    + (next.LastReason is null ? "." : $"; last abandoned because: {next.LastReason}");
                DeadLetter(writer, next.Sequence, now, reason);
                continue;
            }

            var deliveryCount = next.DeliveryCount + 1;
            var lockToken = $"{next.Sequence}:{deliveryCount}";
            var lockedUntil = now + lease;
            writer.Statement(
                "UPDATE queue_messages SET delivery_count = ?1, lock_token = ?2, visible_at = ?3 WHERE sequence = ?4")
                .Bind(1, deliveryCount)
                .Bind(2, lockToken)
                .Bind(3, Ticks(lockedUntil))
                .Bind(4, next.Sequence)
                .Execute();
            return new LeasedMessage(queue, next.MessageId, next.Body, deliveryCount, next.EnqueuedAt, lockToken, lockedUntil);
        }
    }

    public Task CompleteAsync(LeasedMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _database.WriteAsync(writer =>
        {
            var deleted = writer.Statement("DELETE FROM queue_messages WHERE queue = ?1 AND lock_token = ?2")
                .Bind(1, message.Queue)
                .Bind(2, message.LockToken)
                .Execute();
            return deleted == 0 ? throw new MessageLockLostException(message.Queue, message.MessageId) : true;
        }, cancellationToken);
    }

    public Task AbandonAsync(LeasedMessage message, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(reason);
        return _database.WriteAsync(writer =>
        {
            var now = _clock.GetCurrentInstant();
            long sequence;
            int deliveryCount;
            using (var reader = writer.Statement("SELECT sequence, delivery_count FROM queue_messages WHERE queue = ?1 AND lock_token = ?2")
                .Bind(1, message.Queue)
                .Bind(2, message.LockToken)
                .Query())
            {
                if (!reader.Read())
                {
                    throw new MessageLockLostException(message.Queue, message.MessageId);
                }

                (sequence, deliveryCount) = (reader.GetInt64(0), reader.GetInt32(1));
            }

            if (deliveryCount >= _options.MaxDeliveryCount)
            {
                DeadLetter(writer, sequence, now, reason);
            }
            else
            {
                writer.Statement(
                    "UPDATE queue_messages SET lock_token = NULL, visible_at = ?1, last_reason = ?2 WHERE sequence = ?3")
                    .Bind(1, Ticks(now))
                    .Bind(2, reason)
                    .Bind(3, sequence)
                    .Execute();
            }
            return true;
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string queue, CancellationToken cancellationToken)
    {
        MessageQueueRules.ValidateQueue(queue);
        await using var connection = await _database.OpenReadAsync(cancellationToken);
        await using var select = connection.CreateCommand();
        select.CommandText = """
            SELECT message_id, body, delivery_count, enqueued_at, dead_lettered_at, reason FROM queue_dead_letters
            WHERE queue = $queue ORDER BY dead_lettered_at, sequence
            """;
        select.Parameters.AddWithValue("$queue", queue);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        var deadLetters = new List<DeadLetter>();
        while (await reader.ReadAsync(cancellationToken))
        {
            deadLetters.Add(new DeadLetter(
                queue,
                reader.GetString(0),
                reader.GetString(1),
                reader.GetInt32(2),
                Instant.FromUnixTimeTicks(reader.GetInt64(3)),
                Instant.FromUnixTimeTicks(reader.GetInt64(4)),
                reader.GetString(5)));
        }

        return deadLetters;
    }

    private static Row? NextDeliverable(SqliteWriter writer, string queue, Instant now)
    {
        using var reader = writer.Statement(
            """
            SELECT sequence, message_id, body, enqueued_at, delivery_count, last_reason FROM queue_messages
            WHERE queue = ?1 AND visible_at <= ?2
            ORDER BY visible_at, sequence
            LIMIT 1
            """)
            .Bind(1, queue)
            .Bind(2, Ticks(now))
            .Query();
        return reader.Read()
            ? new Row(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                Instant.FromUnixTimeTicks(reader.GetInt64(3)),
                reader.GetInt32(4),
                reader.GetStringOrNull(5))
            : null;
    }

    private static void DeadLetter(SqliteWriter writer, long sequence, Instant now, string reason)
    {
        writer.Statement(
            """
            INSERT INTO queue_dead_letters (sequence, queue, message_id, body, enqueued_at, delivery_count, dead_lettered_at, reason)
            SELECT sequence, queue, message_id, body, enqueued_at, delivery_count, ?1, ?2 FROM queue_messages WHERE sequence = ?3
            """)
            .Bind(1, Ticks(now))
            .Bind(2, reason)
            .Bind(3, sequence)
            .Execute();
        writer.Statement("DELETE FROM queue_messages WHERE sequence = ?1").Bind(1, sequence).Execute();
    }

    private static long Ticks(Instant instant) => instant.ToUnixTimeTicks();

    private sealed record Row(long Sequence, string MessageId, string Body, Instant EnqueuedAt, int DeliveryCount, string? LastReason);
}
