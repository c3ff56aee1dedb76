using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Azure;
using NodaTime;
using SupportHub.Azure.Sms;
using SupportHub.Notifications;
using SupportHub.Policy;
using SupportHub.Testing;

namespace SupportHub.Azure.Tests.Sms;

// ACS SMS against the REST reference ("Sms - Send", api-version 2021-03-07) and the HMAC recipe of
// "Sign an HTTP request with HMAC". No worked numeric example was found in the documentation
// (searched), so the signature below is hand-computed with Python's hmac/hashlib from the recipe.
public sealed class AcsSmsSenderTests
{
    private const string AccessKey = "c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seQ==";
    private static readonly Uri Endpoint = new("https://contoso.communication.azure.com");
    private readonly StubHandler _stub = new();

    [Fact]
    public void Authorization_FixedRequest_MatchesHandComputedSignature()
    {
        // body {"message":"hello"}; date Sun, 22 Nov 2026 09:00:00 GMT; host contoso.communication.azure.com.
        var hash = Convert.ToBase64String(SHA256.HashData("""{"message":"hello"}"""u8));
        Assert.Equal("my1Dr/v0mjZwKN8uFBT4TA4JmsmMPVSoqAFX/XdxryU=", hash);

        var authorization = AcsHmacPolicy.Authorization(AccessKey, "POST", new Uri(Endpoint, "/sms?api-version=2021-03-07"), "Sun, 22 Nov 2026 09:00:00 GMT", hash);

        Assert.Equal("HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=VOH+t+btNrpXG2pHkQLS4yIBWdYbqAjdUolp84bIBhY=", authorization);
    }

    [Fact]
    public void RepeatabilityRequestId_IsTheRfc4122Version5GuidOfTheNotificationId()
    {
        // Python: uuid.uuid5(uuid.UUID('5b1f0d3c-6f3e-4f7a-9a55-3c1f2d7e9b10'), 'T-42:7:page:sms').
        Assert.Equal(new Guid("6eda5e59-9621-57c1-a47f-6d1282c34430"), AcsSmsSender.RepeatabilityRequestId("T-42:7:page:sms"));
    }

