using System.Globalization;
using SupportHub.Billing;
using SupportHub.Notifications;
using SupportHub.Policy;
using SupportHub.Workflows;

namespace SupportHub.Tickets;

/// <summary>
/// After-hours billing approval (POLICY.md): a non-emergency ticket received while its tier's hours
/// are closed, in a billable tier, is not worked until an approver of the account agrees to the rate.
/// Nothing is recorded as billable without an explicit approval inside the window; late and second
/// answers change nothing and are told so.
/// </summary>
internal static class BillingApprovals
{
    public static void Request(DecisionBuilder b, AfterHoursTerms terms)
    {
        var ticket = b.State;
        var approvers = b.Context.Resolve([new NotifyTarget(NotifyTargetKind.AccountApprovers, "approvers")], ticket, b.Now);
        var opening = b.Context.NextOpening(b.Context.Tier(ticket).Hours, b.Now);
        if (approvers.Count == 0)
        {
            // Nobody can approve: the ticket simply waits for support hours, and the requester is told.
            NoticeToRequester(b, opening, "no one at your organisation is registered to approve after-hours charges");
            return;
        }
        var deadline = b.Context.Add(ticket.ClockCalendar, b.Now, terms.ApprovalTimeout);
        b.Emit(new BillingRequested(b.Now, terms.Rate, terms.Currency, terms.Per, deadline));
        var price = Price(terms.Rate, terms.Currency, terms.Per);
        var subject = $"[#{ticket.Ref}] Approve after-hours work at {price}?";
        var text = $"Ticket #{ticket.Ref} (\"{ticket.Facts.Subject}\") arrived outside support hours. "
            + $"We can start now at {price}, billed only if you approve before {b.Context.Format(deadline)}. "
            + $"If you decline or do not answer, nothing is charged and the ticket is handled when support opens at {b.Context.Format(opening)}.";
        foreach (var approver in approvers)
        {
            foreach (var via in new[] { Channel.Email, Channel.Sms })
            {
                b.Notify(NotificationPurpose.ApprovalRequest, approver, via, subject, text,
                    new LinkIntent(LinkAction.Approve, deadline), new LinkIntent(LinkAction.Decline, deadline));
            }
        }
        b.Schedule(deadline, id => new ApprovalWindowElapsed(id, ticket.Ref));
    }

    public static string? Answer(DecisionBuilder b, bool approve, string by)
    {
        var ticket = b.State;
        if (ticket.Billing is not { } billing)
        {
            return $"no after-hours approval was requested for ticket #{ticket.Ref}";
        }
        if (billing.Status != BillingStatus.Requested)
        {
            return billing.Status == BillingStatus.Expired
                ? $"the approval window for ticket #{ticket.Ref} closed at {b.Context.Format(billing.Deadline)}; nothing was charged"
                : $"ticket #{ticket.Ref} was already {billing.Status.ToString().ToLowerInvariant()} by {billing.AnsweredBy}";
        }
        if (b.Now >= billing.Deadline)
        {
            return $"the approval window for ticket #{ticket.Ref} closed at {b.Context.Format(billing.Deadline)}; nothing was charged";
        }
        if (ticket.Status is TicketStatus.Solved or TicketStatus.Closed)
        {
            // Solved before the customer answered: there is no work left to bill or to call anyone for.
            return $"ticket #{ticket.Ref} is already {ticket.Status.Display()}; nothing was charged";
        }
        var approver = b.Context.Resolve([new NotifyTarget(NotifyTargetKind.AccountApprovers, "approvers")], ticket, b.Now)
            .FirstOrDefault(r => string.Equals(r.To, by, StringComparison.OrdinalIgnoreCase));
        if (approver is null)
        {
            return $"{by} may not approve after-hours work for this account";
        }

        var price = Price(billing.Rate, billing.Currency, billing.Per);
        if (approve)
        {
            b.Emit(new BillingApproved(b.Now, approver.To, billing.Rate, billing.Currency, billing.Per));
            b.Record(new BillingApprovalRecord(ticket.Ref, ticket.Facts.AccountId ?? "", approver.To, b.Now, billing.Rate, billing.Currency, billing.Per));
            b.Notify(NotificationPurpose.ApprovalResult, approver, Channel.Email,
                $"[#{ticket.Ref}] After-hours work approved",
                $"Thank you. You approved after-hours work on ticket #{ticket.Ref} at {price} at {b.Context.Format(b.Now)}; an engineer has been called.");
            var onCall = b.Context.PrimaryOnCall(b.Now);
            foreach (var via in new[] { Channel.Teams, Channel.Sms })
            {
                if (onCall is not null)
                {
                    b.Notify(NotificationPurpose.AfterHoursWork, onCall, via,
                        $"[#{ticket.Ref}] Approved after-hours work: {ticket.Facts.Subject}",
                        $"{approver.To} approved billable work on ticket #{ticket.Ref} at {price}. Please start now.",
                        new LinkIntent(LinkAction.Acknowledge, b.Context.Add(ticket.ClockCalendar, b.Now, new Calendars.PolicyDuration(24, Calendars.DurationUnit.Hours))));
                }
            }
        }
        else
        {
            b.Emit(new BillingDeclined(b.Now, approver.To));
            b.Notify(NotificationPurpose.ApprovalResult, approver, Channel.Email,
                $"[#{ticket.Ref}] After-hours work declined",
                $"You declined after-hours work on ticket #{ticket.Ref}. Nothing will be charged.");
            NoticeToRequester(b, b.Context.NextOpening(b.Context.Tier(ticket).Hours, b.Now), "after-hours work was declined");
        }
        return null;
    }

    public static string? OnWindowElapsed(DecisionBuilder b)
    {
        if (b.State.Billing is { Status: BillingStatus.Requested })
        {
            b.Emit(new BillingExpired(b.Now));
            // A ticket solved meanwhile will not be "handled when support opens": telling so would be false.
            if (b.State.Status is not (TicketStatus.Solved or TicketStatus.Closed))
            {
                NoticeToRequester(b, b.Context.NextOpening(b.Context.Tier(b.State).Hours, b.Now), "no approval arrived in time");
            }
        }
        return null;
    }

    public static BillingState? Evolve(BillingState? state, TicketEvent e) => e switch
    {
        BillingRequested r => new BillingState(BillingStatus.Requested, r.Rate, r.Currency, r.Per, r.Deadline),
        BillingApproved a => state! with { Status = BillingStatus.Approved, AnsweredBy = a.By, AnsweredAt = a.At },
        BillingDeclined d => state! with { Status = BillingStatus.Declined, AnsweredBy = d.By, AnsweredAt = d.At },
        BillingExpired => state! with { Status = BillingStatus.Expired },
        _ => state,
    };

    private static void NoticeToRequester(DecisionBuilder b, NodaTime.Instant opening, string why)
    {
        var ticket = b.State;
        var requester = TicketLifecycle.Requester(ticket);
        var subject = $"[#{ticket.Ref}] We will handle your request when support opens";
        var text = $"Your ticket #{ticket.Ref} arrived outside support hours and {why}. Nothing will be charged. "
            + $"We will work on it when support opens at {b.Context.Format(opening)}.";
        b.Notify(NotificationPurpose.AfterHoursNotice, requester, requester.Email is null ? Channel.Sms : Channel.Email, subject, text);
    }

    private static string Price(decimal rate, string currency, string per) =>
        $"{rate.ToString("0.##", CultureInfo.InvariantCulture)} {currency} per {per}";

}
