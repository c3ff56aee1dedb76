using SupportHub.Channels.EventGrid;
using SupportHub.Channels.Sms;

namespace SupportHub.Core.Tests.Channels.Sms;

public sealed class SmsCommandTests
{
    [Theory]
    [InlineData("ACK 1001", "ack:1001")]
    [InlineData("  ack   #1001 ", "ack:1001")]
    [InlineData("Ack1001", "ack:1001")]
    // The ticket number alone acknowledges: the shortest answer to a page.
    [InlineData("1001", "ack:1001")]
    [InlineData("resolve 1001.", "resolve:1001")]
    [InlineData("SOLVED #1001", "resolve:1001")]
    [InlineData("help", "help")]
    [InlineData("?", "help")]
    [InlineData("ACK", "?")]
    [InlineData("on my way", "?")]
    public void Parse(string text, string expected)
    {
        var described = OnCallReplies.Parse(text) switch
        {
            SmsCommand.Ack ack => $"ack:{ack.Ticket}",
            SmsCommand.Resolve resolve => $"resolve:{resolve.Ticket}",
            SmsCommand.Help => "help",
            _ => "?",
        };

        Assert.Equal(expected, described);
    }

    [Fact]
    public void EventGrid_SmsFixture_ParsesTheMessage()
    {
        var parsed = EventGridDelivery.Parse(File.ReadAllBytes(Email.MimeTests.Fixture("eventgrid-sms.json")));

        var sms = Assert.IsType<EventGridEvent.Sms>(Assert.Single(parsed.Value!));
        Assert.Equal(new SmsReceived("Incoming_20261121082011a1b2c3d4", "+13125550002", "+18005550000", " ack  1001 "), sms.Message);
    }

    [Fact]
    public void EventGrid_ValidationFixture_GivesTheCode()
    {
        var parsed = EventGridDelivery.Parse(File.ReadAllBytes(Email.MimeTests.Fixture("eventgrid-validation.json")));

        Assert.Equal("512d38b6-c7b8-40c8-89fe-f46f9e9dfb2d", Assert.IsType<EventGridEvent.Validation>(Assert.Single(parsed.Value!)).Code);
    }

    [Theory]
    [InlineData("\"text\"", "body")]
    [InlineData("[]", "body")]
    [InlineData("{}", "[0].id")]
    [InlineData("[1]", "[0]")]
    [InlineData("[{\"id\":\"e1\",\"eventType\":\"Microsoft.Communication.SMSReceived\",\"data\":{\"messageId\":\"m\",\"message\":\"ACK 1\"}}]", "[0].data.from")]
    public void EventGrid_Bad_NamesTheField(string json, string field) =>
        Assert.Equal(field, EventGridDelivery.Parse(System.Text.Encoding.UTF8.GetBytes(json)).Problems[0].Field);
}
