using System.ComponentModel.DataAnnotations;

namespace SupportHub.Functions.Intake;

/// <summary>Intake's limits and windows, bound from <c>SupportHub:Intake</c> (<c>SupportHub__Intake__LinkWindow</c>, …).</summary>
public sealed class IntakeOptions
{
    public const string Section = "SupportHub:Intake";

    /// <summary>A phone call and an email from one account this close together are linked (<see cref="SupportHub.Intake.TicketLinks"/>); zero turns linking off.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan LinkWindow { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Largest Inbound Parse POST, attachments included (SendGrid accepts messages up to 30 MB).</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxEmailBytes { get; set; } = 20 * 1024 * 1024;

    /// <summary>Largest chat or IVR webhook body.</summary>
    [Range(256, 1024 * 1024)]
    public int MaxWebhookBytes { get; set; } = 64 * 1024;

    /// <summary>Largest Event Grid delivery (Event Grid sends at most 1 MB).</summary>
    [Range(1024, 1024 * 1024)]
    public int MaxEventBytes { get; set; } = 1024 * 1024;

    /// <summary>Characters of a message's text kept in the ticket; the rest is cut with a note.</summary>
    [Range(100, 100_000)]
    public int MaxTextChars { get; set; } = 20_000;
}
