using System.CommandLine;
using System.Text.Json;
using SupportHub.OnCall;

namespace SupportHub.Cli.OnCall;

/// <summary><c>supporthub oncall --policy FILE --rotation NAME --at ISO8601</c>: who is on call, as <c>{"rotation","at","person"}</c>.</summary>
internal static class OncallCommand
{
    public static Command Create()
    {
        var policy = new Option<string>("--policy") { Description = "The policy file.", Required = true };
        var rotation = new Option<string>("--rotation") { Description = "The rotation name, e.g. primary.", Required = true };
        var at = new Option<string>("--at") { Description = "The instant (ISO 8601, any offset or Z).", Required = true };
        var command = new Command("oncall", "Who is on call in a rotation at an instant, overrides applied.")
        {
            policy, rotation, at,
        };
        command.SetAction(parse => Run(
            parse.GetRequiredValue(policy),
            parse.GetRequiredValue(rotation),
            parse.GetRequiredValue(at),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error));
        return command;
    }

    private static int Run(string policyPath, string rotationName, string atText, TextWriter output, TextWriter error)
    {
        if (PolicyFile.ReadValid(policyPath, error) is not { } policy)
        {
            return ExitCodes.InvalidInput;
        }
        var zone = policy.Organization.TimeZone;
        if (CliTime.Parse(atText, zone) is not { } at)
        {
            error.WriteLine($"supporthub: --at \"{atText}\" is not a date-time ({CliTime.Hint})");
            return ExitCodes.InvalidInput;
        }
        if (!policy.Rotations.ContainsKey(rotationName))
        {
            error.WriteLine($"supporthub: the policy has no rotation \"{rotationName}\" (rotations: {string.Join(", ", policy.Rotations.Keys)})");
            return ExitCodes.InvalidInput;
        }
        var person = OnCallSchedule.PersonOnCall(policy, rotationName, at);
        output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["rotation"] = rotationName,
            ["at"] = CliTime.Format(at, zone),
            ["person"] = person,
        }));
        return ExitCodes.Ok;
    }
}
