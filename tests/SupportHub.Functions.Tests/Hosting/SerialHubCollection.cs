namespace SupportHub.Functions.Tests.Hosting;

// Test classes that start whole hubs (WebApplicationFactory) and are not about the embedded hub
// itself. They run alone, after the parallel tests: WebApplicationFactory finds the host it starts
// through a process-wide DiagnosticListener, and under heavy parallel load a start meant to fail
// validation was seen ending in ObjectDisposedException instead.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialHubCollection
{
    public const string Name = "Serial hub starts";
}
