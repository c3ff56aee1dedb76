using NodaTime;
using SupportHub.Storage;
using SupportHub.Workflows;

namespace SupportHub.Testing.Storage;

// The behaviour every consumable IMessageQueue must show (in-memory, SQLite): Service Bus peek-lock
// semantics as MessageQueue.cs states them. Time is a FakeClock the implementation must read for
// every decision; nothing here waits for real time to pass.

public abstract class MessageQueueContract : IAsyncLifetime
{
    protected static readonly Duration Lease = Duration.FromSeconds(30);

    private IMessageQueue? _queue;

    protected FakeClock Clock { get; } = FakeClock.AtEpoch();

    /// <summary>Three deliveries, so dead-lettering is reached in a few steps (the production default is 10);
    /// retry delays of 1 s and then 2 s, well inside a lease.</summary>
    protected MessageQueueOptions Options { get; } = new()
    {
        MaxDeliveryCount = 3,
        DuplicateDetectionWindow = Duration.FromMinutes(10),
        RetryDelays = [Duration.FromSeconds(1), Duration.FromSeconds(2)],
    };

    protected IMessageQueue Queue => _queue ?? throw new InvalidOperationException("The queue is opened in InitializeAsync.");

    public async Task InitializeAsync() => _queue = await OpenAsync(Clock, Options);

    public async Task DisposeAsync()
    {
        await CloseAsync(Queue);
        await AfterQueueClosedAsync();
    }

    /// <summary>A new, empty queue reading <paramref name="clock"/>.</summary>
    protected abstract Task<IMessageQueue> OpenAsync(FakeClock clock, MessageQueueOptions options);

    /// <summary>Closes <paramref name="queue"/> and opens its storage again, as a restarted process would.
    /// An implementation without durable storage returns the same instance.</summary>
    protected abstract Task<IMessageQueue> ReopenAsync(IMessageQueue queue, FakeClock clock, MessageQueueOptions options);

    protected virtual Task AfterQueueClosedAsync() => Task.CompletedTask;

