using System.ComponentModel.DataAnnotations;

namespace SupportHub.Functions.Notifications;

/// <summary>Limits on what the hub sends, bound from <c>SupportHub:Notifications</c>
/// (<c>SupportHub__Notifications__AutoRepliesPerAddressPerHour</c>).</summary>
public sealed class NotificationOptions
{
    public const string Section = "SupportHub:Notifications";

    /// <summary>Automatic replies (acknowledgements) one address may get in any hour; more are withheld
    /// and the ticket's timeline says so (<see cref="SupportHub.Notifications.AutoReplyLimit"/>).</summary>
    [Range(1, 1000)]
    public int AutoRepliesPerAddressPerHour { get; set; } = 3;
}
