using SupportHub.Tickets;

namespace SupportHub.Core.Tests.Tickets;

/// <summary>Commands as tests write them: ticket 1001 unless said, ids unique per call site.</summary>
internal static class Tickets
{
    private static int next;

    public const string Ref = "1001";

    /// <summary>The address of <see cref="FromAcmeUser"/>'s requester.</summary>
    public const string Lee = "lee@acme.gov";

    public static string Id(string kind) => $"{kind}-{Interlocked.Increment(ref next)}";

    /// <summary>A call or message from Dana, Acme's designated emergency contact who approves billing.</summary>
    public static OpenTicket FromDana(string at, int severity, IntakeChannel channel = IntakeChannel.Phone) =>
        Open(at, severity, new Requester("Dana Ortiz", "dana@acme.gov", "+13125550101"), "acme", "standard", channel);

    /// <summary>Someone at Acme who is not a designated contact.</summary>
    public static OpenTicket FromAcmeUser(string at, int severity, IntakeChannel channel = IntakeChannel.Chat) =>
        Open(at, severity, new Requester("Lee Park", Lee, null), "acme", "standard", channel);

    public static OpenTicket Open(string at, int severity, Requester requester, string? account, string tier, IntakeChannel channel, string reference = Ref) =>
        new(Id("open"), reference, new TicketFacts(reference, account, tier, severity, channel, requester, TestTime.At(at), "Payment page is down"));

    public static Acknowledge Ack(string by) => new(Id("ack"), Ref, by);

    public static PostReply StaffReply(string by) => new(Id("reply"), Ref, by, true, "Looking into it.");

    public static PostReply RequesterReply(string by = "dana@acme.gov") => new(Id("reply"), Ref, by, false, "More detail.");

    public static ChangeStatus Status(TicketStatus to, string by = "alice") => new(Id("status"), Ref, to, by);

    public static ChangeSeverity Severity(int level, string by = "alice") => new(Id("severity"), Ref, level, by);

    public static MarkRestored Restored(string by = "alice") => new(Id("restored"), Ref, by);

    public static RateSupport Rate(bool good, string by = Lee) => new(Id("csat"), Ref, good, by);

    public static AnswerApproval Approve(string by = "dana@acme.gov") => new(Id("approve"), Ref, true, by);

    public static AnswerApproval Decline(string by = "dana@acme.gov") => new(Id("decline"), Ref, false, by);
}
