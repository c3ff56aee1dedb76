using Microsoft.ApplicationInsights.DataContracts;
using SupportHub.Functions.Telemetry;

namespace SupportHub.Functions.Tests.Telemetry;

public sealed class RedactedRequestUrlsTests
{
    [Theory]
    // SendGrid's key and Event Grid's code travel in the query string.
    [InlineData("https://hub.example/api/intake/email?key=s3cret", "https://hub.example/api/intake/email")]
    [InlineData("https://hub.example/api/events/sms?code=s3cret&x=1", "https://hub.example/api/events/sms")]
    // A link's token is its path; its query goes too.
    [InlineData("https://hub.example/api/links/eyJ0.abc.def?utm=1", "https://hub.example/api/links/{token}")]
    [InlineData("https://hub.example/API/Links/eyJ0.abc", "https://hub.example/api/links/{token}")]
    // Other URLs are kept exactly as recorded, query included (nothing secret there).
    [InlineData("https://hub.example/api/tickets?status=Open", "https://hub.example/api/tickets?status=Open")]
    [InlineData("https://hub.example/api/intake/chat", "https://hub.example/api/intake/chat")]
    // Not a prefix match on the intake routes: a different route that starts alike keeps its query.
    [InlineData("https://hub.example/api/intake/emailx?key=1", "https://hub.example/api/intake/emailx?key=1")]
    public void Initialize_RequestUrls_LoseTheirSecrets(string url, string expected)
    {
        var request = new RequestTelemetry { Url = new Uri(url), Name = "POST " + new Uri(url).AbsolutePath };

        new RedactedRequestUrls().Initialize(request);

        Assert.Equal(expected, request.Url.ToString());
        Assert.DoesNotContain("eyJ0", request.Name, StringComparison.Ordinal);
    }

    [Fact]
    public void Initialize_OtherTelemetry_IsLeftAlone()
    {
        var dependency = new DependencyTelemetry { Data = "https://api.sendgrid.com/v3/mail/send?x=1" };

        new RedactedRequestUrls().Initialize(dependency);

        Assert.Equal("https://api.sendgrid.com/v3/mail/send?x=1", dependency.Data);
    }
}
