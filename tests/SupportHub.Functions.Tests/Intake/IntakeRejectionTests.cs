using System.Net;
using System.Text;
using System.Text.Json;
using NodaTime;

namespace SupportHub.Functions.Tests.Intake;

// Every route refuses what it cannot trust or read with application/problem+json naming the field,
// and leaves no trace: no ticket number taken, nothing on any queue, no conversation row.

public sealed class IntakeRejectionTests : IDisposable
{
    private readonly IntakeHub _hub = new();

    public void Dispose() => _hub.Dispose();

    public static TheoryData<string> Cases() =>
    [
        "email: no key", "email: wrong key", "email: wrong basic password", "email: not multipart", "email: too large",
        "email: no boundary part", "email: sender not an address", "email: charsets not JSON",
        "chat: bad signature", "chat: stale timestamp", "chat: signed with the phone secret", "chat: no signature",
        "chat: text/plain", "chat: too large", "chat: not JSON", "chat: no messageId", "chat: unknown severity", "chat: from without name or email",
        "phone: xml", "phone: bad selection", "phone: withheld number without callback", "phone: not a URL", "phone: bad occurredAt",
        "sms: no code", "sms: wrong code", "sms: text/plain", "sms: not an array", "sms: missing from", "sms: too large",
        // A JSON string whose escapes spell a surrogate without its partner is not text: malformed,
        // like any body that cannot be read (issue 22). A form cannot carry one, but its %-escapes can
        // spell a surrogate's UTF-8 form, which no decoder accepts either.
        "chat: unpaired surrogate in text", "chat: lone low surrogate in from.name", "chat: unpaired surrogate in a property name",
        "phone: unpaired surrogate in transcript", "phone form: %-escaped surrogate in transcript", "phone form: %-escaped surrogate in a name",
        "sms: unpaired surrogate in the message", "email: unpaired surrogate in charsets", "email: unpaired surrogate in attachment-info",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Reject_AnswersProblemNamingTheFieldAndStoresNothing(string name)
    {
        var (status, field, send) = Case(name);

        var response = await send();

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(field, JsonDocument.Parse(text).RootElement.GetProperty("field").GetString());
        Assert.Null(await _hub.CounterAsync());
        Assert.Equal(0, await _hub.DrainAsync());
        Assert.Empty(await _hub.TakeNotificationsAsync());
        Assert.Empty(await _hub.ConversationAsync("1001"));
    }

    private (HttpStatusCode, string, Func<Task<HttpResponseMessage>>) Case(string name)
    {
        var goodChat = IntakeEndToEndTests.Chat("m-1", "c-1", "Our payment page is down", null);
        var goodEmail = IntakeHub.Form(("from", "dana@acme.gov"), ("subject", "Hi"), ("text", "The export fails."));
        return name switch
        {
            "email: no key" => (HttpStatusCode.Unauthorized, "key", () => _hub.EmailAsync(goodEmail, "xYzZY", key: null)),
            "email: wrong key" => (HttpStatusCode.Unauthorized, "key", () => _hub.EmailAsync(goodEmail, "xYzZY", key: "email-secret-012345678X")),
            "email: wrong basic password" => (HttpStatusCode.Unauthorized, "key", () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/intake/email", UriKind.Relative)) { Content = new ByteArrayContent(goodEmail) };
                request.Content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=xYzZY");
                request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("sendgrid:guess")));
                return _hub.Http.SendAsync(request);
            }),
            "email: not multipart" => (HttpStatusCode.UnsupportedMediaType, "content-type", () =>
                _hub.Http.PostAsync(new Uri($"/api/intake/email?key={IntakeHub.EmailSecret}", UriKind.Relative), new StringContent("{}", Encoding.UTF8, "application/json"))),
            "email: too large" => (HttpStatusCode.RequestEntityTooLarge, "body", () =>
                _hub.EmailAsync(IntakeHub.Form(("from", "dana@acme.gov"), ("text", new string('x', 21 * 1024 * 1024))), "xYzZY")),
            "email: no boundary part" => (HttpStatusCode.BadRequest, "body", () => _hub.EmailAsync(Encoding.UTF8.GetBytes("just text"), "xYzZY")),
            "email: sender not an address" => (HttpStatusCode.UnprocessableEntity, "from", () =>
                _hub.EmailAsync(IntakeHub.Form(("from", "Dana Ortiz"), ("subject", "Hi"), ("text", "x")), "xYzZY")),
            "email: charsets not JSON" => (HttpStatusCode.BadRequest, "charsets", () =>
                _hub.EmailAsync(IntakeHub.Form(("from", "dana@acme.gov"), ("charsets", "{utf-8"), ("text", "x")), "xYzZY")),
            "chat: bad signature" => (HttpStatusCode.Unauthorized, "X-SupportHub-Signature", () => _hub.ChatAsync(goodChat, secret: "chat-secret-012345678X")),
            "chat: stale timestamp" => (HttpStatusCode.Unauthorized, "X-SupportHub-Timestamp", () => _hub.ChatAsync(goodChat, skew: Duration.FromMinutes(-6))),
            "chat: signed with the phone secret" => (HttpStatusCode.Unauthorized, "X-SupportHub-Signature", () => _hub.ChatAsync(goodChat, secret: IntakeHub.PhoneSecret)),
            "chat: no signature" => (HttpStatusCode.Unauthorized, "X-SupportHub-Timestamp", () =>
                _hub.Http.PostAsync(new Uri("/api/intake/chat", UriKind.Relative), new StringContent(JsonSerializer.Serialize(goodChat), Encoding.UTF8, "application/json"))),
            "chat: text/plain" => (HttpStatusCode.UnsupportedMediaType, "content-type", () => _hub.SignedAsync("/api/intake/chat", "hello", "text/plain", IntakeHub.ChatSecret, null)),
            "chat: too large" => (HttpStatusCode.RequestEntityTooLarge, "body", () =>
                _hub.ChatAsync(IntakeEndToEndTests.Chat("m-1", "c-1", new string('x', 70 * 1024), null))),
            "chat: not JSON" => (HttpStatusCode.BadRequest, "body", () => _hub.SignedAsync("/api/intake/chat", "{\"messageId\":", "application/json", IntakeHub.ChatSecret, null)),
            "chat: no messageId" => (HttpStatusCode.UnprocessableEntity, "messageId", () =>
                _hub.ChatAsync(new { from = new { email = "dana@acme.gov" }, text = "down" })),
            "chat: unknown severity" => (HttpStatusCode.UnprocessableEntity, "severity", () => _hub.ChatAsync(IntakeEndToEndTests.Chat("m-1", "c-1", "down", 7))),
            "chat: from without name or email" => (HttpStatusCode.UnprocessableEntity, "from", () =>
                _hub.ChatAsync(new { messageId = "m-1", from = new { }, text = "down" })),
            "phone: xml" => (HttpStatusCode.UnsupportedMediaType, "content-type", () =>
                _hub.SignedAsync("/api/intake/phone", "<call/>", "application/xml", IntakeHub.PhoneSecret, null)),
            "phone: bad selection" => (HttpStatusCode.UnprocessableEntity, "selection", () => _hub.PhoneAsync(IntakeEndToEndTests.Call("call-1", "sales"))),
            "phone: withheld number without callback" => (HttpStatusCode.UnprocessableEntity, "callbackNumber", () =>
                _hub.PhoneAsync(new { callId = "call-1", from = "anonymous", selection = "support" })),
            "phone: not a URL" => (HttpStatusCode.UnprocessableEntity, "recordingUrl", () =>
                _hub.PhoneAsync(new { callId = "call-1", from = "+13125550101", recordingUrl = "javascript:alert(1)" })),
            "phone: bad occurredAt" => (HttpStatusCode.UnprocessableEntity, "occurredAt", () =>
                _hub.PhoneAsync(new { callId = "call-1", from = "+13125550101", occurredAt = "yesterday" })),
            "sms: no code" => (HttpStatusCode.Unauthorized, "code", () => _hub.SmsAsync(IntakeHub.SmsEvent("s1", "+13125550002", "ACK 1001"), code: null)),
            "sms: wrong code" => (HttpStatusCode.Unauthorized, "code", () => _hub.SmsAsync(IntakeHub.SmsEvent("s1", "+13125550002", "ACK 1001"), code: "sms-secret-012345678X")),
            "sms: text/plain" => (HttpStatusCode.UnsupportedMediaType, "content-type", () =>
                _hub.Http.PostAsync(new Uri($"/api/events/sms?code={IntakeHub.SmsSecret}", UriKind.Relative), new StringContent("ACK 1001"))),
            "sms: not an array" => (HttpStatusCode.BadRequest, "body", () => _hub.SmsAsync("42")),
            "sms: missing from" => (HttpStatusCode.UnprocessableEntity, "[0].data.from", () =>
                _hub.SmsAsync("[{\"id\":\"e1\",\"eventType\":\"Microsoft.Communication.SMSReceived\",\"data\":{\"messageId\":\"s1\",\"message\":\"ACK 1001\"}}]")),
            "sms: too large" => (HttpStatusCode.RequestEntityTooLarge, "body", () => _hub.SmsAsync(IntakeHub.SmsEvent("s1", "+13125550002", new string('x', 1024 * 1024)))),
            "chat: unpaired surrogate in text" => (HttpStatusCode.BadRequest, "text", () => _hub.SignedAsync("/api/intake/chat",
                """{"messageId":"m-1","from":{"email":"dana@acme.gov"},"text":"down \ud800"}""", "application/json", IntakeHub.ChatSecret, null)),
            "chat: lone low surrogate in from.name" => (HttpStatusCode.BadRequest, "from.name", () => _hub.SignedAsync("/api/intake/chat",
                """{"messageId":"m-1","from":{"name":"\udc00Dana","email":"dana@acme.gov"},"text":"down"}""", "application/json", IntakeHub.ChatSecret, null)),
            "chat: unpaired surrogate in a property name" => (HttpStatusCode.BadRequest, "body", () => _hub.SignedAsync("/api/intake/chat",
                """{"messageId":"m-1","from":{"email":"dana@acme.gov"},"text":"down","\ud83d":1}""", "application/json", IntakeHub.ChatSecret, null)),
            "phone: unpaired surrogate in transcript" => (HttpStatusCode.BadRequest, "transcript", () => _hub.SignedAsync("/api/intake/phone",
                """{"callId":"call-1","from":"+13125550101","transcript":"the site \ud800\ud800 is down"}""", "application/json", IntakeHub.PhoneSecret, null)),
            "phone form: %-escaped surrogate in transcript" => (HttpStatusCode.BadRequest, "transcript", () => _hub.SignedAsync("/api/intake/phone",
                "callId=call-1&from=%2B13125550101&transcript=down+%ED%A0%80", "application/x-www-form-urlencoded", IntakeHub.PhoneSecret, null)),
            "phone form: %-escaped surrogate in a name" => (HttpStatusCode.BadRequest, "body", () => _hub.SignedAsync("/api/intake/phone",
                "callId=call-1&from=%2B13125550101&x%ED%B0%80=1", "application/x-www-form-urlencoded", IntakeHub.PhoneSecret, null)),
            "sms: unpaired surrogate in the message" => (HttpStatusCode.BadRequest, "[0].data.message", () => _hub.SmsAsync(
                """[{"id":"e1","eventType":"Microsoft.Communication.SMSReceived","data":{"messageId":"s1","from":"+13125550002","message":"ACK 1001 \udfff"}}]""")),
            "email: unpaired surrogate in charsets" => (HttpStatusCode.BadRequest, "charsets.text", () =>
                _hub.EmailAsync(IntakeHub.Form(("from", "dana@acme.gov"), ("charsets", """{"text":"utf-8\ud800"}"""), ("text", "x")), "xYzZY")),
            "email: unpaired surrogate in attachment-info" => (HttpStatusCode.BadRequest, "attachment-info.attachment1.filename", () =>
                _hub.EmailAsync(IntakeHub.Form(("from", "dana@acme.gov"), ("text", "x"),
                    ("attachment-info", """{"attachment1":{"filename":"log\ud800.txt","type":"text/plain"}}""")), "xYzZY")),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
        };
    }
}
