using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using SupportHub.Channels;
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
        var url = $"http://127.0.0.1:{FreePort()}";
        using var hub = DotnetProcess.Start(Path.Combine(AppContext.BaseDirectory, "SupportHub.Functions.dll"), [],
            new Dictionary<string, string?>
            {
                ["ASPNETCORE_URLS"] = url,
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["SupportHub__DataPath"] = _data.Path,
                ["SupportHub__Policy"] = HubFactory.Fixture("intake-policy.json"),
                ["SupportHub__Secrets__Chat"] = IntakeHub.ChatSecret,
            },
            workingDirectory: _data.Path);
        await hub.WaitForLineAsync(l => l.Contains("Application started", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        var body = JsonSerializer.Serialize(IntakeEndToEndTests.Chat("m-1", "c-1", "Our payment page is down", 1));

        var first = await http.SendAsync(Signed(body, IntakeHub.ChatSecret));
        var again = await http.SendAsync(Signed(body, IntakeHub.ChatSecret));
        var forged = await http.SendAsync(Signed(body, "not-the-chat-secret-000"));

        Assert.Equal("1001", await IntakeHub.AcceptedTicketAsync(first));
        Assert.Equal("1001", await IntakeHub.AcceptedTicketAsync(again));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.DoesNotContain(IntakeHub.ChatSecret, hub.Output, StringComparison.Ordinal);
    }

    private static HttpRequestMessage Signed(string body, string secret)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/intake/chat", UriKind.Relative)) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        request.Headers.Add(WebhookAuth.TimestampHeader, timestamp);
        request.Headers.Add(WebhookAuth.SignatureHeader, WebhookAuth.Sign(secret, timestamp, bytes));
        return request;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
