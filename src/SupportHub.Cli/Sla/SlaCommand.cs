using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using SupportHub.Billing;
using SupportHub.Calendars;
using SupportHub.Sla;

namespace SupportHub.Cli.Sla;

/// <summary>
/// <c>supporthub sla --policy FILE --account ID --severity N --received ISO8601 [--from EMAIL]</c>:
/// a ticket's clocks as JSON (CONTRACT.md "sla output").
/// </summary>
internal static class SlaCommand
{
    public static Command Create()
    {
        var policy = new Option<string>("--policy") { Description = "The policy file.", Required = true };
        var account = new Option<string>("--account") { Description = "The account id.", Required = true };
        var severity = new Option<int>("--severity") { Description = "The severity level asked for.", Required = true };
        var received = new Option<string>("--received") { Description = "When the ticket was received (ISO 8601, any offset or Z).", Required = true };
        var from = new Option<string?>("--from") { Description = "The requester's email address (or phone), for the emergency-contact rule." };
        var command = new Command("sla", "Compute a ticket's SLA clocks: due times with explanations, after hours, billing approval.")
        {
            policy, account, severity, received, from,
        };
        command.SetAction(parse => Run(
            parse.GetRequiredValue(policy),
            parse.GetRequiredValue(account),
            parse.GetValue(severity),
            parse.GetRequiredValue(received),
            parse.GetValue(from),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error));
        return command;
    }

    private static int Run(string policyPath, string accountId, int severity, string receivedText, string? from, TextWriter output, TextWriter error)
    {
        if (PolicyFile.ReadValid(policyPath, error) is not { } policy)
        {
            return ExitCodes.InvalidInput;
        }
        var zone = policy.Organization.TimeZone;
        if (CliTime.Parse(receivedText, zone) is not { } received)
        {
            error.WriteLine($"supporthub: --received \"{receivedText}\" is not a date-time ({CliTime.Hint})");
            return ExitCodes.InvalidInput;
        }
        if (policy.FindAccount(accountId) is not { } account)
        {
            error.WriteLine($"supporthub: the policy has no account \"{accountId}\" (accounts: {string.Join(", ", policy.Accounts.Select(a => a.Id))})");
            return ExitCodes.InvalidInput;
        }
        if (policy.Severity(severity) is null)
        {
            error.WriteLine($"supporthub: the policy has no severity {severity} (levels: {string.Join(", ", policy.Severities.Select(s => s.Level))})");
            return ExitCodes.InvalidInput;
        }
        if (!BusinessCalendar.SupportedInstants.Contains(received))
        {
            error.WriteLine($"supporthub: --received {receivedText}: calendar arithmetic covers {BusinessCalendar.SupportedInstants.Start} to {BusinessCalendar.SupportedInstants.End}");
            return ExitCodes.InvalidInput;
        }
        var sla = TicketSla.Assess(policy, account, severity, from, received);
        Write(sla, AfterHoursWork.Classify(policy, policy.Tiers[sla.Tier], sla.Emergency, received), zone, output);
        return ExitCodes.Ok;
    }

    private static void Write(TicketSla sla, AfterHoursWork work, NodaTime.DateTimeZone zone, TextWriter output)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("account", sla.Account);
            json.WriteString("tier", sla.Tier);
            json.WriteNumber("severity", sla.Severity);
            json.WriteNumber("requestedSeverity", sla.RequestedSeverity);
            json.WriteBoolean("emergency", sla.Emergency);
            json.WriteBoolean("emergencyDowngraded", sla.EmergencyDowngraded);
            json.WriteString("received", CliTime.Format(sla.Received, zone));
            json.WriteBoolean("afterHours", work.AfterHours);
            json.WriteString("clockCalendar", sla.ClockCalendar);
            json.WriteString("billingApproval", work.Approval.Name());
            json.WriteStartObject("targets");
            foreach (var clock in sla.Clocks.Clocks)
            {
                json.WriteStartObject(clock.Target.Name());
                json.WriteString("due", CliTime.Format(clock.Due, zone));
                json.WriteString("explain", clock.Explain);
                json.WriteString("amount", clock.Amount.ToString());
                json.WriteString("start", CliTime.Format(clock.Start, zone));
                if (clock.WarningAt is { } warning)
                {
                    json.WriteString("warning", CliTime.Format(warning, zone));
                }
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }
}
