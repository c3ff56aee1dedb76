using NodaTime;
using SupportHub.Calendars;
using SupportHub.Lifecycle;
using SupportHub.Notifications;
using SupportHub.OnCall;
using SupportHub.Policy;
using SupportHub.Sla;

namespace SupportHub.Tickets;

/// <summary>
/// The ticket lifecycle of REQUIREMENTS.md and POLICY.md: New → Open → Pending / On-hold → Solved →
/// Closed, with auto-solve after <c>pendingAutoSolve</c> in Pending, reopening by a requester's reply
/// within <c>reopenWindow</c>, closing at the window's end, and a satisfaction survey
/// <c>csatSurveyAfter</c> a solve (not sent if the ticket was reopened since).
/// </summary>
internal static class TicketLifecycle
{
    /// <summary>The moves a person may make; the system only auto-solves and closes.</summary>
    private static readonly Dictionary<TicketStatus, TicketStatus[]> Allowed = new()
    {
        [TicketStatus.New] = [TicketStatus.Open, TicketStatus.Pending, TicketStatus.OnHold, TicketStatus.Solved],
        [TicketStatus.Open] = [TicketStatus.Pending, TicketStatus.OnHold, TicketStatus.Solved],
        [TicketStatus.Pending] = [TicketStatus.Open, TicketStatus.OnHold, TicketStatus.Solved],
        [TicketStatus.OnHold] = [TicketStatus.Open, TicketStatus.Pending, TicketStatus.Solved],
        [TicketStatus.Solved] = [TicketStatus.Open, TicketStatus.Closed],
        [TicketStatus.Closed] = [],
    };

    public static string? Reply(DecisionBuilder b, PostReply reply)
    {
        var status = b.State.Status;
        if (status == TicketStatus.Closed)
        {
            return $"ticket #{b.State.Ref} is closed; a reply to it opens a follow-up ticket";
        }
        b.Emit(new ReplyPosted(b.Now, reply.By, reply.FromStaff));
        if (reply.FromStaff)
        {
            SlaMonitor.Meet(b, SlaTarget.Response);
            if (status == TicketStatus.New)
            {
                MoveTo(b, TicketStatus.Open, reply.By);
            }
            else
            {
                SlaMonitor.RestartNoProgress(b);
            }
        }
        else if (status is TicketStatus.Pending or TicketStatus.Solved)
        {
            // A requester's word brings a waiting ticket back, and reopens a solved one within the window
            // (after the window the ticket is Closed and intake opens a follow-up instead).
            MoveTo(b, TicketStatus.Open, reply.By);
        }
        return null;
    }

    public static string? ChangeStatus(DecisionBuilder b, TicketStatus to, string by)
    {
        var from = b.State.Status;
        if (from == to)
        {
            return $"ticket #{b.State.Ref} is already {to.Display()}";
        }
        if (!Allowed[from].Contains(to))
        {
            return $"ticket #{b.State.Ref} cannot move from {from.Display()} to {to.Display()}";
        }
        MoveTo(b, to, by);
        return null;
    }

    public static string? Rate(DecisionBuilder b, bool good, string by)
    {
        var lifecycle = b.State.Lifecycle;
        if (!lifecycle.SurveySent)
        {
            return $"no satisfaction survey is open for ticket #{b.State.Ref}";
        }
        if (lifecycle.Rating is not null)
        {
            return $"ticket #{b.State.Ref} has already been rated; thank you";
        }
        b.Emit(new CsatRated(b.Now, good, by));
        return null;
    }

    public static string? OnAutoSolveDue(DecisionBuilder b, PendingAutoSolveDue due)
    {
        if (b.State.Status == TicketStatus.Pending && b.State.Lifecycle.PendingSince == due.PendingSince)
        {
            MoveTo(b, TicketStatus.Solved, "system");
        }
        return null;
    }

    public static string? OnReopenWindowEnded(DecisionBuilder b, ReopenWindowEnded ended)
    {
        if (b.State.Status == TicketStatus.Solved && b.State.Lifecycle.SolvedAt == ended.SolvedAt)
        {
            MoveTo(b, TicketStatus.Closed, "system");
        }
        return null;
    }

