using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;
using NodaTime;
using SupportHub.Channels;
using SupportHub.Functions.Hosting;
using SupportHub.Intake;
using SupportHub.Channels.Email;

namespace SupportHub.Functions.Intake;

/// <summary>
/// <c>POST /api/intake/email</c>: SendGrid Inbound Parse, default or raw mode. Authenticated by the
/// email secret as <c>?key=</c> or as the basic-auth password (SendGrid allows either in the URL it
/// posts to), compared in constant time.
/// </summary>
internal static class IntakeEmail
{
    public static async Task<IResult> HandleAsync(
        HttpRequest request, HubSecrets secrets, IOptions<IntakeOptions> options, IClock clock,
        TicketIntake intake, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!WebhookAuth.SecretMatches(Secret(request), secrets.EmailSecret))
        {
            request.HttpContext.Response.Headers.WWWAuthenticate = "Basic realm=\"SupportHub intake\"";
            return IntakeHttp.Unauthorized("key", "Give the email intake secret as ?key= or as the basic-auth password.");
        }
        if (IntakeHttp.MediaType(request) != "multipart/form-data")
        {
            return IntakeHttp.UnsupportedMediaType("multipart/form-data");
        }
        var (body, tooLarge) = await IntakeHttp.ReadBodyAsync(request, options.Value.MaxEmailBytes, cancellationToken);
        if (tooLarge is not null)
        {
            return tooLarge;
        }
        var form = await InboundParseFormReader.ReadAsync(request.ContentType, body!, cancellationToken);
        if (!form.Ok)
        {
            return IntakeHttp.Problems(form.Problems);
        }
        var parsed = SendGridInboundParse.Parse(form.Value!);
        if (!parsed.Ok)
        {
            return IntakeHttp.Problems(parsed.Problems);
        }
        var message = parsed.Value!.ToChannelMessage(clock.GetCurrentInstant(), options.Value.MaxTextChars);
        if (message.DeliveryReport is { } report)
        {
            var answer = await IntakeHttp.AcceptDeliveryReportAsync(message, report, intake, cancellationToken);
            if (answer.Ignored is { } reason)
            {
                loggers.CreateLogger(typeof(IntakeEmail)).LogWarning(
                    "Delivery report {MessageId} ignored: {Reason} (original Message-ID {Original}, recipient {Recipient})",
                    message.Message.SourceId, reason, report.OriginalMessageId ?? "none", report.Main?.Recipient ?? "none");
            }
            return answer.Result;
        }
        return await IntakeHttp.AcceptAsync(message, intake, cancellationToken);
    }

    private static string? Secret(HttpRequest request)
    {
        if (request.Query["key"] is { Count: > 0 } key)
        {
            return key[0];
        }
        if (AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header)
            && string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) && header.Parameter is { } encoded)
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
                var colon = pair.IndexOf(':', StringComparison.Ordinal);
                return colon < 0 ? null : pair[(colon + 1)..];
            }
            catch (FormatException)
            {
                return null;
            }
        }
        return null;
    }
}
