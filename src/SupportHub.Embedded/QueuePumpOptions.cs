using System.ComponentModel.DataAnnotations;
using NodaTime;
using SupportHub.Storage;

namespace SupportHub.Embedded;

/// <summary>The embedded queue and its pump, bound from <c>SupportHub:Queues</c>. Defaults match the
/// Service Bus queues the Bicep deploys (lockDuration PT1M, maxDeliveryCount 10, duplicate window PT10M).</summary>
public sealed class QueuePumpOptions
{
    public const string Section = "SupportHub:Queues";

    /// <summary>How long a handler has before its message is delivered again.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long the pump waits when every queue is empty (or every message is scheduled later).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How many messages the pump handles at once (the Service Bus trigger's maxConcurrentCalls, 16 there).</summary>
    [Range(1, 256)]
    public int Concurrency { get; set; } = 16;

    [Range(1, 1000)]
    public int MaxDeliveryCount { get; set; } = MessageQueueOptions.Default.MaxDeliveryCount;

    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan DuplicateDetectionWindow { get; set; } = MessageQueueOptions.Default.DuplicateDetectionWindow.ToTimeSpan();

    /// <summary>The waits after a failed delivery (see <see cref="MessageQueueOptions.RetryDelays"/>); the default when empty.</summary>
    public List<TimeSpan> RetryDelays { get; set; } = [];

    public MessageQueueOptions ToQueueOptions() => new()
    {
        MaxDeliveryCount = MaxDeliveryCount,
        DuplicateDetectionWindow = Duration.FromTimeSpan(DuplicateDetectionWindow),
        RetryDelays = RetryDelays.Count == 0 ? MessageQueueOptions.Default.RetryDelays : [.. RetryDelays.Select(Duration.FromTimeSpan)],
    };
}