    public static string? OnCsatSurveyDue(DecisionBuilder b, CsatSurveyDue due)
    {
        var ticket = b.State;
        if (ticket.Status is TicketStatus.Solved or TicketStatus.Closed
            && ticket.Lifecycle.SolvedAt == due.SolvedAt && !ticket.Lifecycle.SurveySent)
        {
            b.Emit(new CsatSurveySent(b.Now));
            var expires = b.Now + Duration.FromDays(30);
            b.Notify(NotificationPurpose.CsatSurvey, Requester(ticket), Channel.Email,
                $"[#{ticket.Ref}] How did we do?",
                $"Your ticket #{ticket.Ref} (\"{ticket.Facts.Subject}\") was solved. Was our support good or bad? One click answers.",
                new LinkIntent(LinkAction.RateGood, expires), new LinkIntent(LinkAction.RateBad, expires));
        }
        return null;
    }

    public static LifecycleState Evolve(LifecycleState state, TicketEvent e) => e switch
    {
        StatusChanged { To: TicketStatus.Pending } s => state with { PendingSince = s.At },
        StatusChanged { To: TicketStatus.Solved } s => state with { PendingSince = null, SolvedAt = s.At, SurveySent = false, Rating = null },
        StatusChanged { To: TicketStatus.Closed } => state with { PendingSince = null },
        StatusChanged => state with { PendingSince = null, SolvedAt = null },
        ReplyPosted { FromStaff: true } r when state.FirstStaffReply is null => state with { FirstStaffReply = r.At },
        CsatSurveySent => state with { SurveySent = true },
        CsatRated r => state with { Rating = r.Good },
        _ => state,
    };

    /// <summary>One status move and everything it sets off.</summary>
    private static void MoveTo(DecisionBuilder b, TicketStatus to, string by)
    {
        var ticket = b.State;
        var from = ticket.Status;
        var lifecycle = b.Policy.Lifecycle;
        var hours = b.Context.Tier(ticket).Hours;
        b.Emit(new StatusChanged(b.Now, from, to, by));

        if (from == TicketStatus.Pending)
        {
            SlaMonitor.Resume(b);
        }
        if (from == TicketStatus.New && to == TicketStatus.Open)
        {
            SlaMonitor.Meet(b, SlaTarget.Response);
        }
        switch (to)
        {
            case TicketStatus.Pending:
                SlaMonitor.Pause(b);
                var autoSolve = b.Context.Add(hours, b.Now, lifecycle.PendingAutoSolve);
                b.Notify(NotificationPurpose.PendingReminder, Requester(ticket), ReplyChannel(ticket),
                    $"[#{ticket.Ref}] We are waiting for your reply",
                    $"We need more information to go on with ticket #{ticket.Ref}. Please reply to this message. "
                    + $"Without a reply the ticket will be solved automatically on {b.Context.Format(autoSolve)}.");
                var pendingSince = b.Now;
                b.Schedule(autoSolve, id => new PendingAutoSolveDue(id, ticket.Ref, pendingSince));
                break;
            case TicketStatus.Solved:
                SlaMonitor.MeetOnSolve(b);
                EscalationChains.StopOnSolve(b, by);
                var solvedAt = b.Now;
                b.Schedule(b.Context.Add(hours, b.Now, lifecycle.ReopenWindow), id => new ReopenWindowEnded(id, ticket.Ref, solvedAt));
                b.Schedule(b.Context.Add(hours, b.Now, lifecycle.CsatSurveyAfter), id => new CsatSurveyDue(id, ticket.Ref, solvedAt));
                break;
        }
        // A staff move is progress; the system's own moves are not. The rule never runs while the
        // ticket waits on the requester or is done.
        if (by != "system" || to is TicketStatus.Pending or TicketStatus.Solved or TicketStatus.Closed)
        {
            SlaMonitor.RestartNoProgress(b);
        }
    }

    internal static Recipient Requester(TicketState ticket) =>
        new(ticket.Facts.Requester.Address, ticket.Facts.Requester.Name ?? ticket.Facts.Requester.Address,
            ticket.Facts.Requester.Email, ticket.Facts.Requester.Phone, null);

    /// <summary>Email when the requester has an address, else SMS (a phone-only caller).</summary>
    internal static Channel ReplyChannel(TicketState ticket) => ticket.Facts.Requester.Email is null ? Channel.Sms : Channel.Email;
}
