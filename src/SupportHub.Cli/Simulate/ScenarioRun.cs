using System.Globalization;
using System.Net.Mail;
using System.Text.Json;
using System.Text.Json.Nodes;
using NodaTime;
using SupportHub.Intake;
using SupportHub.Policy;
using SupportHub.Storage;
using SupportHub.Tickets;
using SupportHub.Workflows;
using SupportHub.Storage.InMemory;

namespace SupportHub.Cli.Simulate;

/// <summary>A scenario event the run cannot carry out (a ticket alias that does not exist yet, a bad field).</summary>
internal sealed class ScenarioException(string message) : Exception(message);

/// <summary>
/// Runs a scenario through the production intake, deciders and workflow runner, with an in-memory
/// store and a virtual clock: events at their instants, and every timer the workflows schedule at
/// its due instant, until <c>until</c>. Each decision's timeline lines go to <c>emit</c> in time order.
/// </summary>
internal sealed class ScenarioRun
{
    private readonly SupportPolicy policy;
    private readonly VirtualQueue queue = new();
    private readonly TicketWorkflowRunner runner;
    private readonly TicketIntake intake;
    private readonly Action<JsonObject> emit;
    private readonly Dictionary<string, string> aliasOf = [];
    private readonly List<string> refs = [];

    public ScenarioRun(SupportPolicy policy, Action<JsonObject> emit)
    {
        this.policy = policy;
        this.emit = emit;
        var store = new InMemoryEntityStore();
        // No history rows: the timeline printed here is the same lines, and nothing reads them back.
        runner = new TicketWorkflowRunner(store, queue, new TicketContext(policy), keepHistory: false);
        intake = new TicketIntake(store, policy);
    }

    public int TicketCount => refs.Count;

    public int Decisions { get; private set; }

    public int Notifications => queue.NotificationsSent;

    public async Task RunAsync(IReadOnlyList<ScenarioEvent> events, Instant until, CancellationToken cancellationToken)
    {
        var next = 0;
        while (true)
        {
            var eventAt = next < events.Count ? events[next].At : (Instant?)null;
            // Timers due at the instant of an event fire first: they were due by then.
            if (queue.NextDue is { } due && due <= until && (eventAt is null || due <= eventAt))
            {
                queue.Now = due;
                await HandleAsync(queue.Dequeue(), due, cancellationToken);
            }
            else if (eventAt is { } at)
            {
                queue.Now = at;
                await ApplyAsync(events[next++], cancellationToken);
            }
            else
            {
                return;
            }
        }
    }

    private async Task ApplyAsync(ScenarioEvent e, CancellationToken cancellationToken)
    {
        var body = e.Body;
        var id = $"scenario:{e.Index}";
        switch (e.Kind)
        {
            case "email" or "chat" or "phone":
                await IntakeAsync(Inbound(e), e.At, cancellationToken);
                break;
            case "reply":
                var ticket = Ticket(e);
                var by = Text(body, "by")!;
                if (policy.People.ContainsKey(by))
                {
                    await HandleAsync(new PostReply(id, ticket, by, true, Text(body, "text") ?? ""), e.At, cancellationToken);
                }
                else
                {
                    // A requester's reply comes in by email, through threading: so a reply to a
                    // Closed ticket opens a follow-up, and a stranger's opens a ticket of their own.
                    var subject = $"Re: [#{ticket}] {await SubjectAsync(ticket, cancellationToken)}";
                    await IntakeAsync(new InboundMessage(IntakeChannel.Email, $"{id}@simulate", e.At,
                        ParseRequester(by), subject, Text(body, "text") ?? ""), e.At, cancellationToken);
                }
                break;
            case "ack":
                await HandleAsync(new Acknowledge(id, Ticket(e), Text(body, "by")!), e.At, cancellationToken);
                break;
            case "approve" or "decline":
                await HandleAsync(new AnswerApproval(id, Ticket(e), e.Kind == "approve", Text(body, "by")!), e.At, cancellationToken);
                break;
            case "status":
                var to = TicketStatusNames.Parse(Text(body, "to"))
                    ?? throw new ScenarioException($"{e.Path}.status.to: \"{Text(body, "to")}\" is not a status (New, Open, Pending, On-hold, Solved, Closed)");
                await HandleAsync(new ChangeStatus(id, Ticket(e), to, Text(body, "by") ?? "system"), e.At, cancellationToken);
                break;
            case "severity":
                var level = Number(body, "to") ?? Number(body, "level")
                    ?? throw new ScenarioException($"{e.Path}.severity.to: required, the new severity level");
                await HandleAsync(new ChangeSeverity(id, Ticket(e), level, Text(body, "by") ?? "system"), e.At, cancellationToken);
                break;
            case "csat":
                var rating = Text(body, "rating");
                if (rating is not ("good" or "bad"))
                {
                    throw new ScenarioException($"{e.Path}.csat.rating: \"{rating}\" is not good or bad");
                }
                var rater = Text(body, "by") ?? await RequesterAsync(Ticket(e), cancellationToken);
                await HandleAsync(new RateSupport(id, Ticket(e), rating == "good", rater), e.At, cancellationToken);
                break;
        }
    }

