using System.ComponentModel.DataAnnotations;
using NodaTime;
using SupportHub.Workflows;

namespace SupportHub.Functions.Embedded;

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
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How many messages the pump handles at once (the Service Bus trigger's maxConcurrentCalls,
    /// 16 by default there). 64 here: every step of a message waits for a commit of the file's single
    /// writer, and more workers share each commit. After an intake burst (bench/load.sh) 64 workers
    /// drained about 600 tickets/s where 16 drained about 300.</summary>
    [Range(1, 256)]
    public int Concurrency { get; set; } = 64;

    /// <summary>How many of those workers keep going while intake is busy (IntakeActivity: several requests
    /// in flight at once); the others wait until it has been quiet for a moment: the caller waiting for a ticket reference comes
    /// first, the queue holds the rest. At least one, so timers and pages never stop.</summary>
    [Range(1, 256)]
    public int ConcurrencyDuringIntake { get; set; } = 2;

    [Range(1, 1000)]
    public int MaxDeliveryCount { get; set; } = MessageQueueOptions.Default.MaxDeliveryCount;

    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan DuplicateDetectionWindow { get; set; } = MessageQueueOptions.Default.DuplicateDetectionWindow.ToTimeSpan();

    public MessageQueueOptions ToQueueOptions() => new()
    {
        MaxDeliveryCount = MaxDeliveryCount,
        DuplicateDetectionWindow = Duration.FromTimeSpan(DuplicateDetectionWindow),
    };
}
