using System.Net;
using System.Text.Json.Nodes;
using Azure;
using NodaTime;
using SupportHub.Azure.ServiceBus;
using SupportHub.Storage;
using SupportHub.Workflows;

namespace SupportHub.Azure.Tests.ServiceBus;

// Requests checked against the REST reference (learn.microsoft.com/rest/api/servicebus, "Send
// Message", "Send Message Batch") and the SAS recipe of "Service Bus access control with Shared
// Access Signatures".
public sealed class ServiceBusSenderTests
{
    private static readonly Instant Now = Instant.FromUtc(2026, 11, 22, 9, 0);
    private readonly StubHandler _stub = new();

    [Fact]
    public async Task Send_Scheduled_PostsBodyWithBrokerPropertiesAndBearerToken()
    {
        _stub.Answer(HttpStatusCode.Created);
        var credential = new FixedTokenCredential("sb-token");
        var sender = new ServiceBusSender("contoso.servicebus.windows.net", credential, _stub.Options(Now));

        await sender.SendAsync(
            QueueNames.WorkflowEvents,
            new OutgoingMessage("T-42:timer:ack-window:1", """{"type":"AckWindowElapsed","ticket":"T-42"}""", Instant.FromUtc(1994, 11, 6, 8, 49, 37)),
            CancellationToken.None);

        var request = Assert.Single(_stub.Requests);
        Assert.Equal(("POST", "https://contoso.servicebus.windows.net/workflow-events/messages"), (request.Method, request.Uri.AbsoluteUri));
        Assert.Equal("Bearer sb-token", request.Headers["Authorization"]);
        Assert.Equal("application/json", request.Headers["Content-Type"]);
        Assert.Equal("""{"type":"AckWindowElapsed","ticket":"T-42"}""", request.Text);
        // The reference's own example date: "Sun, 06 Nov 1994 08:49:37 GMT".
        Assert.Equal("""{"MessageId":"T-42:timer:ack-window:1","ScheduledEnqueueTimeUtc":"Sun, 06 Nov 1994 08:49:37 GMT"}""", request.Headers["BrokerProperties"]);
        Assert.Equal([ServiceBusSender.Scope], Assert.Single(credential.Scopes));
    }

    [Fact]
    public async Task Send_NotScheduled_SendsOnlyTheMessageId()
    {
        _stub.Answer(HttpStatusCode.Created);
        var sender = new ServiceBusSender("contoso.servicebus.windows.net", new FixedTokenCredential("t"), _stub.Options(Now));

        await sender.SendAsync(QueueNames.TicketsInbound, new OutgoingMessage("email:<a@b>", "{}"), CancellationToken.None);

        // A header carries ASCII only: the JSON escapes everything else (and <, > with it).
        Assert.Equal("""{"MessageId":"email:\u003Ca@b\u003E"}""", _stub.Requests.Single().Headers["BrokerProperties"]);
    }