    protected static async Task CloseAsync(IMessageQueue queue)
    {
        switch (queue)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    private const string Q = QueueNames.WorkflowEvents;

    private static CancellationToken None => CancellationToken.None;

    private static OutgoingMessage Message(string id, Instant? scheduledFor = null) => new(id, $"{{\"id\":\"{id}\"}}", scheduledFor);

    [Fact]
    public async Task Receive_EmptyQueue_ReturnsNull()
    {
        Assert.Null(await Queue.ReceiveAsync(Q, Lease, None));
    }

    [Fact]
    public async Task Receive_SentMessage_DeliversItOnceUnderALease()
    {
        var sentAt = Clock.GetCurrentInstant();
        await Queue.SendAsync(Q, Message("m1"), None);
        Clock.Advance(Duration.FromSeconds(5));

        var received = await Queue.ReceiveAsync(Q, Lease, None);

        Assert.NotNull(received);
        Assert.Equal((Q, "m1", "{\"id\":\"m1\"}", 1), (received.Queue, received.MessageId, received.Body, received.DeliveryCount));
        Assert.Equal(sentAt, received.EnqueuedAt);
        Assert.Equal(Clock.GetCurrentInstant() + Lease, received.LockedUntil);
        Assert.False(string.IsNullOrEmpty(received.LockToken));
        Assert.Null(await Queue.ReceiveAsync(Q, Lease, None));
    }

    [Fact]
    public async Task Receive_SeveralMessages_DeliversInSendOrder()
    {
        foreach (var id in new[] { "m1", "m2", "m3" })
        {
            await Queue.SendAsync(Q, Message(id), None);
        }

        var ids = new List<string>();
        while (await Queue.ReceiveAsync(Q, Lease, None) is { } message)
        {
            ids.Add(message.MessageId);
        }

        Assert.Equal(["m1", "m2", "m3"], ids);
    }

    [Fact]
    public async Task Receive_UrgentSentAfterOrdinaryOnes_GoesFirst_ThenTheRestInOrder()
    {
        // An emergency's page must not wait behind a flood of acknowledgements (bench/page-latency.sh).
        await Queue.SendAsync(Q, Message("m1"), None);
        await Queue.SendAsync(Q, Message("m2"), None);
        await Queue.SendAsync(Q, Message("page1") with { Urgent = true }, None);
        await Queue.SendAsync(Q, Message("m3"), None);
        await Queue.SendAsync(Q, Message("page2") with { Urgent = true }, None);

        var ids = new List<string>();
        while (await Queue.ReceiveAsync(Q, Lease, None) is { } message)
        {
            ids.Add(message.MessageId);
        }

        Assert.Equal(["page1", "page2", "m1", "m2", "m3"], ids);
    }

    [Fact]
    public async Task Receive_UrgentScheduledForLater_WaitsForItsTime()
    {
        // Urgency orders what is due; it never brings a timer forward.
        await Queue.SendAsync(Q, Message("timer", Clock.GetCurrentInstant() + Duration.FromMinutes(15)) with { Urgent = true }, None);
        await Queue.SendAsync(Q, Message("m1"), None);

        Assert.Equal("m1", (await Queue.ReceiveAsync(Q, Lease, None))?.MessageId);
        Assert.Null(await Queue.ReceiveAsync(Q, Lease, None));
    }

    [Fact]
    public async Task Receive_OtherQueue_DoesNotSeeTheMessage()
    {
        await Queue.SendAsync(QueueNames.TicketsInbound, Message("m1"), None);

        Assert.Null(await Queue.ReceiveAsync(QueueNames.NotificationsOutbound, Lease, None));
        Assert.Equal("m1", (await Queue.ReceiveAsync(QueueNames.TicketsInbound, Lease, None))?.MessageId);
    }

    [Fact]
    public async Task Receive_MessageScheduledForT_IsNotDeliveredBeforeTAndIsAtT()
    {
        // A durable timer: the ack window of a page elapses in 15 minutes.
        var t = Clock.GetCurrentInstant() + Duration.FromMinutes(15);
        await Queue.SendAsync(Q, Message("timer", t), None);

        Assert.Null(await Queue.ReceiveAsync(Q, Lease, None));
        Clock.Set(t - Duration.Epsilon);
        Assert.Null(await Queue.ReceiveAsync(Q, Lease, None));
        Clock.Set(t);
        var received = await Queue.ReceiveAsync(Q, Lease, None);

        Assert.Equal("timer", received?.MessageId);
    }

    [Fact]
    public async Task Receive_ScheduledMessageDue_GoesBeforeALaterSentMessage()
    {
        // Availability orders delivery: a timer due at 10:15 precedes a message sent at 10:20.
        var start = Clock.GetCurrentInstant();
        await Queue.SendAsync(Q, Message("timer", start + Duration.FromMinutes(15)), None);
        Clock.Advance(Duration.FromMinutes(20));
        await Queue.SendAsync(Q, Message("late"), None);

        Assert.Equal("timer", (await Queue.ReceiveAsync(Q, Lease, None))?.MessageId);
        Assert.Equal("late", (await Queue.ReceiveAsync(Q, Lease, None))?.MessageId);
    }

    [Fact]
    public async Task Receive_ScheduledInThePast_DeliversNow()
    {
        await Queue.SendAsync(Q, Message("overdue", Clock.GetCurrentInstant() - Duration.FromHours(1)), None);

        Assert.Equal("overdue", (await Queue.ReceiveAsync(Q, Lease, None))?.MessageId);
    }

    [Fact]
    public async Task Receive_LeaseEndsWithoutCompletion_DeliversAgainWithNextCount()
    {
        // The consumer took the message and died: at-least-once means someone gets it again.
        await Queue.SendAsync(Q, Message("m1"), None);
        var first = await Queue.ReceiveAsync(Q, Lease, None);

        Clock.Advance(Lease - Duration.Epsilon);
        Assert.Null(await Queue.ReceiveAsync(Q, Lease, None));
        Clock.Advance(Duration.Epsilon);
        var second = await Queue.ReceiveAsync(Q, Lease, None);

        Assert.NotNull(second);
        Assert.Equal(("m1", 2), (second.MessageId, second.DeliveryCount));
        Assert.NotEqual(first!.LockToken, second.LockToken);
    }

    [Fact]
    public async Task Complete_CurrentLease_RemovesTheMessageForGood()
    {
        await Queue.SendAsync(Q, Message("m1"), None);
        var received = await Queue.ReceiveAsync(Q, Lease, None);

        await Queue.CompleteAsync(received!, None);
        Clock.Advance(Lease * 2);

        Assert.Null(await Queue.ReceiveAsync(Q, Lease, None));
        Assert.Empty(await Queue.ListDeadLettersAsync(Q, None));
    }

    [Fact]
    public async Task Complete_LeaseTakenOverByAnotherDelivery_ThrowsLockLost()
    {
        await Queue.SendAsync(Q, Message("m1"), None);
        var slow = await Queue.ReceiveAsync(Q, Lease, None);
        Clock.Advance(Lease);
        var fast = await Queue.ReceiveAsync(Q, Lease, None);

        var lost = await Assert.ThrowsAsync<MessageLockLostException>(() => Queue.CompleteAsync(slow!, None));
        await Assert.ThrowsAsync<MessageLockLostException>(() => Queue.AbandonAsync(slow!, "too slow", None));

        Assert.Equal((Q, "m1"), (lost.Queue, lost.MessageId));
        await Queue.CompleteAsync(fast!, None);
        Clock.Advance(Lease * 2);
        Assert.Null(await Queue.ReceiveAsync(Q, Lease, None));
    }

    [Fact]
    public async Task Complete_Twice_ThrowsLockLost()
    {
        await Queue.SendAsync(Q, Message("m1"), None);
        var received = await Queue.ReceiveAsync(Q, Lease, None);
        await Queue.CompleteAsync(received!, None);

        await Assert.ThrowsAsync<MessageLockLostException>(() => Queue.CompleteAsync(received!, None));
    }

    [Fact]
    public async Task Abandon_BeforeLastDelivery_DeliversAgainAfterItsRetryDelayWithNextCount()
    {
        await Queue.SendAsync(Q, Message("m1"), None);
        var first = await Queue.ReceiveAsync(Q, Lease, None);

        await Queue.AbandonAsync(first!, "SendGrid answered 503", None);
        Assert.Null(await Queue.ReceiveAsync(Q, Lease, None));
        Clock.Advance(Duration.FromSeconds(1) - Duration.Epsilon);
        Assert.Null(await Queue.ReceiveAsync(Q, Lease, None));
        Clock.Advance(Duration.Epsilon);
        var second = await Queue.ReceiveAsync(Q, Lease, None);

        Assert.Equal(("m1", 2), (second?.MessageId, second?.DeliveryCount));
        Assert.Empty(await Queue.ListDeadLettersAsync(Q, None));
    }

    [Fact]
    public async Task Abandon_Repeatedly_WaitsLongerEachTime_ThenTheLastDelayForEveryLaterDelivery()
    {
        await Queue.SendAsync(Q, Message("m1"), None);
        await Queue.AbandonAsync((await Queue.ReceiveAsync(Q, Lease, None))!, "first", None);
        Clock.Advance(Duration.FromSeconds(1));
        await Queue.AbandonAsync((await Queue.ReceiveAsync(Q, Lease, None))!, "second", None);

        Clock.Advance(Duration.FromSeconds(2) - Duration.Epsilon);
        Assert.Null(await Queue.ReceiveAsync(Q, Lease, None));
        Clock.Advance(Duration.Epsilon);
        Assert.Equal(3, (await Queue.ReceiveAsync(Q, Lease, None))?.DeliveryCount);
        Assert.Equal(Duration.FromSeconds(2), Options.RetryDelay(7));
    }

    [Fact]
    public async Task Abandon_OnLastDelivery_DeadLettersWithTheReason()
    {
        await Queue.SendAsync(Q, Message("m1"), None);
        for (var attempt = 1; attempt <= Options.MaxDeliveryCount; attempt++)
        {
            var received = await Queue.ReceiveAsync(Q, Lease, None);
            Assert.Equal(attempt, received?.DeliveryCount);
            await Queue.AbandonAsync(received!, $"failure {attempt}", None);
            if (attempt < Options.MaxDeliveryCount)
            {
                Clock.Advance(Options.RetryDelay(attempt));
            }
        }

        Clock.Advance(Lease * 2);
        Assert.Null(await Queue.ReceiveAsync(Q, Lease, None));
        var dead = Assert.Single(await Queue.ListDeadLettersAsync(Q, None));
        Assert.Equal((Q, "m1", "{\"id\":\"m1\"}", 3), (dead.Queue, dead.MessageId, dead.Body, dead.DeliveryCount));
        Assert.Equal("failure 3", dead.Reason);
        Assert.Equal(FakeClock.Epoch, dead.EnqueuedAt);
        Assert.Equal(FakeClock.Epoch + Duration.FromSeconds(3), dead.DeadLetteredAt);
    }

    [Fact]
    public async Task Receive_LastLeaseEndedUnsettled_DeadLettersInsteadOfDelivering()
    {
        await Queue.SendAsync(Q, Message("m1"), None);
        for (var attempt = 1; attempt < Options.MaxDeliveryCount; attempt++)
        {
            await Queue.AbandonAsync((await Queue.ReceiveAsync(Q, Lease, None))!, "Graph throttled", None);
            Clock.Advance(Options.RetryDelay(attempt));
        }

        // The last delivery's consumer never settles it.
        Assert.Equal(3, (await Queue.ReceiveAsync(Q, Lease, None))?.DeliveryCount);
        Clock.Advance(Lease);

        Assert.Null(await Queue.ReceiveAsync(Q, Lease, None));
        var dead = Assert.Single(await Queue.ListDeadLettersAsync(Q, None));
        Assert.Equal(3, dead.DeliveryCount);
        Assert.Contains("Graph throttled", dead.Reason, StringComparison.Ordinal);
        Assert.Equal(FakeClock.Epoch + Duration.FromSeconds(3) + Lease, dead.DeadLetteredAt);
    }

    [Fact]
    public async Task ListDeadLetters_OtherQueue_IsEmpty()
    {
        await Queue.SendAsync(Q, Message("m1"), None);
        for (var attempt = 1; attempt <= Options.MaxDeliveryCount; attempt++)
        {
            await Queue.AbandonAsync((await Queue.ReceiveAsync(Q, Lease, None))!, "no", None);
            Clock.Advance(Options.RetryDelay(attempt));
        }

        Assert.Single(await Queue.ListDeadLettersAsync(Q, None));
        Assert.Empty(await Queue.ListDeadLettersAsync(QueueNames.TicketsInbound, None));
    }

    [Fact]
    public async Task Send_SameIdWithinWindow_IsDroppedEvenAfterTheFirstWasCompleted()
    {
        // The runtime re-dispatching its outbox after a crash sends the same ids again.
        await Queue.SendAsync(Q, Message("m1"), None);
        await Queue.CompleteAsync((await Queue.ReceiveAsync(Q, Lease, None))!, None);
        Clock.Advance(Options.DuplicateDetectionWindow - Duration.Epsilon);

        await Queue.SendAsync(Q, new OutgoingMessage("m1", "{\"second\":true}"), None);

        Assert.Null(await Queue.ReceiveAsync(Q, Lease, None));
    }

    [Fact]
    public async Task Send_SameIdWhileTheFirstIsPending_IsDropped()
    {
        await Queue.SendAsync(Q, Message("m1"), None);
        await Queue.SendAsync(Q, new OutgoingMessage("m1", "{\"second\":true}"), None);

        Assert.Equal("{\"id\":\"m1\"}", (await Queue.ReceiveAsync(Q, Lease, None))?.Body);
        Assert.Null(await Queue.ReceiveAsync(Q, Lease, None));
    }

    [Fact]
    public async Task Send_SameIdOnceTheWindowHasPassed_IsAccepted()
    {
        await Queue.SendAsync(Q, Message("m1"), None);
        await Queue.CompleteAsync((await Queue.ReceiveAsync(Q, Lease, None))!, None);
        Clock.Advance(Options.DuplicateDetectionWindow);

        await Queue.SendAsync(Q, new OutgoingMessage("m1", "{\"second\":true}"), None);

        Assert.Equal("{\"second\":true}", (await Queue.ReceiveAsync(Q, Lease, None))?.Body);
    }

    [Fact]
    public async Task Send_SameIdOnAnotherQueue_IsAccepted()
    {
        await Queue.SendAsync(QueueNames.TicketsInbound, Message("m1"), None);
        await Queue.SendAsync(QueueNames.WorkflowEvents, Message("m1"), None);

        Assert.NotNull(await Queue.ReceiveAsync(QueueNames.TicketsInbound, Lease, None));
        Assert.NotNull(await Queue.ReceiveAsync(QueueNames.WorkflowEvents, Lease, None));
    }

    [Fact]
    public async Task SendBatch_WithARepeatedId_DeliversEachIdOnceInOrder()
    {
        var later = Clock.GetCurrentInstant() + Duration.FromHours(1);
        await Queue.SendAsync(Q, Message("earlier"), None);

        await Queue.SendBatchAsync(
            Q,
            [Message("a"), Message("b"), Message("a"), Message("earlier"), Message("timer", later)],
            None);

        var ids = new List<string>();
        while (await Queue.ReceiveAsync(Q, Lease, None) is { } message)
        {
            ids.Add(message.MessageId);
            await Queue.CompleteAsync(message, None);
        }

        Assert.Equal(["earlier", "a", "b"], ids);
        Clock.Set(later);
        Assert.Equal("timer", (await Queue.ReceiveAsync(Q, Lease, None))?.MessageId);
    }

    [Fact]
    public async Task Reopen_AfterClose_KeepsPendingScheduledLeasedDeadLetteredAndSeenIds()
    {
        var start = Clock.GetCurrentInstant();
        await Queue.SendBatchAsync(Q, [Message("leased"), Message("dead")], None);
        Assert.Equal("leased", (await Queue.ReceiveAsync(Q, Lease, None))?.MessageId);
        for (var attempt = 1; attempt <= Options.MaxDeliveryCount; attempt++)
        {
            var dead = await Queue.ReceiveAsync(Q, Lease, None);
            Assert.Equal("dead", dead?.MessageId);
            await Queue.AbandonAsync(dead!, "poison", None);
            Clock.Advance(Options.RetryDelay(attempt));
        }
        await Queue.SendBatchAsync(Q, [Message("pending"), Message("scheduled", start + Duration.FromHours(1))], None);

        var reopened = await ReopenAsync(Queue, Clock, Options);
        _queue = reopened;

        // "pending" was seen before the restart: sending it again is a duplicate.
        await reopened.SendAsync(Q, Message("pending"), None);
        var pending = await reopened.ReceiveAsync(Q, Lease, None);
        Assert.Equal(("pending", 1), Describe(pending));
        await reopened.CompleteAsync(pending!, None);
        Assert.Null(await reopened.ReceiveAsync(Q, Lease, None));
        Clock.Advance(Lease);
        var leased = await reopened.ReceiveAsync(Q, Lease, None);
        Assert.Equal(("leased", 2), Describe(leased));
        await reopened.CompleteAsync(leased!, None);
        Clock.Set(start + Duration.FromHours(1) - Duration.Epsilon);
        Assert.Null(await reopened.ReceiveAsync(Q, Lease, None));
        Clock.Set(start + Duration.FromHours(1));
        Assert.Equal(("scheduled", 1), Describe(await reopened.ReceiveAsync(Q, Lease, None)));
        var deadLetter = Assert.Single(await reopened.ListDeadLettersAsync(Q, None));
        Assert.Equal(("dead", "poison"), (deadLetter.MessageId, deadLetter.Reason));
    }

    private static (string?, int?) Describe(LeasedMessage? message) => (message?.MessageId, message?.DeliveryCount);
}
