using Microsoft.Data.Sqlite;
using NodaTime;
using SupportHub.Workflows;

namespace SupportHub.Functions.Embedded;

// The embedded hub's durable queue (contract: MessageQueueContract; semantics: MessageQueue.cs).
// A message is a row; its visible_at says when it may be delivered next: the send time, its
// ScheduledFor, the end of its current lease, or the moment it was abandoned. Receiving takes the
// deliverable row with the smallest (visible_at, sequence) and pushes visible_at to the end of the
// lease in the same transaction, so two consumers (threads or processes) never hold one message at
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

        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var now = _clock.GetCurrentInstant();

        await using (var forget = Command(transaction, "DELETE FROM queue_seen_ids WHERE accepted_at <= $cutoff"))
        {
            forget.Parameters.AddWithValue("$cutoff", Ticks(now - _options.DuplicateDetectionWindow));
            await forget.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var message in messages)
        {
            await using var remember = Command(
                transaction,
                "INSERT INTO queue_seen_ids (queue, message_id, accepted_at) VALUES ($queue, $id, $now) ON CONFLICT DO NOTHING");
            remember.Parameters.AddWithValue("$queue", queue);
            remember.Parameters.AddWithValue("$id", message.MessageId);
            remember.Parameters.AddWithValue("$now", Ticks(now));
            if (await remember.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                continue;
            }

            await using var insert = Command(
                transaction,
                """
                INSERT INTO queue_messages (queue, message_id, body, enqueued_at, visible_at)
                VALUES ($queue, $id, $body, $now, $visible)
                """);
            insert.Parameters.AddWithValue("$queue", queue);
            insert.Parameters.AddWithValue("$id", message.MessageId);
            insert.Parameters.AddWithValue("$body", message.Body);
            insert.Parameters.AddWithValue("$now", Ticks(now));
            insert.Parameters.AddWithValue("$visible", Ticks(message.ScheduledFor is { } at && at > now ? at : now));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<LeasedMessage?> ReceiveAsync(string queue, Duration lease, CancellationToken cancellationToken)
    {
        MessageQueueRules.ValidateQueue(queue);
        MessageQueueRules.ValidateLease(lease);

        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var now = _clock.GetCurrentInstant();
        while (true)
        {
            var next = await NextDeliverableAsync(transaction, queue, now, cancellationToken);
            if (next is null)
            {
                await transaction.CommitAsync(cancellationToken);
                return null;
            }

            // Deliverable yet already delivered MaxDeliveryCount times: its last lease ended
            // unsettled (an abandon would have dead-lettered it on the spot).
            if (next.DeliveryCount >= _options.MaxDeliveryCount)
            {
                var reason = $"Lease ended without completion on delivery {next.DeliveryCount}"
                    + (next.LastReason is null ? "." : $"; last abandoned because: {next.LastReason}");
                await DeadLetterAsync(transaction, next.Sequence, now, reason, cancellationToken);
                continue;
            }

            var deliveryCount = next.DeliveryCount + 1;
            var lockToken = $"{next.Sequence}:{deliveryCount}";
            var lockedUntil = now + lease;
            await using (var take = Command(
                transaction,
                "UPDATE queue_messages SET delivery_count = $count, lock_token = $token, visible_at = $until WHERE sequence = $sequence"))
            {
                take.Parameters.AddWithValue("$count", deliveryCount);
                take.Parameters.AddWithValue("$token", lockToken);
                take.Parameters.AddWithValue("$until", Ticks(lockedUntil));
                take.Parameters.AddWithValue("$sequence", next.Sequence);
                await take.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            return new LeasedMessage(queue, next.MessageId, next.Body, deliveryCount, next.EnqueuedAt, lockToken, lockedUntil);
        }
    }

    public async Task CompleteAsync(LeasedMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var delete = connection.CreateCommand();
        delete.CommandText = "DELETE FROM queue_messages WHERE queue = $queue AND lock_token = $token";
        delete.Parameters.AddWithValue("$queue", message.Queue);
        delete.Parameters.AddWithValue("$token", message.LockToken);
        if (await delete.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            throw new MessageLockLostException(message.Queue, message.MessageId);
        }
    }

    public async Task AbandonAsync(LeasedMessage message, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(reason);

        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var now = _clock.GetCurrentInstant();

        long sequence;
        int deliveryCount;
        await using (var find = Command(transaction, "SELECT sequence, delivery_count FROM queue_messages WHERE queue = $queue AND lock_token = $token"))
        {
            find.Parameters.AddWithValue("$queue", message.Queue);
            find.Parameters.AddWithValue("$token", message.LockToken);
            await using var reader = await find.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new MessageLockLostException(message.Queue, message.MessageId);
            }

            (sequence, deliveryCount) = (reader.GetInt64(0), reader.GetInt32(1));
        }

        if (deliveryCount >= _options.MaxDeliveryCount)
        {
            await DeadLetterAsync(transaction, sequence, now, reason, cancellationToken);
        }
        else
        {
            await using var release = Command(
                transaction,
                "UPDATE queue_messages SET lock_token = NULL, visible_at = $now, last_reason = $reason WHERE sequence = $sequence");
            release.Parameters.AddWithValue("$now", Ticks(now));
            release.Parameters.AddWithValue("$reason", reason);
            release.Parameters.AddWithValue("$sequence", sequence);
            await release.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string queue, CancellationToken cancellationToken)
    {
        MessageQueueRules.ValidateQueue(queue);
        await using var connection = await _database.OpenAsync(cancellationToken);
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

    private static async Task<Row?> NextDeliverableAsync(SqliteTransaction transaction, string queue, Instant now, CancellationToken cancellationToken)
    {
        await using var select = Command(
            transaction,
            """
            SELECT sequence, message_id, body, enqueued_at, delivery_count, last_reason FROM queue_messages
            WHERE queue = $queue AND visible_at <= $now
            ORDER BY visible_at, sequence
            LIMIT 1
            """);
        select.Parameters.AddWithValue("$queue", queue);
        select.Parameters.AddWithValue("$now", Ticks(now));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new Row(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                Instant.FromUnixTimeTicks(reader.GetInt64(3)),
                reader.GetInt32(4),
                reader.IsDBNull(5) ? null : reader.GetString(5))
            : null;
    }

    private static async Task DeadLetterAsync(SqliteTransaction transaction, long sequence, Instant now, string reason, CancellationToken cancellationToken)
    {
        await using var move = Command(
            transaction,
            """
            INSERT INTO queue_dead_letters (sequence, queue, message_id, body, enqueued_at, delivery_count, dead_lettered_at, reason)
            SELECT sequence, queue, message_id, body, enqueued_at, delivery_count, $now, $reason FROM queue_messages WHERE sequence = $sequence;
            DELETE FROM queue_messages WHERE sequence = $sequence;
            """);
        move.Parameters.AddWithValue("$now", Ticks(now));
        move.Parameters.AddWithValue("$reason", reason);
        move.Parameters.AddWithValue("$sequence", sequence);
        await move.ExecuteNonQueryAsync(cancellationToken);
    }

    private static SqliteCommand Command(SqliteTransaction transaction, string sql)
    {
        var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static long Ticks(Instant instant) => instant.ToUnixTimeTicks();

    private sealed record Row(long Sequence, string MessageId, string Body, Instant EnqueuedAt, int DeliveryCount, string? LastReason);
}