    [Fact]
    public async Task SendBatch_PostsServiceBusJsonArray()
    {
        _stub.Answer(HttpStatusCode.Created);
        var sender = new ServiceBusSender("contoso.servicebus.windows.net", new FixedTokenCredential("t"), _stub.Options(Now));

        await sender.SendBatchAsync(
            QueueNames.NotificationsOutbound,
            [new OutgoingMessage("n-1", """{"to":"bob"}"""), new OutgoingMessage("n-2", """{"to":"ann"}""", Instant.FromUtc(2026, 11, 22, 9, 30))],
            CancellationToken.None);

        var request = Assert.Single(_stub.Requests);
        Assert.Equal("https://contoso.servicebus.windows.net/notifications-outbound/messages", request.Uri.AbsoluteUri);
        Assert.Equal(ServiceBusSender.BatchContentType, request.Headers["Content-Type"]);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""
                [{"Body":"{\"to\":\"bob\"}","BrokerProperties":{"MessageId":"n-1"}},
                 {"Body":"{\"to\":\"ann\"}","BrokerProperties":{"MessageId":"n-2","ScheduledEnqueueTimeUtc":"Sun, 22 Nov 2026 09:30:00 GMT"}}]
                """),
            JsonNode.Parse(request.Text)));
    }

    [Fact]
    public async Task SendBatch_Empty_SendsNothing()
    {
        var sender = new ServiceBusSender("contoso.servicebus.windows.net", new FixedTokenCredential("t"), _stub.Options(Now));

        await sender.SendBatchAsync(QueueNames.NotificationsOutbound, [], CancellationToken.None);

        Assert.Empty(_stub.Requests);
    }

    [Fact]
    public async Task Send_SharedAccessKey_SignsTheNamespaceForAnHour()
    {
        // Hand-computed with the Python recipe of the SAS article (quote_plus, hmac SHA-256 over the
        // UTF-8 key) for resource https://contoso.servicebus.windows.net/ and expiry 09:00 + 1 h.
        _stub.Answer(HttpStatusCode.Created);
        var sender = new ServiceBusSender(
            "contoso.servicebus.windows.net",
            new AzureNamedKeyCredential("RootManageSharedAccessKey", "c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seQ=="),
            _stub.Options(Now));

        await sender.SendAsync(QueueNames.TicketsInbound, new OutgoingMessage("m", "{}"), CancellationToken.None);

        Assert.Equal(
            "SharedAccessSignature sr=https%3A%2F%2Fcontoso.servicebus.windows.net%2F&sig=c7DG5FK45h1xbHHuFIKs4eGfrqO4emCLkXUxIyaSW1s%3D&se=1795341600&skn=RootManageSharedAccessKey",
            _stub.Requests.Single().Headers["Authorization"]);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.Gone)]
    [InlineData(HttpStatusCode.RequestEntityTooLarge)]
    public async Task Send_ServiceRefuses_ThrowsRequestFailedException(HttpStatusCode status)
    {
        _stub.Answer(status, "<Error><Code>" + (int)status + "</Code><Detail>refused</Detail></Error>", "application/xml");
        var sender = new ServiceBusSender("contoso.servicebus.windows.net", new FixedTokenCredential("t"), _stub.Options(Now));

        var failure = await Assert.ThrowsAsync<RequestFailedException>(() => sender.SendAsync(QueueNames.TicketsInbound, new OutgoingMessage("m", "{}"), CancellationToken.None));

        Assert.Equal((int)status, failure.Status);
    }

    [Fact]
    public async Task GetNamespaceProperties_Manager_ReadsNamespaceInfoWithTheSendersToken()
    {
        _stub.Answer(HttpStatusCode.OK, "<entry xmlns=\"http://www.w3.org/2005/Atom\"><title>contoso</title></entry>", "application/atom+xml");
        var sender = new ServiceBusSender("contoso.servicebus.windows.net", new FixedTokenCredential("sb-token"), _stub.Options(Now));

        var entry = await sender.GetNamespacePropertiesAsync(CancellationToken.None);

        var request = Assert.Single(_stub.Requests);
        Assert.Equal(("GET", "https://contoso.servicebus.windows.net/$namespaceinfo?api-version=2021-05"), (request.Method, request.Uri.AbsoluteUri));
        Assert.Equal("Bearer sb-token", request.Headers["Authorization"]);
        Assert.Null(request.Body);
        Assert.Contains("<title>contoso</title>", entry, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetNamespaceProperties_SenderWithoutManageRights_ThrowsWith401()
    {
        // A namespace read needs Manage rights; the hub's identity (Data Sender and Data Receiver) has none.
        _stub.Answer(HttpStatusCode.Unauthorized, "<Error><Code>401</Code><Detail>Unauthorized</Detail></Error>", "application/xml");
        var sender = new ServiceBusSender("contoso.servicebus.windows.net", new FixedTokenCredential("t"), _stub.Options(Now));

        var failure = await Assert.ThrowsAsync<RequestFailedException>(() => sender.GetNamespacePropertiesAsync(CancellationToken.None));

        Assert.Equal(401, failure.Status);
    }

    [Theory]
    [InlineData("contoso.servicebus.windows.net")]
    [InlineData("https://contoso.servicebus.windows.net/")]
    [InlineData("sb://contoso.servicebus.windows.net/")]
    public void NamespaceUri_HostOrEndpoint_IsTheHttpsNamespace(string configured)
    {
        Assert.Equal("https://contoso.servicebus.windows.net/", ServiceBusSender.NamespaceUri(configured));
    }
}
