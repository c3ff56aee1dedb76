using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NodaTime;
using SupportHub.Embedded;
using SupportHub.Functions.Workflows;
using SupportHub.Storage;
using SupportHub.Workflows;
using SupportHub.Functions.Tests.Hosting;
using SupportHub.Testing;
using SupportHub.Storage.InMemory;

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
        Assert.Equal([new QueueDelivery(QueueNames.TicketsInbound, "m1", "{\"n\":1}", 1)], _handler.Received);
        Assert.Null(await _queue.ReceiveAsync(QueueNames.TicketsInbound, Duration.FromMinutes(1), CancellationToken.None));
    }

    [Fact]
    public async Task PumpOnce_HandlerThrows_AbandonsUntilDeadLetteredWithTheExceptionMessage()
    {
        _handler.Failure = new InvalidOperationException("Graph answered 429");
        await _queue.SendAsync(QueueNames.TicketsInbound, new OutgoingMessage("m1", "{}"), CancellationToken.None);
        var pump = Pump();

        // Abandoned, so delivered again after its first retry delay (1 s), then dead-lettered at MaxDeliveryCount 2.
        Assert.True(await pump.PumpOnceAsync(QueueNames.TicketsInbound, CancellationToken.None));
        Assert.False(await pump.PumpOnceAsync(QueueNames.TicketsInbound, CancellationToken.None));
        _clock.Advance(NodaTime.Duration.FromSeconds(1));
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
        var handled = new TaskCompletionSource<QueueDelivery>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var hub = new HubFactory(
            data.Path,
            new Dictionary<string, string?> { ["SupportHub:Queues:PollInterval"] = "00:00:00.050" },
            services => services
                .AddSingleton(handled)
                .AddQueueHandler<SignallingHandler>(queue));
        var sender = hub.Services.GetRequiredService<IMessageSender>();

        await sender.SendAsync(queue, new OutgoingMessage("timer-1", "{\"ack\":\"elapsed\"}"), CancellationToken.None);
        var message = await handled.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(new QueueDelivery(queue, "timer-1", "{\"ack\":\"elapsed\"}", 1), message);
    }

    private QueuePump Pump(IServiceCollection? services = null, QueuePumpOptions? options = null)
    {
        services ??= new ServiceCollection().AddQueueHandler<RecordingHandler>(QueueNames.TicketsInbound);
        services.AddSingleton(_handler);
        var provider = services.BuildServiceProvider();
        return new QueuePump(
            _queue,
            provider.GetServices<QueueHandlerRegistration>(),
            provider.GetRequiredService<IServiceScopeFactory>(),
            Options.Create(options ?? new QueuePumpOptions()),
            NullLogger<QueuePump>.Instance);
    }

    private sealed class RecordingHandler : IQueueHandler
    {
        public List<QueueDelivery> Received { get; } = [];

        public Exception? Failure { get; set; }

        public Task HandleAsync(QueueDelivery message, CancellationToken cancellationToken)
        {
            Received.Add(message);
            return Failure is null ? Task.CompletedTask : Task.FromException(Failure);
        }
    }

    private sealed class OtherHandler : IQueueHandler
    {
        public Task HandleAsync(QueueDelivery message, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class SignallingHandler(TaskCompletionSource<QueueDelivery> handled) : IQueueHandler
    {
        public Task HandleAsync(QueueDelivery message, CancellationToken cancellationToken)
        {
            handled.TrySetResult(message);
            return Task.CompletedTask;
        }
    }
}
