using NodaTime;
using SupportHub.OnCall;
using SupportHub.Policy;

namespace SupportHub.Notifications;

/// <summary>Why a notification is sent; the contract's <c>purpose</c> values.</summary>
public enum NotificationPurpose
{
    Acknowledgement,
    Page,
    ApprovalRequest,
    ApprovalResult,
    AfterHoursWork,
    AfterHoursNotice,
    PendingReminder,
    CsatSurvey,
    SlaWarning,
    SlaBreach,
    NoProgress,
    EmergencyDowngraded,
}

/// <summary>What a signed link in a notification lets its holder do, once.</summary>
public enum LinkAction
{
    Acknowledge,
    Approve,
    Decline,
    RateGood,
    RateBad,
}

/// <summary>A link to put in a notification; the sender signs it, so Core never sees a key.</summary>
/// <param name="Expires">After this instant the link only tells its holder it has expired.</param>
public sealed record LinkIntent(LinkAction Action, Instant Expires);

/// <summary>
/// One message to one recipient through one channel. <see cref="Id"/> is deterministic (ticket and
/// effect sequence), so a redelivered effect is recognised and sent once.
/// </summary>
public sealed record Notification(
    string Id,
    string Ticket,
    NotificationPurpose Purpose,
    Recipient To,
    Channel Via,
    string Subject,
    string Text,
    IReadOnlyList<LinkIntent> Links);

public static class NotificationPurposeNames
{
    /// <summary>The contract's spelling: <c>after-hours-work</c>, <c>csat-survey</c>, …</summary>
    public static string Name(this NotificationPurpose purpose) => purpose switch
    {
        NotificationPurpose.Acknowledgement => "acknowledgement",
        NotificationPurpose.Page => "page",
        NotificationPurpose.ApprovalRequest => "approval-request",
        NotificationPurpose.ApprovalResult => "approval-result",
        NotificationPurpose.AfterHoursWork => "after-hours-work",
        NotificationPurpose.AfterHoursNotice => "after-hours-notice",
        NotificationPurpose.PendingReminder => "pending-reminder",
        NotificationPurpose.CsatSurvey => "csat-survey",
        NotificationPurpose.SlaWarning => "sla-warning",
        NotificationPurpose.SlaBreach => "sla-breach",
        NotificationPurpose.NoProgress => "no-progress",
        _ => "emergency-downgraded",
    };

    /// <summary>Whether <paramref name="recipient"/> can be reached through <paramref name="channel"/> at all.</summary>
    public static bool Reachable(this Recipient recipient, Channel channel) => channel switch
    {
        Channel.Email => recipient.Email is not null,
        Channel.Sms => recipient.Phone is not null,
        _ => recipient.TeamsUserId is not null,
    };

    /// <summary>The field of a person or contact that <paramref name="channel"/> needs: <c>phone</c>, <c>email</c> or <c>teamsUserId</c>.</summary>
    public static string AddressField(this Channel channel) => channel switch
    {
        Channel.Email => "email",
        Channel.Sms => "phone",
        _ => "teamsUserId",
    };

    public static string Name(this Channel channel) => channel switch
    {
        Channel.Teams => "teams",
        Channel.Sms => "sms",
        _ => "email",
    };
}
