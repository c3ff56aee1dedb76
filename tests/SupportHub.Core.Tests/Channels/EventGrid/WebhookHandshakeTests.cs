using SupportHub.Channels.EventGrid;

namespace SupportHub.Core.Tests.Channels.EventGrid;

public class WebhookHandshakeTests
{
    [Theory]
    // What Event Grid sends (CloudEvents schema subscriptions): the origin alone.
    [InlineData("eventgrid.azure.net", null, "eventgrid.azure.net")]
    // The spec's example, with a rate: the hub does not throttle, so it grants no limit.
    [InlineData("eventemitter.example.com", "120", "eventemitter.example.com")]
    // A single label is a DNS name too.
    [InlineData("localhost", "1", "localhost")]
    public void Answer_ValidRequest_ConsentsToThatOriginWithNoRateLimit(string origin, string? rate, string allowed)
    {
        var answer = WebhookHandshake.Answer([origin], rate is null ? [] : [rate]);

        Assert.True(answer.Ok);
        Assert.Equal(new WebhookConsent(allowed, "*"), answer.Value);
    }

    [Theory]
    // The origin is echoed into a response header: only a DNS name may be.
    [InlineData(null, null, "WebHook-Request-Origin")]
    [InlineData("", null, "WebHook-Request-Origin")]
    [InlineData("event grid", null, "WebHook-Request-Origin")]
    [InlineData("a..b", null, "WebHook-Request-Origin")]
    [InlineData("-eventgrid.azure.net", null, "WebHook-Request-Origin")]
    [InlineData("eventgrid.azure.net\u0007", null, "WebHook-Request-Origin")]
    [InlineData("*", null, "WebHook-Request-Origin")]
    // A rate is a whole number of requests per minute, more than zero.
    [InlineData("eventgrid.azure.net", "0", "WebHook-Request-Rate")]
    [InlineData("eventgrid.azure.net", "-5", "WebHook-Request-Rate")]
    [InlineData("eventgrid.azure.net", "fast", "WebHook-Request-Rate")]
    [InlineData("eventgrid.azure.net", "99999999999", "WebHook-Request-Rate")]
    public void Answer_BadHeader_IsMalformedNamingIt(string? origin, string? rate, string field)
    {
        var answer = WebhookHandshake.Answer(origin is null ? [] : [origin], rate is null ? [] : [rate]);

        Assert.False(answer.Ok);
        var problem = Assert.Single(answer.Problems);
        Assert.Equal((field, SupportHub.Intake.IntakeProblemKind.Malformed), (problem.Field, problem.Kind));
    }

    [Fact]
    public void Answer_TwoOrigins_IsRefused()
    {
        // Which one would be consented to? Neither.
        var answer = WebhookHandshake.Answer(["eventgrid.azure.net", "other.example"], []);

        Assert.Equal("WebHook-Request-Origin", Assert.Single(answer.Problems).Field);
    }
}
