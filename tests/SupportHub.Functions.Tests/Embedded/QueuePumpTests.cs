using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NodaTime;
using SupportHub.Functions.Embedded;
using SupportHub.Functions.Queues;
using SupportHub.Functions.Tests.Hosting;
using SupportHub.Testing;
using SupportHub.Workflows;
using SupportHub.Workflows.InMemory;

namespace SupportHub.Functions.Tests.Embedded;

public sealed class QueuePumpTests
{
    private readonly FakeClock _clock = FakeClock.AtEpoch();
    private readonly InMemoryMessageQueue _queue;
    private readonly RecordingHandler _handler = new();

    public QueuePumpTests()
    {
        _queue = new InMemoryMessageQueue(_clock, new MessageQueueOptions { MaxDeliveryCount = 2 });
    }

    [Fact]
    public async Task PumpOnce_EmptyQueue_ReturnsFalseAndCallsNoHandler()
    {
        var handled = await Pump().PumpOnceAsync(QueueNames.TicketsInbound, CancellationToken.None);

        Assert.False(handled);
        Assert.Empty(_handler.Received);
    }

    [Fact]
    public async Task PumpOnce_HandlerSucceeds_PassesTheMessageAndCompletesIt()
    {
        await _queue.SendAsync(QueueNames.TicketsInbound, new OutgoingMessage("m1", "{\"n\":1}"), CancellationToken.None);

        var handled = await Pump().PumpOnceAsync(QueueNames.TicketsInbound, CancellationToken.None);
        _clock.Advance(Duration.FromHours(1));

        Assert.True(handled);
        Assert.Equal([new InboundMessage(QueueNames.TicketsInbound, "m1", "{\"n\":1}", 1)], _handler.Received);
        Assert.Null(await _queue.ReceiveAsync(QueueNames.TicketsInbound, Duration.FromMinutes(1), CancellationToken.None));
    }

    [Fact]
    public async Task PumpOnce_HandlerThrows_AbandonsUntilDeadLetteredWithTheExceptionMessage()
    {
        _handler.Failure = new InvalidOperationException("Graph answered 429");
        await _queue.SendAsync(QueueNames.TicketsInbound, new OutgoingMessage("m1", "{}"), CancellationToken.None);
        var pump = Pump();

        // Abandoned, so delivered again at once (no lease to wait out), then dead-lettered at MaxDeliveryCount 2.
        Assert.True(await pump.PumpOnceAsync(QueueNames.TicketsInbound, CancellationToken.None));
        Assert.True(await pump.PumpOnceAsync(QueueNames.TicketsInbound, CancellationToken.None));
        Assert.False(await pump.PumpOnceAsync(QueueNames.TicketsInbound, CancellationToken.None));

        Assert.Equal([1, 2], _handler.Received.Select(m => m.DeliveryCount));
        var dead = Assert.Single(await _queue.ListDeadLettersAsync(QueueNames.TicketsInbound, CancellationToken.None));
        Assert.Equal(("m1", "Graph answered 429"), (dead.MessageId, dead.Reason));
    }

    [Fact]
    public async Task PumpOnce_OtherQueue_LeavesTheMessageAlone()
    {
        await _queue.SendAsync(QueueNames.WorkflowEvents, new OutgoingMessage("m1", "{}"), CancellationToken.None);

        Assert.False(await Pump().PumpOnceAsync(QueueNames.TicketsInbound, CancellationToken.None));
        Assert.NotNull(await _queue.ReceiveAsync(QueueNames.WorkflowEvents, Duration.FromMinutes(1), CancellationToken.None));
    }

