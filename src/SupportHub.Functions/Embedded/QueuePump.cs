using Microsoft.Extensions.Options;
using NodaTime;
using SupportHub.Functions.Queues;
using SupportHub.Workflows;

namespace SupportHub.Functions.Embedded;

// The embedded hub's stand-in for the Functions host's Service Bus triggers: it receives from the
// SQLite queue with Concurrency workers (the Functions host's maxConcurrentCalls), each taking one
// message at a time, visiting the queues that have a handler in turn, and calls the handler in a
// fresh DI scope. Handlers are idempotent and the workflow runner settles two messages racing on
// one ticket by its ETag, so concurrent workers are safe; they also let the SQLite writer commit
// many workers' writes together (one fsync) instead of one message's writes at a time. While intake
// is busy only ConcurrencyDuringIntake workers run (see IntakeActivity). Success completes the message; an exception abandons it with the
// exception's message as the reason (the queue retries it and dead-letters it after
// MaxDeliveryCount deliveries). A failure of the queue itself is not caught: it stops the host,
// because a hub that cannot read its own file should not pretend to be healthy.

/// <summary>Dispatches the embedded queue's messages to the registered <see cref="IQueueHandler"/>s.</summary>
public sealed partial class QueuePump : BackgroundService
{
    private readonly IMessageQueue _queue;
    private readonly IReadOnlyList<QueueHandlerRegistration> _registrations;
    private readonly IServiceScopeFactory _scopes;
    private readonly QueuePumpOptions _options;
    private readonly ILogger<QueuePump> _logger;
    private readonly Intake.IntakeActivity? _intake;

    public QueuePump(
        IMessageQueue queue,
        IEnumerable<QueueHandlerRegistration> registrations,
        IServiceScopeFactory scopes,
        IOptions<QueuePumpOptions> options,
        ILogger<QueuePump> logger,
        Intake.IntakeActivity? intake = null)
    {
        _intake = intake;
        _queue = queue;
        _registrations = registrations.ToList();
        _scopes = scopes;
        _options = options.Value;
        _logger = logger;

        var twice = _registrations.GroupBy(r => r.Queue, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
        {
            throw new InvalidOperationException(
                $"Queue '{twice.Key}' has {twice.Count()} handlers ({string.Join(", ", twice.Select(r => r.HandlerType.Name))}); a queue has one.");
        }
    }

    /// <summary>How often a worker that gave way to intake looks again.</summary>
    private static readonly TimeSpan IntakeYield = TimeSpan.FromMilliseconds(50);

    /// <summary>The queues that have a handler, in registration order.</summary>
    public IReadOnlyList<string> Queues => _registrations.Select(r => r.Queue).ToList();

    /// <summary>Receives one message of <paramref name="queue"/>, if one is deliverable, and settles it.</summary>
    /// <returns>Whether a message was handled (successfully or not).</returns>
    public async Task<bool> PumpOnceAsync(string queue, CancellationToken stoppingToken)
    {
        var registration = _registrations.First(r => r.Queue == queue);
        var message = await _queue.ReceiveAsync(queue, Duration.FromTimeSpan(_options.Lease), stoppingToken);
        if (message is null)
        {
            return false;
        }

        try
        {
            await using (var scope = _scopes.CreateAsyncScope())
            {
                var handler = (IQueueHandler)scope.ServiceProvider.GetRequiredService(registration.HandlerType);
                await handler.HandleAsync(
                    new InboundMessage(message.Queue, message.MessageId, message.Body, message.DeliveryCount),
                    stoppingToken);
            }
        }
        catch (Exception exception)
        {
            var reason = stoppingToken.IsCancellationRequested && exception is OperationCanceledException
                ? "The hub stopped while the message was being handled."
                : exception.Message;
            LogHandlerFailed(exception, queue, message.MessageId, message.DeliveryCount, reason);
            await SettleAsync(() => _queue.AbandonAsync(message, reason, CancellationToken.None), message);
            return true;
        }

        await SettleAsync(() => _queue.CompleteAsync(message, CancellationToken.None), message);
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_registrations.Count == 0)
        {
            LogNoHandlers();
            return;
        }

        var workers = Enumerable.Range(0, _options.Concurrency).Select(index => Task.Run(() => WorkAsync(index, stoppingToken), CancellationToken.None));
        await Task.WhenAll(workers);
    }

    private async Task WorkAsync(int index, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            if (index >= _options.ConcurrencyDuringIntake && _intake is { Busy: true })
            {
                // Intake is busy: this worker gives way until it has been quiet for a moment.
                try
                {
                    await Task.Delay(IntakeYield, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                continue;
            }

            var handled = false;
            foreach (var registration in _registrations)
            {
                handled |= await PumpOnceAsync(registration.Queue, stoppingToken);
            }

            if (!handled)
            {
                try
                {
                    await Task.Delay(_options.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }

    // The lease ran out while the handler worked and another delivery took over: the message will be
    // (or was) handled again, which idempotent handlers absorb. Nothing to settle here.
    private async Task SettleAsync(Func<Task> settle, LeasedMessage message)
    {
        try
        {
            await settle();
        }
        catch (MessageLockLostException)
        {
            LogLockLost(message.Queue, message.MessageId, message.DeliveryCount);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handler for {Queue} failed on message {MessageId} (delivery {DeliveryCount}); abandoned: {Reason}")]
    private partial void LogHandlerFailed(Exception exception, string queue, string messageId, int deliveryCount, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease on {Queue} message {MessageId} (delivery {DeliveryCount}) ended before it was settled; it is delivered again")]
    private partial void LogLockLost(string queue, string messageId, int deliveryCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "No queue handlers are registered; the queue pump is idle")]
    private partial void LogNoHandlers();
}
