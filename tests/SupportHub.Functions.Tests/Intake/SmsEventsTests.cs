using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using NodaTime;
using Microsoft.Extensions.Logging;
using SupportHub.Channels.Sms;
using SupportHub.Notifications;
using SupportHub.Functions.Tests.Hosting;
using SupportHub.Testing;
using SupportHub.Workflows;

namespace SupportHub.Functions.Tests.Intake;

// /api/events/sms over HTTP (issue 23): Event Grid's CloudEvents handshake (OPTIONS) behind the same
// secret as the events, and texts from numbers that are no person's phone: kept and logged, answered
// only when the policy says so, and then once per number per hour.

public sealed class SmsEventsTests : IDisposable
{
    private const string Stranger = "+15555550123";
    private const string OtherStranger = "+15555550999";

    private readonly CapturedLogs _logs = new();
    private readonly TemporaryDirectory _policies = new();
    private IntakeHub? _hub;

    public void Dispose()
    {
        _hub?.Dispose();
        _policies.Dispose();
    }

    private IntakeHub Hub(bool replyToUnknown = false)
    {
        var settings = new Dictionary<string, string?>();
        if (replyToUnknown)
        {
            // The intake policy with the switch on, loaded from a file as a deployment's would be.
            var policy = JsonNode.Parse(File.ReadAllText(HubFactory.Fixture("intake-policy.json")), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;
            policy["channels"] = JsonNode.Parse("""{ "sms": { "replyToUnknown": true } }""");
            var path = Path.Combine(_policies.Path, "policy.json");
            File.WriteAllText(path, policy.ToJsonString());
            settings["SupportHub:Policy"] = path;
        }
        return _hub = new IntakeHub(settings, services => services.AddSingleton<ILoggerProvider>(_logs));
    }

    [Theory]
    // Event Grid keeps the subscription's query string: ?code= as the README says, or ?key=.
    [InlineData("code")]
    [InlineData("key")]
    public async Task Options_OriginAndTheSecret_ConsentsToThatOrigin(string parameter)
    {
        var hub = Hub();

        var response = await Handshake(hub, $"?{parameter}={IntakeHub.SmsSecret}", ("WebHook-Request-Origin", "eventgrid.azure.net"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("eventgrid.azure.net", Assert.Single(response.Headers.GetValues("WebHook-Allowed-Origin")));
        // Not asked for, but the spec says it SHOULD be there: the hub does not throttle.
        Assert.Equal("*", Assert.Single(response.Headers.GetValues("WebHook-Allowed-Rate")));
        Assert.Equal(["OPTIONS", "POST"], response.Content.Headers.Allow.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Options_RateAsked_GrantsNoLimit()
    {
        var hub = Hub();

        var response = await Handshake(hub, $"?code={IntakeHub.SmsSecret}", ("WebHook-Request-Origin", "eventemitter.example.com"), ("WebHook-Request-Rate", "120"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("eventemitter.example.com", Assert.Single(response.Headers.GetValues("WebHook-Allowed-Origin")));
        Assert.Equal("*", Assert.Single(response.Headers.GetValues("WebHook-Allowed-Rate")));
    }

    [Theory]
    // Consent is given to whoever holds the secret in the subscription's URL, nobody else.
    [InlineData(null, "eventgrid.azure.net", null, HttpStatusCode.Unauthorized, "code")]
    [InlineData("sms-secret-012345678X", "eventgrid.azure.net", null, HttpStatusCode.Unauthorized, "code")]
    // Authenticated, but not a handshake the hub can answer: the header at fault is named.
    [InlineData(IntakeHub.SmsSecret, null, null, HttpStatusCode.BadRequest, "WebHook-Request-Origin")]
    [InlineData(IntakeHub.SmsSecret, "a..b", null, HttpStatusCode.BadRequest, "WebHook-Request-Origin")]
    [InlineData(IntakeHub.SmsSecret, "eventgrid.azure.net", "0", HttpStatusCode.BadRequest, "WebHook-Request-Rate")]
    public async Task Options_Refused_AnswersProblemWithoutConsentAndWritesNothing(string? code, string? origin, string? rate, HttpStatusCode status, string field)
    {
        var hub = Hub();
        var headers = new List<(string, string)>();
        if (origin is not null)
        {
            headers.Add(("WebHook-Request-Origin", origin));
        }
        if (rate is not null)
        {
            headers.Add(("WebHook-Request-Rate", rate));
        }
        var before = await hub.FootprintAsync();

        var response = await Handshake(hub, code is null ? "" : $"?code={Uri.EscapeDataString(code)}", [.. headers]);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(field, JsonDocument.Parse(text).RootElement.GetProperty("field").GetString());
        Assert.False(response.Headers.Contains("WebHook-Allowed-Origin"));
        Assert.Equal(before, await hub.FootprintAsync());
    }

    [Fact]
    public async Task Sms_FromAnUnknownNumber_ByDefault_IsKeptAndLoggedButNotAnswered()
    {
        var hub = Hub();

        var response = await hub.SmsAsync(IntakeHub.SmsEvent("sms-u1", Stranger, "ACK 1001"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await hub.TakeNotificationsAsync());
        Assert.Null(await hub.CounterAsync());
        // Kept: who, what, when, and why nobody answered.
        var row = await hub.Store.GetAsync(OnCallReplies.Table, OnCallReplies.RecordKey("sms-u1"), CancellationToken.None);
        var handled = WorkflowJson.Deserialize<SmsHandled>(row!.Payload);
        Assert.Equal((Stranger, "ACK 1001", (string?)null, (Notification?)null, "channels.sms.replyToUnknown is off"),
            (handled.From, handled.Message, handled.Person, handled.Reply, handled.Unanswered));
        Assert.Equal(hub.Clock.GetCurrentInstant(), handled.ReceivedAt);
        // Logged for a person to see, with where it is kept; the number only by its last digits.
        var line = Assert.Single(_logs.Warnings);
        Assert.Contains("SMS sms-u1 from …0123", line, StringComparison.Ordinal);
        Assert.Contains("not answered: channels.sms.replyToUnknown is off", line, StringComparison.Ordinal);
        Assert.Contains($"table smsreplies, row ({OnCallReplies.RecordKey("sms-u1").PartitionKey}, received)", line, StringComparison.Ordinal);
        Assert.DoesNotContain(Stranger, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sms_FromAnOnCallPerson_IsAnsweredAndNotLoggedAsUnknown()
    {
        var hub = Hub();

        await hub.SmsAsync(IntakeHub.SmsEvent("sms-h1", "+13125550003", "HELP"));

        Assert.Equal(OnCallReplies.HelpText, Assert.Single(await hub.TakeNotificationsAsync()).Text);
        Assert.Empty(_logs.Warnings);
    }

    [Fact]
    public async Task Sms_FromUnknownNumbers_WithReplyToUnknown_AnswersEachNumberOncePerHour()
    {
        var hub = Hub(replyToUnknown: true);

        await hub.SmsAsync(IntakeHub.SmsEvent("sms-u1", Stranger, "hello?"));
        // Event Grid redelivers: the same answer, under the same notification id (sent once).
        await hub.SmsAsync(IntakeHub.SmsEvent("sms-u1", Stranger, "hello?"));
        hub.Clock.Advance(Duration.FromMinutes(10));
        await hub.SmsAsync(IntakeHub.SmsEvent("sms-u2", Stranger, "anyone?"));
        await hub.SmsAsync(IntakeHub.SmsEvent("sms-o1", OtherStranger, "ACK 1001"));
        hub.Clock.Advance(Duration.FromMinutes(51));
        await hub.SmsAsync(IntakeHub.SmsEvent("sms-u3", Stranger, "still there?"));

        var replies = await hub.TakeNotificationsAsync();
        Assert.Equal(
            [("sms-reply:sms-u1", Stranger), ("sms-reply:sms-o1", OtherStranger), ("sms-reply:sms-u3", Stranger)],
            replies.Select(n => (n.Id, n.To.Phone!)));
        Assert.All(replies, n => Assert.Equal((Policy.Channel.Sms, OnCallReplies.UnknownNumberText), (n.Via, n.Text)));
        Assert.Contains(_logs.Warnings, l => l.Contains("SMS sms-u2 from …0123", StringComparison.Ordinal)
            && l.Contains("not answered: this number was answered less than an hour ago", StringComparison.Ordinal));
        Assert.Contains(_logs.Warnings, l => l.Contains("SMS sms-u3 from …0123", StringComparison.Ordinal)
            && l.Contains("was answered (channels.sms.replyToUnknown)", StringComparison.Ordinal));
        Assert.Null(await hub.CounterAsync());
    }

    [Fact]
    public async Task Sms_TwoTextsFromOneUnknownNumberAtOnce_AreAnsweredOnce()
    {
        var hub = Hub(replyToUnknown: true);

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => hub.SmsAsync(IntakeHub.SmsEvent($"sms-c{i}", Stranger, "hello?"))));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Single(await hub.TakeNotificationsAsync());
    }

    private static Task<HttpResponseMessage> Handshake(IntakeHub hub, string query, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, new Uri("/api/events/sms" + query, UriKind.Relative));
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return hub.Http.SendAsync(request);
    }

    /// <summary>Every warning (or worse) the SMS route logs, formatted.</summary>
    private sealed class CapturedLogs : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _warnings = new();

        public IReadOnlyList<string> Warnings => [.. _warnings];

        public ILogger CreateLogger(string categoryName) =>
            categoryName == "SupportHub.Functions.Intake.SmsEvents" ? new Logger(_warnings) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> warnings) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    warnings.Enqueue(formatter(state, exception));
                }
            }
        }
    }
}
