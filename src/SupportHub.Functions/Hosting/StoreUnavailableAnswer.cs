using SupportHub.Storage;

namespace SupportHub.Functions.Hosting;

/// <summary>
/// A write the store cannot take now (its disk is full) answers 503 problem+json with Retry-After,
/// on every route: nothing of the request was stored, and the sender should try again later (SendGrid,
/// chat platforms and IVRs retry a 5xx). The hub itself keeps running and carries on once space returns.
/// </summary>
public static class StoreUnavailableAnswer
{
    /// <summary>Seconds a client is asked to wait before it tries again.</summary>
    public const int RetryAfterSeconds = 30;

    public static IApplicationBuilder UseStoreUnavailableAnswer(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (StoreUnavailableException unavailable) when (!context.Response.HasStarted)
            {
                context.Response.Clear();
                context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await TypedResults.Problem(
                    title: "The hub cannot store anything right now.",
                    detail: $"{unavailable.Message} Nothing of this request was stored; send it again in {RetryAfterSeconds} seconds.",
                    statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(context);
            }
        });
}
