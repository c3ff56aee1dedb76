using System.Globalization;
using NodaTime;
using SupportHub.Functions.Pages;
using SupportHub.Functions.Telemetry;
using SupportHub.Notifications;
using SupportHub.Storage;
using SupportHub.Tickets;
using SupportHub.Workflows;

namespace SupportHub.Functions.Links;

// GET/POST /api/links/{token}: people clicking a signed link in a page, an approval request or a
// survey. GET only describes the action and offers a button: mail scanners and chat previews fetch
// links, so fetching must never act. POST performs it:
//   1. the token is checked (400 not a link, 403 not signed by this hub, 410 expired);
//   2. a link already used answers 409 with what its use did;
//   3. the command runs through the workflow runner right here, with id `link:{nonce}`, so the page
//      can tell the person what happened ("already acknowledged by bob") instead of "queued";
//   4. the use is recorded in table `links` (Create keyed by the nonce); AlreadyExists means a
//      concurrent click won, and this one answers "already used".
// Running before recording is what makes a crash harmless: a crash after (3) leaves the link
// unused, and clicking again re-sends the same command id, which the ticket recognises as a repeat.
// Recording first would instead burn the link of a person whose action never ran.

/// <summary>The signed-link routes.</summary>
public static class SignedLinks
{
    public const string UsedTable = "links";

    public static IEndpointRouteBuilder MapSignedLinks(this IEndpointRouteBuilder endpoints)
    {
        // One endpoint for both methods: it is one function in Azure (Links, FunctionCatalog), and an
        // endpoint name belongs to one endpoint.
        endpoints.MapMethods(LinkSigner.RoutePrefix + "{token}", [HttpMethods.Get, HttpMethods.Post],
            (HttpContext context, string token, LinkSigner signer, TicketWorkflowRunner runner, IEntityStore store, IClock clock,
                DecisionTelemetry telemetry, CancellationToken cancellationToken) =>
                HttpMethods.IsPost(context.Request.Method)
                    ? PerformAsync(token, signer, runner, store, clock, telemetry, cancellationToken)
                    : ShowAsync(token, signer, runner, store, clock, cancellationToken))
            .WithName("Links")
            .ExcludeFromDescription()
            .DisableAntiforgery();
        return endpoints;
    }

    private static async Task<IResult> ShowAsync(
        string token, LinkSigner signer, TicketWorkflowRunner runner, IEntityStore store, IClock clock, CancellationToken cancellationToken)
    {
        var check = signer.Check(token, clock.GetCurrentInstant());
        if (Refusal(check, runner.Context) is { } refused)
        {
            return refused;
        }

        var claim = check.Claim!;
        if (await UseOfAsync(store, claim, cancellationToken) is { } use)
        {
            return AlreadyUsed(claim, use, runner.Context);
        }

        if (await runner.LoadAsync(claim.Ticket, cancellationToken) is not { } ticket)
        {
            return NoSuchTicket(claim);
        }

        var (title, explanation, button) = Describe(claim, ticket, runner.Context);
        return new HtmlPage(200, title,
            $"<p>{HtmlPage.Encode(explanation)}</p>\n"
            + $"<p>This link is for {HtmlPage.Encode(claim.By)} and works once, until {HtmlPage.Encode(runner.Context.Format(claim.Expires))}.</p>\n"
            + $"<form method=\"post\"><button type=\"submit\">{HtmlPage.Encode(button)}</button></form>");
    }

    private static async Task<IResult> PerformAsync(
        string token, LinkSigner signer, TicketWorkflowRunner runner, IEntityStore store, IClock clock, DecisionTelemetry telemetry,
        CancellationToken cancellationToken)
    {
        var now = clock.GetCurrentInstant();
        var check = signer.Check(token, now);
        if (Refusal(check, runner.Context) is { } refused)
        {
            return refused;
        }

        var claim = check.Claim!;
        if (await UseOfAsync(store, claim, cancellationToken) is { } earlier)
        {
            return AlreadyUsed(claim, earlier, runner.Context);
        }

        var decision = await runner.HandleAsync(Command(claim), now, cancellationToken);
        telemetry.Track(decision);
        if (decision.State is null)
        {
            return NoSuchTicket(claim);
        }

        var outcome = decision.Rejection is { } rejection ? Sentence(rejection) : Done(claim, decision.State);
        var use = new LinkUse(now, decision.Rejection is null, outcome);
        try
        {
            await store.CreateAsync(UsedTable, Key(claim), WorkflowJson.Serialize(use), cancellationToken);
        }
        catch (EntityConflictException e) when (e.Kind == EntityConflictKind.AlreadyExists)
        {
            return AlreadyUsed(claim, (await UseOfAsync(store, claim, cancellationToken))!, runner.Context);
        }

        return use.Accepted
            ? new HtmlPage(200, "Done", $"<p>{HtmlPage.Encode(outcome)}</p>")
            : new HtmlPage(409, "Nothing changed", $"<p>{HtmlPage.Encode(outcome)}</p>");
    }