    private async Task IntakeAsync(InboundMessage message, Instant at, CancellationToken cancellationToken)
    {
        var outcome = await intake.AcceptAsync(message, cancellationToken);
        if (outcome.Opened && !aliasOf.ContainsKey(outcome.Ticket))
        {
            refs.Add(outcome.Ticket);
            aliasOf[outcome.Ticket] = $"#{refs.Count}";
        }
        // Intake records the command with every decision here (no message is queued with it), so a redelivery has it too.
        await HandleAsync(outcome.Command ?? throw new InvalidOperationException($"Intake returned no command for ticket {outcome.Ticket}."), at, cancellationToken);
    }

    private async Task HandleAsync(TicketCommand command, Instant now, CancellationToken cancellationToken)
    {
        var decision = await runner.HandleAsync(command, now, cancellationToken);
        Decisions++;
        var zone = policy.Organization.TimeZone;
        var alias = Alias(command.Ticket);
        foreach (var line in TicketTimeline.Describe(decision, now, alias, zone))
        {
            Emit(line, command.Ticket);
        }
        if (decision.Rejection is { } reason)
        {
            Emit(new JsonObject
            {
                ["at"] = TicketTimeline.Format(now, zone),
                ["type"] = "command.rejected",
                ["ticket"] = alias,
                ["command"] = JsonSerializer.SerializeToNode(command, WorkflowJson.Options)!["type"]!.GetValue<string>(),
                ["reason"] = reason,
            }, command.Ticket);
        }
    }

    private void Emit(JsonObject line, string reference)
    {
        line["ref"] = reference;
        if (line["original"] is JsonValue original && original.GetValue<string>() is var o && aliasOf.TryGetValue(o, out var alias))
        {
            line["original"] = alias;
        }
        emit(line);
    }

    private string Alias(string reference) => aliasOf.TryGetValue(reference, out var alias) ? alias : "#" + reference;

    /// <summary>The real reference of a <c>#N</c> alias; the N-th ticket must exist by then.</summary>
    private string Ticket(ScenarioEvent e)
    {
        var text = Text(e.Body, "ticket")!;
        if (text.StartsWith('#') && int.TryParse(text.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1)
        {
            return n <= refs.Count
                ? refs[n - 1]
                : throw new ScenarioException($"{e.Path}.{e.Kind}.ticket: {text} does not exist at {TicketTimeline.Format(e.At, policy.Organization.TimeZone)} (the scenario has opened {refs.Count} ticket(s) by then)");
        }
        throw new ScenarioException($"{e.Path}.{e.Kind}.ticket: \"{text}\" is not a ticket alias (use #1 for the first ticket the scenario opens)");
    }

    private InboundMessage Inbound(ScenarioEvent e)
    {
        var body = e.Body;
        switch (e.Kind)
        {
            case "email":
                var subject = Text(body, "subject") ?? "";
                var replyTo = Text(body, "inReplyTo");
                return new InboundMessage(IntakeChannel.Email, Text(body, "messageId") ?? $"scenario-{e.Index}@simulate", e.At,
                    ParseRequester(Text(body, "from")!), subject, Text(body, "text") ?? "",
                    Severity: SeverityRules.FromSubject(subject), InReplyTo: replyTo is null ? null : [replyTo]);
            case "chat":
                var from = body.GetProperty("from");
                var requester = from.ValueKind == JsonValueKind.String
                    ? ParseRequester(from.GetString()!)
                    : new Requester(Text(from, "name"), Text(from, "email"), null);
                var text = Text(body, "text") ?? "";
                return new InboundMessage(IntakeChannel.Chat, Text(body, "messageId")!, e.At, requester,
                    "", text, Text(body, "account"), Number(body, "severity"), Text(body, "conversationId"));
            default:
                var selection = Text(body, "selection");
                return new InboundMessage(IntakeChannel.Phone, Text(body, "callId")!, e.At,
                    new Requester(null, null, Text(body, "callbackNumber") ?? Text(body, "from")),
                    $"Phone call{(selection is null ? "" : $" ({selection})")}", Text(body, "transcript") ?? "",
                    Severity: SeverityRules.FromPhone(selection, Number(body, "severity")));
        }
    }

    private static Requester ParseRequester(string address)
    {
        if (address.StartsWith('+'))
        {
            return new Requester(null, null, address);
        }
        try
        {
            var mail = new MailAddress(address);
            return new Requester(mail.DisplayName.Length == 0 ? null : mail.DisplayName, mail.Address, null);
        }
        catch (FormatException)
        {
            throw new ScenarioException($"\"{address}\" is neither an email address nor a phone number");
        }
    }

    private async Task<string> SubjectAsync(string ticket, CancellationToken cancellationToken) =>
        (await runner.LoadAsync(ticket, cancellationToken))?.Facts.Subject ?? "";

    private async Task<string> RequesterAsync(string ticket, CancellationToken cancellationToken) =>
        (await runner.LoadAsync(ticket, cancellationToken))?.Facts.Requester.Address ?? "requester";

    private static string? Text(JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int? Number(JsonElement body, string name) =>
        body.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : null;
}
