using NodaTime;
using SupportHub.Functions.Hosting;
using SupportHub.Functions.Telemetry;
using SupportHub.Policy;
using SupportHub.Storage;
using SupportHub.Tickets;
using SupportHub.Workflows;

namespace SupportHub.Functions.Tickets;

// The agent routes (CONTRACT.md), all behind the API key:
//   GET  /api/tickets/{ref}                 the ticket: status, clocks, escalation, billing, history
//   GET  /api/tickets?status=&account=      the ticket list, from the TicketList index
//   POST /api/tickets/{ref}/reply           {by, text}   a staff public reply
//   POST /api/tickets/{ref}/status          {to, by}     a status change
//   POST /api/tickets/{ref}/severity        {level, by}  a severity change
//   POST /api/tickets/{ref}/ack             {by}         acknowledge the page
//   POST /api/tickets/{ref}/split           {ticket}?    undo a cross-channel link (TicketSplit)
// A command runs through the workflow runner at once (the same code the workflow-events function
// runs), so the answer is the ticket after it: 200 with the new state, 404 for an unknown ticket,
// 409 with the workflow's reason when it refuses ("ticket #1001 was already acknowledged by bob").
// An Idempotency-Key header becomes the command id, so a retried request is recognised as a repeat.

/// <summary>Maps the agent routes.</summary>
public static class TicketRoutes
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    private const int MaxIdempotencyKeyLength = 100;

    public static IEndpointRouteBuilder MapTicketRoutes(this IEndpointRouteBuilder endpoints)
    {
        var tickets = endpoints.MapGroup("/api/tickets").AddEndpointFilter<AgentApiKey>();
        // Each name is the route's function in Azure (FunctionCatalog).
        tickets.MapGet("/{ticket}", GetAsync).WithName("TicketGet");
        tickets.MapGet("/", ListAsync).WithName("TicketList");
        tickets.MapPost("/{ticket}/reply", (string ticket, HttpRequest request, Agent agent, CancellationToken ct) =>
            agent.RunAsync(ticket, request, (body, id) => new PostReply(id, ticket, body.Person("by", agent.Policy), true, body.Text("text")), ct))
            .WithName("TicketReply");
        tickets.MapPost("/{ticket}/status", (string ticket, HttpRequest request, Agent agent, CancellationToken ct) =>
            agent.RunAsync(ticket, request, (body, id) =>
            {
                var to = body.Text("to");
                var status = TicketStatusNames.Parse(to);
                if (to.Length > 0 && status is null)
                {
                    body.Invalid("to", $"\"{to}\" is not a status (New, Open, Pending, On-hold, Solved, Closed).");
                }

                return new ChangeStatus(id, ticket, status ?? TicketStatus.New, body.Person("by", agent.Policy));
            }, ct))
            .WithName("TicketStatus");
        tickets.MapPost("/{ticket}/severity", (string ticket, HttpRequest request, Agent agent, CancellationToken ct) =>
            agent.RunAsync(ticket, request, (body, id) =>
            {
                var level = body.Integer("level");
                if (level != 0 && agent.Policy.Severity(level) is null)
                {
                    body.Invalid("level", $"Severity {level} is not defined by the policy (use {string.Join(", ", agent.Policy.Severities.Select(s => s.Level))}).");
                }

                return new ChangeSeverity(id, ticket, level, body.Person("by", agent.Policy));
            }, ct))
            .WithName("TicketSeverity");
        tickets.MapPost("/{ticket}/ack", (string ticket, HttpRequest request, Agent agent, CancellationToken ct) =>
            agent.RunAsync(ticket, request, (body, id) => new Acknowledge(id, ticket, body.Person("by", agent.Policy)), ct))
            .WithName("TicketAck");
        // Outside the group: split checks the API key itself (TicketSplit).
        endpoints.MapPost("/api/tickets/{ticket}/split", (string ticket, HttpRequest request, HubSecrets secrets, IClock clock, IEntityStore store, CancellationToken ct) =>
            TicketSplit.HandleAsync(ticket, request, secrets, clock, store, ct))
            .WithName("TicketSplit");
        return endpoints;
    }

    // A reference that could not even be a store key ('#', '/', control characters, too long) names
    // no ticket: 404, like any unknown reference, instead of the store's ArgumentException.
    private static async Task<IResult> GetAsync(string ticket, Agent agent, CancellationToken cancellationToken) =>
        EntityStoreLimits.IsValidKeyPart(ticket) && await agent.Runner.LoadAsync(ticket, cancellationToken) is { } state
            ? TypedResults.Ok(await agent.ResponseAsync(state, cancellationToken))
            : NotFound(ticket);

    private static async Task<IResult> ListAsync(string? status, string? account, Agent agent, TicketList list, CancellationToken cancellationToken)
    {
        var wanted = TicketStatusNames.Parse(status);
        if (!string.IsNullOrWhiteSpace(status) && wanted is null)
        {
            return TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]>
            {
                ["status"] = [$"\"{status}\" is not a status (New, Open, Pending, On-hold, Solved, Closed)."],
            }) { Status = StatusCodes.Status400BadRequest, Title = "The query is malformed." });
        }

        var entries = await list.QueryAsync(
            e => (wanted is null || e.Status == wanted)
                && (string.IsNullOrWhiteSpace(account) || string.Equals(e.Account, account.Trim(), StringComparison.OrdinalIgnoreCase)),
            cancellationToken);
        var zone = agent.Policy.Organization.TimeZone;
        return TypedResults.Ok(new
        {
            tickets = entries.OrderByDescending(e => e.Received).ThenByDescending(e => e.Ticket, StringComparer.Ordinal)
                .Select(e => TicketListItem.From(e, zone)).ToList(),
        });
    }

    private static IResult NotFound(string ticket) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such ticket", detail: $"Ticket #{ticket} does not exist.");

    /// <summary>What every agent route needs, resolved once per request.</summary>
    public sealed class Agent(TicketWorkflowRunner runner, IEntityStore store, IClock clock, DecisionTelemetry telemetry)
    {
        public TicketWorkflowRunner Runner => runner;

        public SupportPolicy Policy => runner.Context.Policy;

        public async Task<TicketResponse> ResponseAsync(TicketState state, CancellationToken cancellationToken) =>
            TicketResponse.From(state, await TicketHistory.ReadAsync(store, state.Ref, cancellationToken), Policy);

        /// <summary>Reads the body, builds the command, runs it and answers with the ticket or the problem.</summary>
        public async Task<IResult> RunAsync(string ticket, HttpRequest request, Func<AgentRequest, string, TicketCommand> command, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            if (!EntityStoreLimits.IsValidKeyPart(ticket))
            {
                return NotFound(ticket);
            }

            var key = request.Headers[IdempotencyKeyHeader].ToString();
            if (key.Length > MaxIdempotencyKeyLength || key.Any(c => c is < '!' or > '~'))
            {
                return TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]>
                {
                    [IdempotencyKeyHeader] = [$"At most {MaxIdempotencyKeyLength} visible ASCII characters."],
                }) { Status = StatusCodes.Status400BadRequest, Title = "The request is malformed." });
            }

            var (body, unreadable) = await AgentRequest.ReadAsync(request, cancellationToken);
            if (unreadable is not null)
            {
                return unreadable;
            }

            var id = "agent:" + (key.Length > 0 ? key : Guid.NewGuid().ToString("N"));
            var built = command(body!, id);
            if (body!.Problem() is { } problem)
            {
                return problem;
            }

            var decision = await runner.HandleAsync(built, clock.GetCurrentInstant(), cancellationToken);
            telemetry.Track(decision);
            if (decision.State is null)
            {
                return NotFound(ticket);
            }

            if (decision.Rejection is { } rejection)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The ticket did not change", detail: rejection);
            }

            return TypedResults.Ok(await ResponseAsync(decision.State, cancellationToken));
        }
    }
}
