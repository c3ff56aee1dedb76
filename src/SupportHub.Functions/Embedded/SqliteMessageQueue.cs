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
            var forget = writer.Command("DELETE FROM queue_seen_ids WHERE accepted_at <= $cutoff");
            forget.Parameters.AddWithValue("$cutoff", Ticks(now - _options.DuplicateDetectionWindow));
            forget.ExecuteNonQuery();
        }

        var sent = 0;
        foreach (var message in messages)
        {
            if (detectDuplicates)
            {
                var remember = writer.Command(
                    "INSERT INTO queue_seen_ids (queue, message_id, accepted_at) VALUES ($queue, $id, $now) ON CONFLICT DO NOTHING");
                remember.Parameters.AddWithValue("$queue", queue);
                remember.Parameters.AddWithValue("$id", message.MessageId);
                remember.Parameters.AddWithValue("$now", Ticks(now));
                if (remember.ExecuteNonQuery() == 0)
                {
                    continue;
                }
            }

            var insert = writer.Command(
                """
                INSERT INTO queue_messages (queue, message_id, body, enqueued_at, visible_at)
                VALUES ($queue, $id, $body, $now, $visible)
                """);
            insert.Parameters.AddWithValue("$queue", queue);
            insert.Parameters.AddWithValue("$id", message.MessageId);
            insert.Parameters.AddWithValue("$body", message.Body);
            insert.Parameters.AddWithValue("$now", Ticks(now));
            insert.Parameters.AddWithValue("$visible", Ticks(message.ScheduledFor is { } at && at > now ? at : now));
            insert.ExecuteNonQuery();
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
            var take = writer.Command(
                "UPDATE queue_messages SET delivery_count = $count, lock_token = $token, visible_at = $until WHERE sequence = $sequence");
            take.Parameters.AddWithValue("$count", deliveryCount);
            take.Parameters.AddWithValue("$token", lockToken);
            take.Parameters.AddWithValue("$until", Ticks(lockedUntil));
            take.Parameters.AddWithValue("$sequence", next.Sequence);
            take.ExecuteNonQuery();
            return new LeasedMessage(queue, next.MessageId, next.Body, deliveryCount, next.EnqueuedAt, lockToken, lockedUntil);
        }
    }

    public Task CompleteAsync(LeasedMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _database.WriteAsync(writer =>
        {
            var delete = writer.Command("DELETE FROM queue_messages WHERE queue = $queue AND lock_token = $token");
            delete.Parameters.AddWithValue("$queue", message.Queue);
            delete.Parameters.AddWithValue("$token", message.LockToken);
            return delete.ExecuteNonQuery() == 0 ? throw new MessageLockLostException(message.Queue, message.MessageId) : true;
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
            var find = writer.Command("SELECT sequence, delivery_count FROM queue_messages WHERE queue = $queue AND lock_token = $token");
            find.Parameters.AddWithValue("$queue", message.Queue);
            find.Parameters.AddWithValue("$token", message.LockToken);
            using (var reader = find.ExecuteReader())
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
                var release = writer.Command(
                    "UPDATE queue_messages SET lock_token = NULL, visible_at = $now, last_reason = $reason WHERE sequence = $sequence");
                release.Parameters.AddWithValue("$now", Ticks(now));
                release.Parameters.AddWithValue("$reason", reason);
                release.Parameters.AddWithValue("$sequence", sequence);
                release.ExecuteNonQuery();
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
        var select = writer.Command(
            """
            SELECT sequence, message_id, body, enqueued_at, delivery_count, last_reason FROM queue_messages
            WHERE queue = $queue AND visible_at <= $now
            ORDER BY visible_at, sequence
            LIMIT 1
            """);
        select.Parameters.AddWithValue("$queue", queue);
        select.Parameters.AddWithValue("$now", Ticks(now));
        using var reader = select.ExecuteReader();
        return reader.Read()
            ? new Row(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                Instant.FromUnixTimeTicks(reader.GetInt64(3)),
                reader.GetInt32(4),
                reader.IsDBNull(5) ? null : reader.GetString(5))
            : null;
    }

    private static void DeadLetter(SqliteWriter writer, long sequence, Instant now, string reason)
    {
        var move = writer.Command(
            """
            INSERT INTO queue_dead_letters (sequence, queue, message_id, body, enqueued_at, delivery_count, dead_lettered_at, reason)
            SELECT sequence, queue, message_id, body, enqueued_at, delivery_count, $now, $reason FROM queue_messages WHERE sequence = $sequence
            """);
        move.Parameters.AddWithValue("$now", Ticks(now));
        move.Parameters.AddWithValue("$reason", reason);
        move.Parameters.AddWithValue("$sequence", sequence);
        move.ExecuteNonQuery();
        var delete = writer.Command("DELETE FROM queue_messages WHERE sequence = $sequence");
        delete.Parameters.AddWithValue("$sequence", sequence);
        delete.ExecuteNonQuery();
    }

    private static long Ticks(Instant instant) => instant.ToUnixTimeTicks();

    private sealed record Row(long Sequence, string MessageId, string Body, Instant EnqueuedAt, int DeliveryCount, string? LastReason);
}
