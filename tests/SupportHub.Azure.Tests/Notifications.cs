using NodaTime;
using SupportHub.Azure.Notifications;
using SupportHub.Notifications;
using SupportHub.OnCall;
using SupportHub.Policy;
using SupportHub.Testing;
using SupportHub.Storage.InMemory;

namespace SupportHub.Azure.Tests;

/// <summary>A page to Bob, as the workflow would emit it, and a send record on an in-memory store.</summary>
internal static class Notifications
{
    public static readonly Instant Now = Instant.FromUtc(2026, 11, 22, 9, 0);

    public static Notification Page(Channel via, string id = "T-42:7:page:sms") => new(
        id,
        "T-42",
        NotificationPurpose.Page,
        new Recipient("bob", "Bob Stone", "bob@example.com", "+13125550101", "7f3c9a2e-0000-4000-8000-00000000b0b0"),
        via,
        "[Sev1] T-42: payment page down",
        "Sev1 ticket T-42 from acme: payment page down.",
        [new LinkIntent(LinkAction.Acknowledge, Now + Duration.FromHours(1))]);

    public static SentNotifications Ledger(FakeClock? clock = null)
    {
        clock ??= new FakeClock(Now);
        return new SentNotifications(new InMemoryEntityStore(), clock);
    }
}
