using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using NodaTime;
using SupportHub.Embedded;
using SupportHub.Functions.Notifications;
using SupportHub.Storage;
using SupportHub.Workflows;
using SupportHub.Functions.Tests.Hosting;
using SupportHub.Intake;
using SupportHub.Notifications;
using SupportHub.Testing;
using SupportHub.Tickets;

namespace SupportHub.Functions.Tests.Intake;

/// <summary>
/// The hub in-process over HTTP with its real SQLite store and queue, a fake clock, and known secrets.
/// The queue pump does not run by itself: <see cref="DrainAsync"/> pumps every queue with a handler
/// until all are empty, so a test decides when the asynchronous half happens. Notifications that
/// reach the channel are recorded for <see cref="TakeNotificationsAsync"/>.
/// </summary>
internal sealed class IntakeHub : IDisposable
{
    public const string EmailSecret = "email-secret-0123456789";
    public const string ChatSecret = "chat-secret-0123456789";
    public const string PhoneSecret = "phone-secret-0123456789";
    public const string SmsSecret = "sms-secret-0123456789";
    public const string ApiKey = "api-key-0123456789abc";

    private readonly TemporaryDirectory _data = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<Notification> _sent = new();
    private readonly HubFactory _factory;

    /// <param name="configure">A test's own registrations, after the hub's (a log capture, a remote address).</param>
    public IntakeHub(IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["SupportHub:Policy"] = HubFactory.Fixture("intake-policy.json"),
            ["SupportHub:ApiKey"] = ApiKey,
            ["SupportHub:Secrets:Email"] = EmailSecret,
            ["SupportHub:Secrets:Chat"] = ChatSecret,
            ["SupportHub:Secrets:Phone"] = PhoneSecret,
            ["SupportHub:Secrets:Sms"] = SmsSecret,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }
        _factory = new HubFactory(_data.Path, all, services =>
        {
            services.AddSingleton<IClock>(Clock);
            var pumpHost = services.Where(d => d.ServiceType == typeof(IHostedService)
                && d.ImplementationFactory?.Method.ReturnType == typeof(QueuePump)).ToList();
            Assert.Single(pumpHost);
            services.Remove(pumpHost[0]);
            // Record what reaches the notification channel (the dev outbox keeps it too).
            services.AddSingleton<INotificationChannel>(sp => new RecordingChannel(sp.GetRequiredService<DevOutbox>(), _sent));
            configure?.Invoke(services);
        });
        Http = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
    }

    /// <summary>Saturday 21 November 2026, 02:00 in Chicago: after hours, so emergencies page.</summary>
    public FakeClock Clock { get; } = new(Instant.FromUtc(2026, 11, 21, 8, 0));

    public HttpClient Http { get; }

    public IEntityStore Store => _factory.Services.GetRequiredService<IEntityStore>();

    /// <summary>The hub's SQLite file.</summary>
    public SqliteDatabase Database => _factory.Services.GetRequiredService<SqliteDatabase>();

    public void Dispose()
    {
        Http.Dispose();
        _factory.Dispose();
        _data.Dispose();
    }

    public static string IntakeFixture(string name) => Path.Combine(AppContext.BaseDirectory, "IntakeFixtures", name);

    /// <summary>Pumps every queue that has a handler until none has a message; returns how many were handled.</summary>
    public async Task<int> DrainAsync()
    {
        var pump = _factory.Services.GetRequiredService<QueuePump>();
        var handled = 0;
        bool any;
        do
        {
            any = false;
            foreach (var queue in pump.Queues)
            {
                while (await pump.PumpOnceAsync(queue, CancellationToken.None))
                {
                    any = true;
                    handled++;
                }
            }
        }
        while (any);
        return handled;
    }

    /// <summary>Delivers everything queued, then takes every notification the channel received since the last call.</summary>
    public async Task<List<Notification>> TakeNotificationsAsync()
    {
        await DrainAsync();
        var taken = new List<Notification>();
        while (_sent.TryDequeue(out var notification))
        {
            taken.Add(notification);
        }
        return taken;
    }

    private sealed class RecordingChannel(DevOutbox outbox, System.Collections.Concurrent.ConcurrentQueue<Notification> sent) : INotificationChannel
    {
        public async Task SendAsync(RenderedNotification notification, CancellationToken cancellationToken)
        {
            await outbox.SendAsync(notification, cancellationToken);
            sent.Enqueue(notification.Notification);
        }
    }

    public Task<IReadOnlyList<ConversationMessage>> ConversationAsync(string ticket) =>
        new TicketConversation(Store).ListAsync(ticket, CancellationToken.None);

    public Task<IReadOnlyList<TicketLink>> LinksAsync(string ticket) => new TicketLinks(Store).ListAsync(ticket, CancellationToken.None);

    public async Task<TicketState?> TicketAsync(string ticket) =>
        await Store.GetAsync(TicketWorkflowRunner.Table, new EntityKey(ticket, TicketWorkflowRunner.StateRow), CancellationToken.None) is { } row
            ? WorkflowJson.Deserialize<TicketState>(row.Payload)
            : null;

    /// <summary>What any write leaves behind in the hub's SQLite file: every entity's ETag (each write gives
    /// its row a new one), and the queue's last sequence and message count (they move on every accepted
    /// send). Equal before and after a request means it wrote nothing.</summary>
    public async Task<(string ETags, long LastSequence, long Messages)> FootprintAsync()
    {
        var database = _factory.Services.GetRequiredService<SqliteDatabase>();
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database.FilePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT (SELECT coalesce(group_concat(etag, ','), '') FROM (SELECT etag FROM entities ORDER BY table_name, partition_key, row_key)),
                   (SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'queue_messages'),
                   (SELECT count(*) FROM queue_messages)
            """;
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    /// <summary>The ticket counter's row (null before the first ticket): unchanged means no ticket was opened.</summary>
    public async Task<string?> CounterAsync() =>
        (await Store.GetAsync(TicketReferences.Table, TicketReferences.Key, CancellationToken.None))?.ETag;

    public Task<HttpResponseMessage> EmailAsync(byte[] body, string boundary, string? key = EmailSecret)
    {
        var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", $"multipart/form-data; boundary={boundary}");
        return Http.PostAsync(new Uri(key is null ? "/api/intake/email" : $"/api/intake/email?key={Uri.EscapeDataString(key)}", UriKind.Relative), content);
    }

    /// <summary>A default-mode Inbound Parse post built the way SendGrid lays it out.</summary>
    public Task<HttpResponseMessage> EmailAsync(string messageId, string from, string subject, string text, string? inReplyTo = null, string? key = EmailSecret)
    {
        var headers = new StringBuilder()
            .Append("From: ").Append(from).Append("\r\n")
            .Append("Subject: ").Append(subject).Append("\r\n")
            .Append("Message-ID: <").Append(messageId).Append(">\r\n");
        if (inReplyTo is not null)
        {
            headers.Append("In-Reply-To: <").Append(inReplyTo).Append(">\r\nReferences: <").Append(inReplyTo).Append(">\r\n");
        }
        return EmailAsync(Form(("headers", headers.ToString()), ("from", from), ("to", "support@example.com"), ("subject", subject),
            ("text", text), ("charsets", "{\"to\":\"UTF-8\",\"subject\":\"UTF-8\",\"from\":\"UTF-8\",\"text\":\"UTF-8\"}"), ("SPF", "pass")), "xYzZY", key);
    }

    /// <summary>A raw-mode Inbound Parse post: the whole message in <c>email</c>, as SendGrid sends it with "POST the raw, full MIME message".</summary>
    public Task<HttpResponseMessage> RawEmailAsync(string message) =>
        EmailAsync(Form(("email", Encoding.UTF8.GetBytes(message.ReplaceLineEndings("\r\n"))), ("to", "support@example.com"u8.ToArray()),
            ("SPF", "pass"u8.ToArray())), "xYzZY");

    /// <summary>What the dev outbox holds, newest first: what the hub sent, with each email's Message-ID.</summary>
    public Task<IReadOnlyList<DevOutboxEntry>> OutboxAsync() =>
        _factory.Services.GetRequiredService<DevOutbox>().ListAsync(CancellationToken.None);

    /// <summary>The ticket's timeline lines, as <c>GET /api/tickets/{ref}</c> shows them.</summary>
    public Task<IReadOnlyList<System.Text.Json.Nodes.JsonNode>> HistoryAsync(string ticket) =>
        SupportHub.Functions.Tickets.TicketHistory.ReadAsync(Store, ticket, CancellationToken.None);

    public static byte[] Form(params (string Name, string Value)[] fields) =>
        Form(fields.Select(f => (f.Name, Encoding.UTF8.GetBytes(f.Value))).ToArray());

    /// <summary>The same with each field's bytes as they are (a field in another charset, or not text at all).</summary>
    public static byte[] Form(params (string Name, byte[] Value)[] fields)
    {
        using var body = new MemoryStream();
        foreach (var (name, value) in fields)
        {
            body.Write(Encoding.UTF8.GetBytes($"--xYzZY\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"));
            body.Write(value);
            body.Write("\r\n"u8);
        }
        body.Write("--xYzZY--\r\n"u8);
        return body.ToArray();
    }

    public Task<HttpResponseMessage> ChatAsync(object body, string secret = ChatSecret, Duration? skew = null) =>
        SignedAsync("/api/intake/chat", JsonSerializer.Serialize(body), "application/json", secret, skew);

    public Task<HttpResponseMessage> PhoneAsync(object body, string secret = PhoneSecret) =>
        SignedAsync("/api/intake/phone", JsonSerializer.Serialize(body), "application/json", secret, null);

    public Task<HttpResponseMessage> SignedAsync(string path, string body, string contentType, string secret, Duration? skew) =>
        Http.SendAsync(SignedWebhook.Post(path, Encoding.UTF8.GetBytes(body), contentType, secret, (Clock.GetCurrentInstant() + (skew ?? Duration.Zero)).ToUnixTimeSeconds()));

    public Task<HttpResponseMessage> SmsAsync(string json, string? code = SmsSecret) =>
        Http.PostAsync(new Uri(code is null ? "/api/events/sms" : $"/api/events/sms?code={Uri.EscapeDataString(code)}", UriKind.Relative),
            new StringContent(json, Encoding.UTF8, "application/json"));

    public static string SmsEvent(string messageId, string from, string message) => JsonSerializer.Serialize(new[]
    {
        new
        {
            id = "evt-" + messageId,
            topic = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Communication/CommunicationServices/acs",
            subject = "/phonenumbers/+18005550000",
            eventType = "Microsoft.Communication.SMSReceived",
            eventTime = "2026-11-21T08:20:12Z",
            dataVersion = "1.0",
            metadataVersion = "1",
            data = new { messageId, from, to = "+18005550000", message, receivedTimestamp = "2026-11-21T08:20:11Z" },
        },
    });

    /// <summary>The ticket reference of a 202 answer, checking the contract's shape.</summary>
    public static async Task<string> AcceptedTicketAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {text}");
        using var body = JsonDocument.Parse(text);
        Assert.Equal("queued", body.RootElement.GetProperty("status").GetString());
        return body.RootElement.GetProperty("ticket").GetString()!;
    }
}
