using System.Net;
using SupportHub.Functions.Tests.Hosting;
using SupportHub.Testing;

namespace SupportHub.Functions.Tests.Intake;

// The built hub as a process on a loopback port, with Kestrel and the background queue pump: a
// signed chat message is accepted, a redelivery gets the same reference, a forged one is refused.

public sealed class IntakeProcessTests : IDisposable
{
    private readonly TemporaryDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Chat_OverRealHttp_AcceptedOnceAndForgeryRefused()
    {
        // Only the chat secret is given: the hub generates and prints the others, and must not print this one.
        using var hub = new HubProcess(_data.Path, HubFactory.Fixture("intake-policy.json"),
            new Dictionary<string, string?> { ["SupportHub__Secrets__Chat"] = HubProcess.ChatSecret }, knownSecrets: false);
        await hub.StartAsync();
        var body = IntakeEndToEndTests.Chat("m-1", "c-1", "Our payment page is down", 1);

        var first = await hub.ChatAsync(body);
        var again = await hub.ChatAsync(body);
        var forged = await hub.ChatAsync(body, secret: "not-the-chat-secret-000");

        Assert.Equal("1001", await IntakeHub.AcceptedTicketAsync(first));
        Assert.Equal("1001", await IntakeHub.AcceptedTicketAsync(again));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.DoesNotContain(HubProcess.ChatSecret, hub.Output, StringComparison.Ordinal);
    }
}