    /// <summary>The workflow command a link's use sends; its id makes a repeated click a repeat.</summary>
    public static TicketCommand Command(LinkClaim claim)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var id = "link:" + claim.Nonce;
        return claim.Action switch
        {
            LinkAction.Acknowledge => new Acknowledge(id, claim.Ticket, claim.By),
            LinkAction.Approve => new AnswerApproval(id, claim.Ticket, true, claim.By),
            LinkAction.Decline => new AnswerApproval(id, claim.Ticket, false, claim.By),
            LinkAction.RateGood => new RateSupport(id, claim.Ticket, true, claim.By),
            _ => new RateSupport(id, claim.Ticket, false, claim.By),
        };
    }

    private static HtmlPage? Refusal(LinkCheck check, TicketContext context) => check.Outcome switch
    {
        LinkCheckOutcome.Malformed => new HtmlPage(400, "This link is not valid",
            "<p>The link is incomplete or damaged. Open it again from the message you received, copying the whole address, "
            + "or ask the support team for a new one.</p>"),
        LinkCheckOutcome.Forged => new HtmlPage(403, "This link cannot be used",
            "<p>This link was not issued by this support desk, or it was changed after it was sent. Nothing was done.</p>"),
        LinkCheckOutcome.Expired => new HtmlPage(410, "This link has expired",
            $"<p>The link for ticket #{HtmlPage.Encode(check.Claim!.Ticket)} expired at {HtmlPage.Encode(context.Format(check.Claim.Expires))}. "
            + "Nothing was done. Contact the support team if this still needs doing.</p>"),
        _ => null,
    };

    private static HtmlPage AlreadyUsed(LinkClaim claim, LinkUse use, TicketContext context) =>
        new(409, "This link was already used",
            $"<p>This link for ticket #{HtmlPage.Encode(claim.Ticket)} was already used at {HtmlPage.Encode(context.Format(use.At))}; "
            + "each link works once.</p>\n"
            + $"<p>What happened then: {HtmlPage.Encode(use.Outcome)}</p>");

    private static HtmlPage NoSuchTicket(LinkClaim claim) =>
        new(404, "No such ticket", $"<p>Ticket #{HtmlPage.Encode(claim.Ticket)} does not exist on this support desk. Nothing was done.</p>");

    private static (string Title, string Explanation, string Button) Describe(LinkClaim claim, TicketState ticket, TicketContext context)
    {
        var about = $"Ticket #{ticket.Ref}: \u201c{ticket.Facts.Subject}\u201d from {ticket.Facts.Requester.Address}.";
        return claim.Action switch
        {
            LinkAction.Acknowledge => (
                $"Acknowledge the page for ticket #{ticket.Ref}",
                $"{about} Acknowledging tells the desk you are taking it and stops the escalation; it does not reply to the customer.",
                "Acknowledge the page"),
            LinkAction.Approve => (
                $"Approve after-hours work on ticket #{ticket.Ref}{(ticket.Billing is { } b ? " at " + Price(b.Rate, b.Currency, b.Per) : "")}?",
                $"{about} It arrived outside support hours. If you approve, an engineer starts now and the work is billed"
                + (ticket.Billing is { } terms ? $" at {Price(terms.Rate, terms.Currency, terms.Per)}; answer before {context.Format(terms.Deadline)}." : "."),
                "Approve after-hours work"),
            LinkAction.Decline => (
                $"Decline after-hours work on ticket #{ticket.Ref}?",
                $"{about} If you decline, nothing is charged and the ticket is handled when support opens.",
                "Decline after-hours work"),
            LinkAction.RateGood => ($"Rate the support on ticket #{ticket.Ref} as good?", about, "Rate it good"),
            _ => ($"Rate the support on ticket #{ticket.Ref} as bad?", about, "Rate it bad"),
        };
    }

    private static string Done(LinkClaim claim, TicketState ticket) => claim.Action switch
    {
        LinkAction.Acknowledge => $"You acknowledged the page for ticket #{ticket.Ref}. The escalation has stopped.",
        LinkAction.Approve => $"You approved after-hours work on ticket #{ticket.Ref}"
            + (ticket.Billing is { } b ? $" at {Price(b.Rate, b.Currency, b.Per)}" : "") + ". An engineer has been called.",
        LinkAction.Decline => $"You declined after-hours work on ticket #{ticket.Ref}. Nothing will be charged.",
        _ => $"Thank you for rating the support on ticket #{ticket.Ref}.",
    };

    private static string Price(decimal rate, string currency, string per) =>
        $"{rate.ToString("0.##", CultureInfo.InvariantCulture)} {currency} per {per}";

    // "ticket #1001 was already acknowledged by bob" → "Ticket #1001 was already acknowledged by bob."
    private static string Sentence(string reason) =>
        reason.Length == 0 ? reason : char.ToUpperInvariant(reason[0]) + reason[1..] + (reason.EndsWith('.') ? "" : ".");

    private static EntityKey Key(LinkClaim claim) => new(claim.Nonce, "used");

    private static async Task<LinkUse?> UseOfAsync(IEntityStore store, LinkClaim claim, CancellationToken cancellationToken) =>
        await store.GetAsync(UsedTable, Key(claim), cancellationToken) is { } row ? WorkflowJson.Deserialize<LinkUse>(row.Payload) : null;

    /// <summary>A link's one use: when, whether the action was taken, and what the person was told.</summary>
    private sealed record LinkUse(Instant At, bool Accepted, string Outcome);
}
