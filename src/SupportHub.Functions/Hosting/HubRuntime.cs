namespace SupportHub.Functions.Hosting;

// Issue 22, "One runtime, chosen once": the composition root reads the settings once, at start, and
// registers one runtime whole (AddEmbeddedRuntime or AddAzureRuntime), never both and never one
// patched into the other. The choice is registered as a service so the routes and the start-up
// report can tell which runtime runs without deciding again.

/// <summary>Which runtime runs the hub: its store, its queues, its notification channels and its health checks.</summary>
public enum HubRuntime
{
    /// <summary>No Azure setting at all: one SQLite file as the store and the queues, the queue pump,
    /// and the dev outbox as the only channel.</summary>
    Embedded,

    /// <summary>Any Azure setting (<see cref="AzureSettings.Present"/>): Table Storage, Service Bus (the
    /// Functions host delivers) and the real senders; a missing required setting stops the start.</summary>
    Azure,
}
