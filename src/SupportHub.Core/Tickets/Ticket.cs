using NodaTime;

namespace SupportHub.Tickets;

/// <summary>REQUIREMENTS.md's lifecycle: New → Open → Pending / On-hold → Solved → Closed.</summary>
public enum TicketStatus
{
    New,
    Open,
    Pending,
    OnHold,
    Solved,
    Closed,
}

/// <summary>How a ticket reached the hub.</summary>
public enum IntakeChannel
{
    Email,
    Chat,
    Phone,
}

/// <summary>Who raised a ticket, as far as the channel tells: any of the three may be missing.</summary>
public sealed record Requester(string? Name, string? Email, string? Phone)
{
    /// <summary>The address the timeline and notifications name: the email, else the phone number.</summary>
    public string Address => Email ?? Phone ?? "unknown";
}

/// <summary>
/// What intake established about a new ticket before any workflow runs: where it came from, who
/// sent it, which account and tier it belongs to and the severity the requester asked for.
/// </summary>
/// <param name="Ref">The ticket reference (<c>1001</c>): shown to people as <c>#1001</c>.</param>
/// <param name="AccountId">Null when no account matched; the policy's default tier applies.</param>
/// <param name="RequestedSeverity">As the channel said it; the workflow may downgrade an emergency.</param>
/// <param name="OriginalRef">For a follow-up to a Closed ticket: the ticket it follows.</param>
/// <param name="Missing">The policy's required fields intake did not find in the request
/// (intake's <c>RequiredFields</c>); the acknowledgement asks for them. Null when nothing is missing.</param>
/// <param name="NoAutoReply">Why nothing automatic may answer the message that opened the ticket (it was an
/// out-of-office reply, a list mail, …: intake's <c>AutomaticMail</c>, RFC 3834); the acknowledgement is
/// withheld with this reason. Null for a message a person sent.</param>
public sealed record TicketFacts(
    string Ref,
    string? AccountId,
    string Tier,
    int RequestedSeverity,
    IntakeChannel Channel,
    Requester Requester,
    Instant Received,
    string Subject,
    string? OriginalRef = null,
    IReadOnlyList<string>? Missing = null,
    string? NoAutoReply = null);

public static class TicketStatusNames
{
    /// <summary>The status as people and the contract spell it (<c>On-hold</c>).</summary>
    public static string Display(this TicketStatus status) => status == TicketStatus.OnHold ? "On-hold" : status.ToString();

    public static TicketStatus? Parse(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "new" => TicketStatus.New,
        "open" => TicketStatus.Open,
        "pending" => TicketStatus.Pending,
        "on-hold" or "onhold" or "on_hold" or "on hold" => TicketStatus.OnHold,
        "solved" => TicketStatus.Solved,
        "closed" => TicketStatus.Closed,
        _ => null,
    };
}