    [Fact]
    public void Construct_TwoHandlersForOneQueue_Throws()
    {
        var services = new ServiceCollection()
            .AddQueueHandler<RecordingHandler>(QueueNames.TicketsInbound)
            .AddQueueHandler<OtherHandler>(QueueNames.TicketsInbound);

        var failure = Assert.Throws<InvalidOperationException>(() => Pump(services));

        Assert.Contains(QueueNames.TicketsInbound, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_HubWithARegisteredHandler_DeliversASentMessageToIt()
    {
        // The real hub: SQLite queue, hosted pump, real clock; the handler says when it has run. A queue
        // of its own, since the hub's queues already have their handlers.
        const string queue = "pump-test";
        using var data = new TemporaryDirectory();
        var handled = new TaskCompletionSource<InboundMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var hub = new HubFactory(
            data.Path,
            new Dictionary<string, string?> { ["SupportHub:Queues:PollInterval"] = "00:00:00.050" },
            services => services
                .AddSingleton(handled)
                .AddQueueHandler<SignallingHandler>(queue));
        var sender = hub.Services.GetRequiredService<IMessageSender>();

        await sender.SendAsync(queue, new OutgoingMessage("timer-1", "{\"ack\":\"elapsed\"}"), CancellationToken.None);
        var message = await handled.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(new InboundMessage(queue, "timer-1", "{\"ack\":\"elapsed\"}", 1), message);
    }

    [Fact]
    public void IntakeActivity_AFewRequestsAtATime_IsNotBusy()
    {
        var intake = new Functions.Intake.IntakeActivity(new ManualTimeProvider());
        for (var i = 0; i < 100; i++)
        {
            using var one = intake.Enter();
            using var two = intake.Enter();
            Assert.False(intake.Busy);
        }
    }

    [Fact]
    public async Task Run_WhileIntakeIsBusy_OnlyConcurrencyDuringIntakeWorkersHandle_ThenAllOfThem()
    {
        var time = new ManualTimeProvider();
        var intake = new Functions.Intake.IntakeActivity(time);
        var gate = new GateHandler();
        for (var i = 0; i < 4; i++)
        {
            await _queue.SendAsync(QueueNames.TicketsInbound, new OutgoingMessage($"m{i}", "{}"), CancellationToken.None);
        }
        var services = new ServiceCollection().AddQueueHandler<GateHandler>(QueueNames.TicketsInbound).AddSingleton(gate);
        var pump = Pump(services, new QueuePumpOptions { Concurrency = 4, ConcurrencyDuringIntake = 1, PollInterval = TimeSpan.FromMilliseconds(10) }, intake);

        Assert.False(intake.Busy);
        var requests = Enumerable.Range(0, Functions.Intake.IntakeActivity.DefaultBusyAt).Select(_ => intake.Enter()).ToList();
        Assert.True(intake.Busy);
        await pump.StartAsync(CancellationToken.None);
        try
        {
            await gate.WaitForRunningAsync(1);
            await Task.Delay(300); // time enough for the other three workers to take a message, were they running
            Assert.Equal(1, gate.MostAtOnce);

            requests.ForEach(request => request.Dispose());
            Assert.True(intake.Busy); // the pump still gives way for a moment after the last request
            time.Advance(Functions.Intake.IntakeActivity.Linger);
            Assert.False(intake.Busy);
            await gate.WaitForRunningAsync(4);
            Assert.Equal(4, gate.MostAtOnce);
        }
        finally
        {
            gate.Release();
            await pump.StopAsync(CancellationToken.None);
        }
    }

    private QueuePump Pump(IServiceCollection? services = null, QueuePumpOptions? options = null, Functions.Intake.IntakeActivity? intake = null)
    {
        services ??= new ServiceCollection().AddQueueHandler<RecordingHandler>(QueueNames.TicketsInbound);
        services.AddSingleton(_handler);
        var provider = services.BuildServiceProvider();
        return new QueuePump(
            _queue,
            provider.GetServices<QueueHandlerRegistration>(),
            provider.GetRequiredService<IServiceScopeFactory>(),
            Options.Create(options ?? new QueuePumpOptions()),
            NullLogger<QueuePump>.Instance,
            intake);
    }

    private sealed class ManualTimeProvider : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }

    /// <summary>Holds every message until released, counting how many handlers run at once.</summary>
    private sealed class GateHandler : IQueueHandler
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _running;
        private int _most;

        public int MostAtOnce => Volatile.Read(ref _most);

        public async Task HandleAsync(InboundMessage message, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _running);
            int most;
            while (now > (most = Volatile.Read(ref _most)) && Interlocked.CompareExchange(ref _most, now, most) != most)
            {
            }
            await _released.Task.WaitAsync(cancellationToken);
            Interlocked.Decrement(ref _running);
        }

        public async Task WaitForRunningAsync(int count)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (Volatile.Read(ref _running) < count)
            {
                Assert.True(DateTime.UtcNow < deadline, $"{Volatile.Read(ref _running)} handlers running, expected {count}.");
                await Task.Delay(10);
            }
        }

        public void Release() => _released.TrySetResult();
    }

    private sealed class RecordingHandler : IQueueHandler
    {
        public List<InboundMessage> Received { get; } = [];

        public Exception? Failure { get; set; }

        public Task HandleAsync(InboundMessage message, CancellationToken cancellationToken)
        {
            Received.Add(message);
            return Failure is null ? Task.CompletedTask : Task.FromException(Failure);
        }
    }

    private sealed class OtherHandler : IQueueHandler
    {
        public Task HandleAsync(InboundMessage message, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class SignallingHandler(TaskCompletionSource<InboundMessage> handled) : IQueueHandler
    {
        public Task HandleAsync(InboundMessage message, CancellationToken cancellationToken)
        {
            handled.TrySetResult(message);
            return Task.CompletedTask;
        }
    }
}
