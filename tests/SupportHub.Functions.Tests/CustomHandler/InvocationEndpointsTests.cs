using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SupportHub.Functions.CustomHandler;
using SupportHub.Functions.Workflows;
using SupportHub.Storage;
using SupportHub.Workflows;
using SupportHub.Functions.Tests.Hosting;
using SupportHub.Testing;

namespace SupportHub.Functions.Tests.CustomHandler;

// Invocations as the Functions host posts them to a custom handler (MicrosoftDocs
// functions-custom-handlers.md: {"Data": {...}, "Metadata": {...}} in, {"Outputs", "Logs",
// "ReturnValue"} out; non-2xx fails the invocation).
[Collection(SerialHubCollection.Name)]
public sealed class InvocationEndpointsTests : IDisposable
{
    private readonly TemporaryDirectory _data = new();
    private readonly RecordingQueueHandler.Log _received = new();
    private readonly HubFactory _hub;
    private readonly HttpClient _host;

    public InvocationEndpointsTests()
    {
        _hub = new HubFactory(
            _data.Path,
            new Dictionary<string, string?> { [InvocationEndpoints.PortSetting] = "7199" },
            services =>
            {
                // This test's handler serves every queue, whatever the hub registers.
                services.RemoveAll<QueueHandlerRegistration>();
                services.AddSingleton(_received);
                foreach (var queue in QueueNames.All)
                {
                    services.AddQueueHandler<RecordingQueueHandler>(queue);
                }
            });
        _host = _hub.CreateClient();
    }

    public void Dispose()
    {
        _host.Dispose();
        _hub.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task ServiceBus_ObjectBody_DispatchesToTheQueueHandlerAndAnswersTheProtocol()
    {
        // A JSON object body, as the hub sends it, arrives as a string holding the object.
        var response = await InvokeAsync("WorkflowEvents", """
            {"Data":{"message":"{\"type\":\"ack\",\"ticket\":\"T-1\"}"},
             "Metadata":{"MessageId":"m-1","DeliveryCount":1,"EnqueuedTimeUtc":"2026-11-22T10:00:00Z","SequenceNumber":7,
                         "ContentType":"application/json","UserProperties":{},"sys":{"MethodName":"WorkflowEvents","UtcNow":"2026-11-22T10:00:01Z"}}}
            """);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(new QueueDelivery(QueueNames.WorkflowEvents, "m-1", """{"type":"ack","ticket":"T-1"}""", 1), Assert.Single(_received.Messages));
        Assert.Equal(JsonValueKind.Object, response.Body["Outputs"]!.GetValueKind());
        Assert.Contains("m-1", response.Body["Logs"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(response.Body.AsObject().ContainsKey("ReturnValue"));
        Assert.Null(response.Body["ReturnValue"]);
    }

    [Theory]
    // Double-encoded object: a string holding a string holding the object.
    [InlineData("\"\\\"{\\\\\\\"ticket\\\\\\\":\\\\\\\"T-1\\\\\\\"}\\\"\"", """{"ticket":"T-1"}""")]
    // A plain-text body: the string holding the string.
    [InlineData("\"\\\"page acknowledged\\\"\"", "page acknowledged")]
    // Not JSON at all once unwrapped: the text itself.
    [InlineData("\"plain text\"", "plain text")]
    // The host handed the object over as JSON: taken as it is.
    [InlineData("{\"ticket\":\"T-1\"}", """{"ticket":"T-1"}""")]
    public async Task ServiceBus_EncodedBodies_AreUnwrappedToWhatTheSenderWrote(string data, string expected)
    {
        var response = await InvokeAsync("NotificationsOutbound", "{\"Data\":{\"message\":" + data + "},\"Metadata\":{\"MessageId\":\"m-2\",\"DeliveryCount\":\"3\"}}");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(new QueueDelivery(QueueNames.NotificationsOutbound, "m-2", expected, 3), Assert.Single(_received.Messages));
    }

    [Fact]
    public async Task ServiceBus_HandlerThrows_AnswersServerErrorSoTheHostAbandons()
    {
        _received.Failure = new InvalidOperationException("Graph answered 429");

        var response = await InvokeAsync("TicketsInbound", """{"Data":{"message":"{}"},"Metadata":{"MessageId":"m-3","DeliveryCount":2}}""");

        Assert.Equal(HttpStatusCode.InternalServerError, response.Status);
        Assert.Contains("Graph answered 429", response.Body["Logs"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServiceBus_NoMessageId_AnswersBadRequestAndHandlesNothing()
    {
        var response = await InvokeAsync("TicketsInbound", """{"Data":{"message":"{}"},"Metadata":{}}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Empty(_received.Messages);
    }

    [Fact]
    public async Task Timer_Invocation_RunsHousekeeping()
    {
        var response = await InvokeAsync("Housekeeping", """
            {"Data":{"timer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":{"Last":"2026-11-22T09:55:00Z","Next":"2026-11-22T10:05:00Z","LastUpdated":"2026-11-22T09:55:00Z"},"IsPastDue":true}},
             "Metadata":{"sys":{"MethodName":"Housekeeping","UtcNow":"2026-11-22T10:00:00Z"}}}
            """);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var store = _hub.Services.GetRequiredService<IEntityStore>();
        var row = await store.GetAsync(Housekeeping.Table, Housekeeping.LastRun, CancellationToken.None);
        Assert.True(JsonNode.Parse(row!.Payload)!["pastDue"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Invocation_OfAnHttpFunction_IsNotMapped()
    {
        // The host forwards HTTP requests to the app's own routes (enableForwardingHttpRequest);
        // nothing posts them as invocations, so POST /Health is no route at all.
        using var content = new StringContent("""{"Data":{"req":{}},"Metadata":{}}""", Encoding.UTF8, "application/json");

        using var response = await _host.PostAsync("/Health", content);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Invocation_NotJson_AnswersBadRequest()
    {
        var response = await InvokeAsync("WorkflowEvents", "not json");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
    }

    [Fact]
    public async Task Invocations_WithoutTheFunctionsHost_AreNotMapped()
    {
        using var data = new TemporaryDirectory();
        using var embedded = new HubFactory(data.Path);
        using var client = embedded.CreateClient();

        var response = await client.PostAsync("/WorkflowEvents", new StringContent("""{"Data":{"message":"{}"},"Metadata":{"MessageId":"x"}}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private async Task<(HttpStatusCode Status, JsonNode Body)> InvokeAsync(string function, string invocation)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/" + function)
        {
            Content = new StringContent(invocation, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Azure-Functions-InvocationId", Guid.NewGuid().ToString());
        using var response = await _host.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonNode.Parse(text)!);
    }
}

/// <summary>Records what it handles; throws <see cref="Log.Failure"/> when set.</summary>
internal sealed class RecordingQueueHandler(RecordingQueueHandler.Log log) : IQueueHandler
{
    public Task HandleAsync(QueueDelivery message, CancellationToken cancellationToken)
    {
        lock (log)
        {
            log.Messages.Add(message);
        }

        return log.Failure is null ? Task.CompletedTask : Task.FromException(log.Failure);
    }

    internal sealed class Log
    {
        public List<QueueDelivery> Messages { get; } = [];

        public Exception? Failure { get; set; }
    }
}
