using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;
using SupportHub.Storage;
using SupportHub.Workflows;

namespace SupportHub.Embedded;

// The embedded hub's stand-in for the Functions host's Service Bus triggers: Concurrency workers,
// each taking one message at a time from the queues that have a handler, in turn, and calling the
// handler in a fresh DI scope. Handlers are idempotent and the workflow runner settles two messages
// racing on one ticket by its ETag, so concurrent workers are safe. Success completes the message; an
// exception abandons it with the exception's message as the reason (retried after a growing delay,
// dead-lettered after MaxDeliveryCount deliveries). When the store cannot take writes (disk full) a
// worker waits and tries again: the hub answers 503 meanwhile and carries on once space returns. Any
// other failure of the queue itself is not caught: it stops the host with a non-zero exit code,
// because a hub that cannot read its own file should not pretend to be healthy.

/// <summary>Dispatches the embedded queue's messages to the registered <see cref="IQueueHandler"/>s.</summary>
public sealed partial class QueuePump : BackgroundService
{
    private readonly IMessageQueue _queue;
    private readonly IReadOnlyList<QueueHandlerRegistration> _registrations;
    private readonly IServiceScopeFactory _scopes;
    private readonly QueuePumpOptions _options;
    private readonly ILogger<QueuePump> _logger;

    public QueuePump(IMessageQueue queue, IEnumerable<QueueHandlerRegistration> registrations, IServiceScopeFactory scopes,
        IOptions<QueuePumpOptions> options, ILogger<QueuePump> logger)
    {
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
            await using var scope = _scopes.CreateAsyncScope();
            var handler = (IQueueHandler)scope.ServiceProvider.GetRequiredService(registration.HandlerType);
            await handler.HandleAsync(new QueueDelivery(message.Queue, message.MessageId, message.Body, message.DeliveryCount), stoppingToken);
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
        var workers = Enumerable.Range(0, _options.Concurrency).Select(_ => Task.Run(() => WorkAsync(stoppingToken), CancellationToken.None));
        await Task.WhenAll(workers);
    }

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var handled = false;
            try
            {
                foreach (var registration in _registrations)
                {
                    handled |= await PumpOnceAsync(registration.Queue, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (StoreUnavailableException unavailable)
            {
                // Disk full: nothing was taken from the queue. Wait, then try again.
                LogStoreUnavailable(unavailable.Message);
                handled = false;
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
    // (or was) handled again, which idempotent handlers absorb. A full disk leaves the lease to run out.
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
        catch (StoreUnavailableException unavailable)
        {
            LogStoreUnavailable(unavailable.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handler for {Queue} failed on message {MessageId} (delivery {DeliveryCount}); abandoned: {Reason}")]
    private partial void LogHandlerFailed(Exception exception, string queue, string messageId, int deliveryCount, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease on {Queue} message {MessageId} (delivery {DeliveryCount}) ended before it was settled; it is delivered again")]
    private partial void LogLockLost(string queue, string messageId, int deliveryCount);

    [LoggerMessage(Level = LogLevel.Error, Message = "The queue cannot be written: {Reason} The pump waits and tries again.")]
    private partial void LogStoreUnavailable(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "No queue handlers are registered; the queue pump is idle")]
    private partial void LogNoHandlers();
}