    [Fact]
    public async Task Send_Page_PostsSignedRequestWithRepeatabilityAndTag()
    {
        _stub.Answer(HttpStatusCode.Accepted, """{"value":[{"to":"+13125550101","messageId":"Outgoing_1","httpStatusCode":202,"repeatabilityResult":"accepted","successful":true}]}""");
        var sender = new AcsSmsSender(Endpoint, AccessKey, "+18005550000", Notifications.Ledger(), _stub.Options(Notifications.Now));

        await sender.SendAsync(Notifications.Page(Channel.Sms), "Sev1 T-42: payment page down. Ack: https://hub/api/links/abc", CancellationToken.None);

        var request = Assert.Single(_stub.Requests);
        Assert.Equal(("POST", "https://contoso.communication.azure.com/sms?api-version=2021-03-07"), (request.Method, request.Uri.AbsoluteUri));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""
                {"from":"+18005550000",
                 "smsRecipients":[{"to":"+13125550101","repeatabilityRequestId":"6eda5e59-9621-57c1-a47f-6d1282c34430","repeatabilityFirstSent":"Sun, 22 Nov 2026 09:00:00 GMT"}],
                 "message":"Sev1 T-42: payment page down. Ack: https://hub/api/links/abc",
                 "smsSendOptions":{"enableDeliveryReport":true,"tag":"T-42:7:page:sms"}}
                """),
            JsonNode.Parse(request.Text)));
        var hash = Convert.ToBase64String(SHA256.HashData(request.Body!));
        Assert.Equal(hash, request.Headers["x-ms-content-sha256"]);
        Assert.Equal("Sun, 22 Nov 2026 09:00:00 GMT", request.Headers["x-ms-date"]);
        Assert.Equal(AcsHmacPolicy.Authorization(AccessKey, "POST", request.Uri, "Sun, 22 Nov 2026 09:00:00 GMT", hash), request.Headers["Authorization"]);
    }

    [Fact]
    public async Task Send_RetryAfterFailure_KeepsTheRepeatabilityPair()
    {
        // The first attempt fails (ACS may or may not have sent it); the retry, later, must present
        // the same request id and first-sent time so ACS can tell it is a repeat.
        var clock = new FakeClock(Notifications.Now);
        var ledger = Notifications.Ledger(clock);
        _stub.Answer(HttpStatusCode.ServiceUnavailable)
            .Answer(HttpStatusCode.Accepted, """{"value":[{"to":"+13125550101","httpStatusCode":202,"repeatabilityResult":"rejected","successful":false}]}""");
        var options = _stub.Options(Notifications.Now);
        options.Clock = clock;
        var sender = new AcsSmsSender(Endpoint, AccessKey, "+18005550000", ledger, options);

        await Assert.ThrowsAsync<RequestFailedException>(() => sender.SendAsync(Notifications.Page(Channel.Sms), "page", CancellationToken.None));
        clock.Advance(Duration.FromMinutes(3));
        await sender.SendAsync(Notifications.Page(Channel.Sms), "page", CancellationToken.None);

        var recipients = _stub.Requests.Select(r => JsonNode.Parse(r.Text)!["smsRecipients"]![0]!.ToJsonString()).ToList();
        Assert.Equal(2, recipients.Count);
        Assert.Equal(recipients[0], recipients[1]);
        Assert.Equal("Sun, 22 Nov 2026 09:03:00 GMT", _stub.Requests[1].Headers["x-ms-date"]);
    }

    [Fact]
    public async Task Send_AlreadySent_SendsNothing()
    {
        var ledger = Notifications.Ledger();
        _stub.Answer(HttpStatusCode.Accepted, """{"value":[{"to":"+13125550101","httpStatusCode":202,"repeatabilityResult":"accepted","successful":true}]}""");
        var sender = new AcsSmsSender(Endpoint, AccessKey, "+18005550000", ledger, _stub.Options(Notifications.Now));

        await sender.SendAsync(Notifications.Page(Channel.Sms), "page", CancellationToken.None);
        await sender.SendAsync(Notifications.Page(Channel.Sms), "page", CancellationToken.None);

        Assert.Single(_stub.Requests);
    }

    [Fact]
    public async Task Send_RecipientRefused_ThrowsRequestFailedExceptionWithItsStatus()
    {
        _stub.Answer(HttpStatusCode.Accepted, """{"value":[{"to":"+13125550101","httpStatusCode":400,"errorMessage":"Invalid To phone number format.","successful":false}]}""");
        var sender = new AcsSmsSender(Endpoint, AccessKey, "+18005550000", Notifications.Ledger(), _stub.Options(Notifications.Now));

        var failure = await Assert.ThrowsAsync<RequestFailedException>(() => sender.SendAsync(Notifications.Page(Channel.Sms), "page", CancellationToken.None));

        Assert.Equal(400, failure.Status);
        Assert.Contains("Invalid To phone number format.", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsChannel_Sms_SendsTheRenderedText()
    {
        _stub.Answer(HttpStatusCode.Accepted, """{"value":[{"to":"+13125550101","httpStatusCode":202,"repeatabilityResult":"accepted","successful":true}]}""");
        INotificationChannel channel = new AcsSmsSender(Endpoint, AccessKey, "+18005550000", Notifications.Ledger(), _stub.Options(Notifications.Now));

        await channel.SendAsync(new RenderedNotification(Notifications.Page(Channel.Sms), "rendered page", [], null), CancellationToken.None);

        Assert.Equal("rendered page", JsonNode.Parse(Assert.Single(_stub.Requests).Text)!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task SendAsChannel_AnotherKind_ThrowsAndSendsNothing()
    {
        INotificationChannel channel = new AcsSmsSender(Endpoint, AccessKey, "+18005550000", Notifications.Ledger(), _stub.Options(Notifications.Now));

        await Assert.ThrowsAsync<ArgumentException>(() => channel.SendAsync(new RenderedNotification(Notifications.Page(Channel.Email), "text", [], null), CancellationToken.None));

        Assert.Empty(_stub.Requests);
    }
}
