using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using SupportHub.Channels;
using Xunit.Abstractions;

namespace SupportHub.Functions.Tests.Intake;

// Generated hostile input against every intake route and the agent routes, in-process with the real
// SQLite store: well-formed requests with one thing broken (a truncated or bit-flipped body, wrong
// JSON types, a string escaping an unpaired surrogate, a missing or garbled header, a mangled
// multipart part), signed when the route needs a signature so the damage reaches the parsers
// rather than stopping at authentication. For every answer: never a 5xx; a 4xx is
// application/problem+json; and a refused request wrote nothing: the ETag counter (moved by any
// entity write, ticket counter included) and the queue are as before. Seeded, so a failure names
// a case that replays; bounded by a case count and a time budget.

public sealed class IntakeFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int Seed = 20261122;
    private const int MaxCases = 5000;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(40);

    private readonly IntakeHub _hub = new();
    private Random _random = new(Seed);

    public void Dispose() => _hub.Dispose();

    [Fact]
    public async Task Fuzz_MalformedRequests_NeverFailTheServerAndRefusalsLeaveNothing()
    {
        // Two real tickets, so agent cases also reach existing ones.
        await IntakeHub.AcceptedTicketAsync(await _hub.ChatAsync(IntakeEndToEndTests.Chat("seed-1", "seed-c1", "Payment page is down", null)));
        await IntakeHub.AcceptedTicketAsync(await _hub.PhoneAsync(new { callId = "seed-call", from = "+13125550101", selection = "emergency" }));
        await _hub.DrainAsync();

        var generators = new (string Route, Func<HttpRequestMessage> Make)[]
        {
            ("chat", () => Signed("/api/intake/chat", MutateJson(ChatBody()), IntakeHub.ChatSecret)),
            ("phone", () => Signed("/api/intake/phone", MutatePhone(), IntakeHub.PhoneSecret)),
            ("email", Email),
            ("sms", Sms),
            ("sms handshake", SmsHandshake),
            ("agent", Agent),
        };
        var clock = Stopwatch.StartNew();
        var counts = new Dictionary<string, int[]>(StringComparer.Ordinal);
        var cases = 0;
        for (; cases < MaxCases && clock.Elapsed < Budget; cases++)
        {
            // Each case from its own seed, so the message names one that replays alone.
            var caseSeed = Seed + cases;
            _random = new Random(caseSeed);
            var (route, make) = generators[cases % generators.Length];
            using var request = make();
            var description = $"case {cases} (seed {caseSeed}, {route}): {request.Method} {request.RequestUri} {request.Content?.Headers.ContentType}";
            var before = await _hub.FootprintAsync();

            using var response = await _hub.Http.SendAsync(request);

            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(status < 500, $"{description} answered {status}: {text}");
            if (status >= 400)
            {
                Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json",
                    $"{description} answered {status} as {response.Content.Headers.ContentType}: {text}");
                using var problem = JsonDocument.Parse(text);
                Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
                Assert.True(before == await _hub.FootprintAsync(), $"{description} was refused with {status} but wrote to the store or queue: {text}");
            }
            var tally = counts.TryGetValue(route, out var t) ? t : counts[route] = new int[6];
            tally[status / 100]++;
        }

        output.WriteLine($"{cases} cases in {clock.Elapsed.TotalSeconds:0.0} s");
        foreach (var (route, tally) in counts)
        {
            output.WriteLine($"{route}: {tally[2]} 2xx, {tally[4]} 4xx");
        }
        Assert.True(cases >= 1000, $"only {cases} cases ran within {Budget}");
    }

    private static Dictionary<string, object?> ChatBody() => new()
    {
        ["messageId"] = "fuzz-m",
        ["conversationId"] = "fuzz-c",
        ["account"] = "acme",
        ["from"] = new Dictionary<string, object?> { ["name"] = "Dana Ortiz", ["email"] = "dana@acme.gov" },
        ["text"] = "Our payment page is down",
        ["severity"] = 1,
        ["sentAt"] = "2026-11-21T08:00:00Z",
    };

    private byte[] MutatePhone() => MutateJson(new Dictionary<string, object?>
    {
        ["callId"] = "fuzz-call",
        ["from"] = "+13125550101",
        ["to"] = "+18005550000",
        ["selection"] = "emergency",
        ["severity"] = 1,
        ["transcript"] = "the site is down",
        ["recordingUrl"] = "https://ivr.example.com/r/1",
        ["callbackNumber"] = "+13125550101",
        ["occurredAt"] = "2026-11-21T08:00:00Z",
    });

    // A valid body with one field broken, or the whole body damaged.
    private byte[] MutateJson(Dictionary<string, object?> body)
    {
        var keys = body.Keys.ToList();
        switch (_random.Next(10))
        {
            case 0:
                body.Remove(Pick(keys));
                break;
            case 1 or 2:
                body[Pick(keys)] = WrongValue();
                break;
            case 3:
                body[Pick(keys) is var k && body[k] is Dictionary<string, object?> ? k : "from"] = WrongValue();
                break;
            case 4:
                body["extra" + _random.Next(100)] = WrongValue();
                break;
            case 5:
                return UnpairedSurrogate(body);
            default:
                return Damage(JsonSerializer.SerializeToUtf8Bytes(body));
        }
        return JsonSerializer.SerializeToUtf8Bytes(body);
    }

    private object? WrongValue() => _random.Next(12) switch
    {
        0 => null,
        1 => "",
        2 => _random.Next(int.MinValue, int.MaxValue),
        3 => 1e308,
        4 => new[] { 1, 2, 3 },
        5 => new Dictionary<string, object?> { ["nested"] = new Dictionary<string, object?> { ["deeper"] = "x" } },
        6 => new string('x', _random.Next(1, 70_000)),
        7 => "\u0000\u001f\ud83d\ude00\u202e<script>",
        8 => true,
        9 => "2026-13-45T99:99:99Z",
        10 => "not a number",
        _ => RandomText(_random.Next(1, 40)),
    };

    // A string, or a property name, whose escapes spell a surrogate without its partner. The
    // serializer would write such a string as U+FFFD, so the escape goes into the JSON text itself.
    private byte[] UnpairedSurrogate(Dictionary<string, object?> body)
    {
        const string Placeholder = "unpaired-surrogate-here";
        var keys = body.Keys.ToList();
        if (_random.Next(4) == 0)
        {
            body[Placeholder] = "x";
        }
        else
        {
            body[Pick(keys)] = _random.Next(2) == 0 ? Placeholder : "text " + Placeholder + " more";
        }
        var escape = new[] { "\\ud800", "\\udfff", "\\ud83d", "\\ude00x", "\\ud800\\ud800", "\\udbff\\u0041" }[_random.Next(6)];
        return Encoding.UTF8.GetBytes(JsonSerializer.Serialize(body).Replace(Placeholder, escape, StringComparison.Ordinal));
    }

    // Byte-level damage: truncation, flipped bytes, invalid UTF-8, an inserted quote or brace, deep nesting.
    private byte[] Damage(byte[] bytes)
    {
        switch (_random.Next(6))
        {
            case 0:
                return bytes[.._random.Next(bytes.Length)];
            case 1:
                var flipped = (byte[])bytes.Clone();
                for (var i = 0; i < 1 + _random.Next(4); i++)
                {
                    flipped[_random.Next(flipped.Length)] ^= (byte)(1 << _random.Next(8));
                }
                return flipped;
            case 2:
                var invalid = (byte[])bytes.Clone();
                invalid[_random.Next(invalid.Length)] = 0xC3;
                invalid[_random.Next(invalid.Length)] = 0xFF;
                return invalid;
            case 3:
                var at = _random.Next(bytes.Length);
                return [.. bytes[..at], (byte)"\"{}[],:\\"[_random.Next(8)], .. bytes[at..]];
            case 4:
                var depth = _random.Next(10, 2000);
                return Encoding.UTF8.GetBytes(new string('[', depth) + new string(']', depth));
            default:
                var noise = new byte[_random.Next(0, 300)];
                _random.NextBytes(noise);
                return noise;
        }
    }

    private HttpRequestMessage Signed(string path, byte[] body, string secret)
    {
        var now = _hub.Clock.GetCurrentInstant().ToUnixTimeSeconds();
        var timestamp = now.ToString(CultureInfo.InvariantCulture);
        var signature = WebhookAuth.Sign(secret, timestamp, body);
        var contentType = "application/json";
        // Most cases are signed correctly, so the damage reaches the parser; the rest damage the envelope.
        switch (_random.Next(8))
        {
            case 0:
                timestamp = _random.Next(3) switch { 0 => "", 1 => HeaderText(12), _ => (now - 301).ToString(CultureInfo.InvariantCulture) };
                break;
            case 1:
                signature = _random.Next(3) switch { 0 => "sha256=" + new string('z', 64), 1 => "md5=abc", _ => HeaderText(_random.Next(0, 300)) };
                break;
            case 2:
                contentType = _random.Next(3) switch { 0 => "text/plain", 1 => "application/json; charset=utf-7", _ => "multipart/form-data; boundary=x" };
                break;
        }
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        request.Headers.TryAddWithoutValidation(WebhookAuth.TimestampHeader, timestamp);
        request.Headers.TryAddWithoutValidation(WebhookAuth.SignatureHeader, signature);
        return request;
    }

    private HttpRequestMessage Email()
    {
        var fields = new List<(string Name, string Value)>
        {
            ("headers", "From: Dana Ortiz <dana@acme.gov>\r\nSubject: [Sev2] Export fails\r\nMessage-ID: <fuzz@acme.gov>\r\n"),
            ("from", "Dana Ortiz <dana@acme.gov>"),
            ("to", "support@example.com"),
            ("subject", "[Sev2] Export fails"),
            ("text", "The export fails."),
            ("charsets", "{\"to\":\"UTF-8\",\"subject\":\"UTF-8\",\"from\":\"UTF-8\",\"text\":\"UTF-8\"}"),
            ("SPF", "pass"),
        };
        var i = _random.Next(fields.Count);
        switch (_random.Next(5))
        {
            case 0:
                fields.RemoveAt(i);
                break;
            case 1:
                fields[i] = (fields[i].Name, WrongValue()?.ToString() ?? "");
                break;
            case 2:
                fields.Add(("email", _random.Next(2) == 0 ? RandomText(200) : "From: x\r\nContent-Type: multipart/mixed; boundary=\"q\"\r\n\r\n--q\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@@\r\n"));
                break;
            case 3:
                fields[i] = (fields[i].Name, "=?utf-8?B?" + RandomText(30) + "?= =?bogus?Q?x?=");
                break;
            case 4 when _random.Next(2) == 0:
                // The two JSON fields of Inbound Parse, with an unpaired surrogate escaped in them.
                fields.Add(_random.Next(2) == 0
                    ? ("charsets", "{\"text\":\"utf-8\\ud800\"}")
                    : ("attachment-info", "{\"attachment1\":{\"filename\":\"\\udc00.txt\",\"type\":\"text/plain\"}}"));
                break;
        }
        var body = IntakeHub.Form([.. fields]);
        if (_random.Next(4) == 0)
        {
            body = Damage(body);
        }
        var boundary = _random.Next(6) switch { 0 => "wrong", 1 => "", _ => "xYzZY" };
        var key = _random.Next(6) switch { 0 => null, 1 => "guess", _ => IntakeHub.EmailSecret };
        var request = new HttpRequestMessage(HttpMethod.Post,
            new Uri(key is null ? "/api/intake/email" : $"/api/intake/email?key={Uri.EscapeDataString(key)}", UriKind.Relative))
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type",
            _random.Next(8) == 0 ? "application/x-www-form-urlencoded" : $"multipart/form-data; boundary={boundary}");
        return request;
    }

    private HttpRequestMessage Sms()
    {
        var json = Encoding.UTF8.GetBytes(IntakeHub.SmsEvent("fuzz-sms", "+13125550002", "ACK 1001"));
        byte[] body = _random.Next(3) switch
        {
            0 => Damage(json),
            1 => Encoding.UTF8.GetBytes("[{\"id\":\"e\",\"eventType\":\"" + (_random.Next(2) == 0 ? "Microsoft.EventGrid.SubscriptionValidationEvent" : RandomText(10))
                + "\",\"data\":" + JsonSerializer.Serialize(WrongValue()) + "}]"),
            _ => MutateJson(new Dictionary<string, object?> { ["id"] = "e1", ["eventType"] = "Microsoft.Communication.SMSReceived", ["data"] = WrongValue() }),
        };
        var code = _random.Next(5) == 0 ? PathText(10) : IntakeHub.SmsSecret;
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/events/sms?code={Uri.EscapeDataString(code)}", UriKind.Relative))
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", _random.Next(10) == 0 ? "text/plain" : "application/json");
        if (_random.Next(6) == 0)
        {
            request.Headers.TryAddWithoutValidation("aeg-event-type", _random.Next(2) == 0 ? "SubscriptionValidation" : HeaderText(8));
        }
        return request;
    }

    // Event Grid's CloudEvents handshake (OPTIONS, issue 23) with its headers missing, doubled or garbled.
    private HttpRequestMessage SmsHandshake()
    {
        var code = _random.Next(5) == 0 ? PathText(10) : IntakeHub.SmsSecret;
        var request = new HttpRequestMessage(HttpMethod.Options, new Uri($"/api/events/sms?code={Uri.EscapeDataString(code)}", UriKind.Relative));
        for (var i = _random.Next(3); i > 0; i--)
        {
            request.Headers.TryAddWithoutValidation("WebHook-Request-Origin", _random.Next(2) == 0 ? "eventgrid.azure.net" : HeaderText(_random.Next(0, 300)));
        }
        for (var i = _random.Next(3); i > 0; i--)
        {
            request.Headers.TryAddWithoutValidation("WebHook-Request-Rate", _random.Next(2) == 0 ? _random.Next(-5, 1000).ToString(CultureInfo.InvariantCulture) : HeaderText(6));
        }
        if (_random.Next(4) == 0)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(RandomText(40)));
        }
        return request;
    }

    private HttpRequestMessage Agent()
    {
        var ticket = _random.Next(4) switch { 0 => "1001", 1 => "1002", 2 => PathText(_random.Next(1, 60)), _ => _random.Next().ToString(CultureInfo.InvariantCulture) };
        var escaped = Uri.EscapeDataString(ticket);
        var action = _random.Next(6);
        HttpRequestMessage request;
        if (action == 0)
        {
            request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/api/tickets/{escaped}", UriKind.Relative));
        }
        else if (action == 1)
        {
            request = new HttpRequestMessage(HttpMethod.Get,
                new Uri($"/api/tickets?status={Uri.EscapeDataString(PathText(6))}&account={Uri.EscapeDataString(PathText(4))}", UriKind.Relative));
        }
        else
        {
            var verb = new[] { "reply", "status", "severity", "ack" }[action - 2];
            var body = MutateJson(new Dictionary<string, object?>
            {
                ["by"] = _random.Next(3) == 0 ? "alice" : RandomText(5),
                ["text"] = "On it.",
                ["to"] = _random.Next(2) == 0 ? "Solved" : RandomText(7),
                ["level"] = _random.Next(-2, 7),
            });
            request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/tickets/{escaped}/{verb}", UriKind.Relative))
            {
                Content = new ByteArrayContent(body),
            };
            request.Content.Headers.TryAddWithoutValidation("Content-Type", _random.Next(8) == 0 ? "text/plain" : "application/json");
            if (_random.Next(5) == 0)
            {
                request.Headers.TryAddWithoutValidation("Idempotency-Key", HeaderText(_random.Next(0, 150)));
            }
        }
        var key = _random.Next(8) switch { 0 => null, 1 => HeaderText(20), _ => IntakeHub.ApiKey };
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("x-functions-key", key);
        }
        return request;
    }

    private string Pick(List<string> keys) => keys[_random.Next(keys.Count)];

    private string RandomText(int length) => Random("abcXYZ019 -_.:/#%&?=+@\"'\\<>{}[]\u00e9\u4e2d\u0000\r\n", length);

    // What a server sees in a path or query once decoded (a NUL never gets that far).
    private string PathText(int length) => Random("abcXYZ019 -_.:/#%&?=+@\"'<>{}[]\u00e9\u4e2d", length);

    // What an HTTP client lets through in a header value: printable ASCII.
    private string HeaderText(int length) => Random("abcXYZ019 -_.:/#%&?=+@\"'<>{}[]", length);

    private string Random(string alphabet, int length)
    {
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(alphabet[_random.Next(alphabet.Length)]);
        }
        return builder.ToString();
    }
}
