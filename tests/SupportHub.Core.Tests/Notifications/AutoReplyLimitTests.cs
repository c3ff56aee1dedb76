using NodaTime;
using SupportHub.Notifications;
using SupportHub.OnCall;
using SupportHub.Policy;
using SupportHub.Storage.InMemory;

namespace SupportHub.Core.Tests.Notifications;

public sealed class AutoReplyLimitTests
{
    private static readonly SupportPolicy Policy = PolicyLoader.Load(RepositoryFiles.Read("samples/policy.json")).Policy!;
    private static readonly Instant Start = Instant.FromUtc(2026, 11, 21, 8, 0);

    private readonly AutoReplyLimit _limit = new(new InMemoryEntityStore(), Policy, perHour: 3);

    [Fact]
    public async Task Check_FourthAcknowledgementToOneAddressWithinTheHour_IsWithheldWithItsReason()
    {
        for (var i = 1; i <= 3; i++)
        {
            Assert.Null(await _limit.CheckAsync(Ack($"100{i}", "Dana@Acme.gov"), Start + Duration.FromMinutes(i), CancellationToken.None));
        }

        var reason = await _limit.CheckAsync(Ack("1004", "dana@acme.gov"), Start + Duration.FromMinutes(30), CancellationToken.None);

        Assert.Equal("3 automatic replies to dana@acme.gov in the last hour (limit 3)", reason);
    }

    [Fact]
    public async Task Check_AnHourAfterTheFirst_MaySendAgain()
    {
        for (var i = 1; i <= 3; i++)
        {
            await _limit.CheckAsync(Ack($"100{i}", "dana@acme.gov"), Start + Duration.FromMinutes(i), CancellationToken.None);
        }

        // The first reply (minute 1) has left the window at minute 61; the other two have not.
        Assert.Null(await _limit.CheckAsync(Ack("1004", "dana@acme.gov"), Start + Duration.FromMinutes(61), CancellationToken.None));
        Assert.NotNull(await _limit.CheckAsync(Ack("1005", "dana@acme.gov"), Start + Duration.FromMinutes(61), CancellationToken.None));
    }

    [Fact]
    public async Task Check_RedeliveredNotification_CountsOnceAndStillGoes()
    {
        var ack = Ack("1001", "dana@acme.gov");
        for (var i = 0; i < 5; i++)
        {
            Assert.Null(await _limit.CheckAsync(ack, Start, CancellationToken.None));
        }
        Assert.Null(await _limit.CheckAsync(Ack("1002", "dana@acme.gov"), Start, CancellationToken.None));
    }

    [Fact]
    public async Task Check_OtherAddressesPurposesAndStaff_AreNotCounted()
    {
        for (var i = 1; i <= 3; i++)
        {
            await _limit.CheckAsync(Ack($"100{i}", "dana@acme.gov"), Start, CancellationToken.None);
        }

        Assert.Null(await _limit.CheckAsync(Ack("1004", "pat@acme.gov"), Start, CancellationToken.None));
        Assert.Null(await _limit.CheckAsync(Ack("1005", "dana@acme.gov") with { Purpose = NotificationPurpose.CsatSurvey }, Start, CancellationToken.None));
        // An SMS answer to a member of staff (their "ACK 1001") is an answer, not automatic mail.
        var person = Policy.People.Values.First(p => p.Phone is not null);
        for (var i = 0; i < 5; i++)
        {
            var reply = new Notification($"sms-reply:{i}", "1001", NotificationPurpose.Acknowledgement, Recipient.Staff(person), Channel.Sms, "[#1001]", "acknowledged", []);
            Assert.Null(await _limit.CheckAsync(reply, Start, CancellationToken.None));
        }
    }

    private static Notification Ack(string ticket, string address) =>
        new($"{ticket}:1:acknowledgement.email", ticket, NotificationPurpose.Acknowledgement,
            new Recipient(address, "Dana", address, null, null), Channel.Email, $"[#{ticket}]", "We have received your request.", []);
}
