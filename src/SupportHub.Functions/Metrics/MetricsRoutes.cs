using NodaTime;
using SupportHub.Functions.Tickets;
using SupportHub.Metrics;
using SupportHub.Policy;

namespace SupportHub.Functions.Metrics;

// GET /api/metrics?from=&to= (CONTRACT.md, API key): the support desk's figures over the tickets
// received in the period (see MetricsPeriod for the accepted forms, MetricsResponse for the body).
// 400 problem+json names the parameter at fault: an unreadable bound, or a period ending before it
// starts. The states are read through the ticket list (TicketStates documents the cost).

/// <summary>Maps <c>GET /api/metrics</c>.</summary>
public static class MetricsRoutes
{
    public static IServiceCollection AddSupportMetrics(this IServiceCollection services)
    {
        services.AddSingleton<TicketStates>();
        return services;
    }

    public static IEndpointRouteBuilder MapSupportMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/metrics", GetAsync).AddEndpointFilter<AgentApiKey>().WithName("Metrics");
        return endpoints;
    }

    private static async Task<IResult> GetAsync(
        string? from, string? to, TicketStates states, SupportPolicy policy, IClock clock, HttpResponse response, CancellationToken cancellationToken)
    {
        var zone = policy.Organization.TimeZone;
        var now = clock.GetCurrentInstant();
        var (period, problems) = MetricsPeriod.Parse(from, to, now, zone);
        if (period is null)
        {
            return TypedResults.Problem(new HttpValidationProblemDetails(problems)
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The period is malformed.",
            });
        }

        response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(await ComputeAsync(states, period, now, zone, cancellationToken));
    }

    /// <summary>The metrics of <paramref name="period"/> as JSON; the board uses it too.</summary>
    public static async Task<MetricsResponse> ComputeAsync(TicketStates states, MetricsPeriod period, Instant now, DateTimeZone zone, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(period);
        var tickets = await states.ReceivedAsync(period.From, period.To, cancellationToken);
        return MetricsResponse.Of(SupportMetrics.Compute(tickets, period.From, period.To, now), zone);
    }
}
