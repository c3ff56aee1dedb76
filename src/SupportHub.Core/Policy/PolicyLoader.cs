using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using NodaTime;
using SupportHub.Calendars;
using SupportHub.Intake;

namespace SupportHub.Policy;

/// <summary>
/// Turns a policy document (POLICY.md) into a <see cref="SupportPolicy"/>, or into the list of
/// everything wrong with it: the loader never stops at the first problem, so one run of
/// <c>supporthub policy check</c> shows them all.
/// </summary>
/// <remarks>
/// Decisions POLICY.md leaves open, taken here (schema/policy.schema.json says the same):
/// <list type="bullet">
/// <item>A tier's <c>targets</c> need not name every severity: a level it leaves out has no SLA in that
/// tier (seed 002: "Severity 4: no SLA"; the design example's enterprise tier only targets level 1).
/// Every level it does name must be a defined severity, as must every key of <c>onCreate</c> and
/// <c>noProgress</c> and <c>defaultSeverity</c> (3 when absent, as CONTRACT.md says).</item>
/// <item>An emergency severity that starts no chain in <c>onCreate</c> is a warning, not an error:
/// POLICY.md pages on it at once, and an emergency that pages nobody is a silent outage, but the
/// hub can run (the ticket opens and its clocks run; nobody is paged).</item>
/// <item>With <c>emergencyContactsOnly</c>, other requesters' emergencies become severity 2, so
/// severity 2 must exist and not itself be an emergency.</item>
/// <item>An account whose tier bills after-hours work needs a contact with <c>approvesBilling</c>;
/// otherwise no after-hours request of theirs could ever be approved.</item>
/// <item>Durations are more than zero. Weeks (<c>w</c>) are for rotation shifts only; shifts are
/// <c>h</c>, <c>d</c> or <c>w</c>; <c>ackWithin</c> is <c>m</c> or <c>h</c>; <c>approvalTimeout</c> is
/// <c>m</c>, <c>h</c> or <c>d</c> (it runs while support is closed, so business time would never pass).
/// Every other duration is counted in a tier's calendar, so business units always have one.</item>
/// <item>A step's person targets should be reachable by each of its channels (<c>sms</c> needs a phone,
/// <c>teams</c> a Teams user id, <c>email</c> an email), including every participant of a rotation
/// target and every person overriding it. One who is not is a warning: they are paged by their other
/// channels and the page records the channel it skipped (<c>notify.skipped</c>). A person with no
/// address at all stays an error.</item>
/// <item>Errors are what the hub cannot run with; warnings are what it runs with although something
/// may not reach someone (CONTRACT.md). An emergency with no chain and a person without the address
/// a channel needs are the only warnings; everything else here is an error.</item>
/// <item>A calendar's <c>timeZone</c> defaults to the organization's; a calendar is either
/// <c>alwaysOpen</c> (no weekly hours, no holidays) or has weekly hours open at least once a week.</item>
/// <item>Email domains are stored lower-case; domains, emails and ids are compared case-insensitively.
/// A phone number belongs to one account (its <c>phoneNumbers</c> or its contacts'), never to two.</item>
/// <item><c>accounts</c>, <c>people</c>, <c>rotations</c>, <c>overrides</c>, <c>escalation.chains</c>,
/// <c>onCreate</c>, <c>noProgress</c>, <c>intake</c> and <c>channels</c> may be left out; <c>slaWarningAt</c> defaults
/// to 0.75, <c>repeat</c> to 0, an account's <c>name</c> to its id.</item>
/// </list>
/// </remarks>
public sealed partial class PolicyLoader
{
    private const double DefaultSlaWarningAt = 0.75;
    private const int DefaultSeverityWhenAbsent = 3;

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private readonly PolicyReader reader = new();

    private PolicyLoader()
    {
    }

    /// <summary>Parses and validates a policy document; see <see cref="PolicyLoadResult"/>.</summary>
    public static PolicyLoadResult Load(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException e)
        {
            return PolicyLoadResult.Invalid([new PolicyProblem("$", SyntaxMessage(e))], []);
        }
        using (document)
        {
            // The loader reads each string as it goes, and System.Text.Json throws on one whose escapes
            // spell no text (an unpaired surrogate): name it as a problem of the file instead.
            if (JsonBody.FirstUnpairedSurrogate(Encoding.UTF8.GetBytes(json), ReaderOptions) is { } found)
            {
                return PolicyLoadResult.Invalid([new PolicyProblem(found.Path.Length == 0 ? "$" : found.Path, JsonBody.UnpairedSurrogateMessage(found.InPropertyName))], []);
            }
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return PolicyLoadResult.Invalid([new PolicyProblem("$", "a policy must be a JSON object { … }")], []);
            }
            return new PolicyLoader().Read(root);
        }
    }

    private PolicyLoadResult Read(JsonElement root)
    {
        reader.CheckObject(root, "", "");
        if (reader.Field(root, "", "$schema", required: false) is { } schema)
        {
            reader.StringValue(schema, "$schema");
        }

        // Sections are read so that every name is known before anything refers to it.
        var organization = ReadOrganization(root);
        var zone = organization?.TimeZone ?? DateTimeZone.Utc;
        ReadCalendars(root, zone);
        ReadSeverities(root);
        ReadPeople(root);
        ReadTiers(root);
        ReadAccounts(root);
        var defaultTier = TierReference(root, "", "defaultTier", required: true);
        var defaultSeverity = ReadDefaultSeverity(root);
        ReadRotations(root);
        ReadOverrides(root);
        var escalation = ReadEscalation(root);
        var lifecycle = ReadLifecycle(root);
        var intake = ReadIntake(root);
        var channels = ReadChannels(root);
        CheckEmergencies(escalation);

        if (reader.Problems.Count > 0)
        {
            return PolicyLoadResult.Invalid(reader.Problems, reader.Warnings);
        }
        return PolicyLoadResult.Valid(new SupportPolicy(
            Sure(organization),
            calendars,
            [.. severities.OrderBy(s => s.Level)],
            tiers,
            accounts,
            Sure(defaultTier),
            defaultSeverity,
            people,
            rotations,
            overrides,
            Sure(escalation),
            Sure(lifecycle),
            intake,
            channels), reader.Warnings);
    }

    private Organization? ReadOrganization(JsonElement root)
    {
        const string path = "organization";
        if (reader.Field(root, "", path, required: true) is not { } organization || !reader.CheckObject(organization, path, path))
        {
            return null;
        }
        var name = reader.String(organization, path, "name", required: true);
        var zone = TimeZone(organization, path, "timeZone", required: true);
        var supportAddress = Email(organization, path, "supportAddress", required: true);
        return name is null || zone is null || supportAddress is null ? null : new Organization(name, zone, supportAddress);
    }

    private LifecyclePolicy? ReadLifecycle(JsonElement root)
    {
        const string path = "lifecycle";
        if (reader.Field(root, "", path, required: true) is not { } lifecycle || !reader.CheckObject(lifecycle, path, path))
        {
            return null;
        }
        var pending = reader.Duration(lifecycle, path, "pendingAutoSolve", required: true, DurationRule.Calendared);
        var reopen = reader.Duration(lifecycle, path, "reopenWindow", required: true, DurationRule.Calendared);
        var survey = reader.Duration(lifecycle, path, "csatSurveyAfter", required: true, DurationRule.Calendared);
        return pending is { } p && reopen is { } r && survey is { } s ? new LifecyclePolicy(p, r, s) : null;
    }

    private IntakePolicy? ReadIntake(JsonElement root)
    {
        const string path = "intake";
        if (reader.Field(root, "", path, required: false) is not { } intake || !reader.CheckObject(intake, path, path))
        {
            return null;
        }
        var fields = new List<string>();
        foreach (var (item, itemPath) in reader.Array(intake, path, "requiredFields", required: true))
        {
            if (reader.StringValue(item, itemPath) is not { } field)
            {
                continue;
            }
            if (!PolicyFields.IntakeFields.Contains(field))
            {
                reader.Add(itemPath, $"\"{field}\" is not something a request can carry{NameSuggestion.Hint(field, [.. PolicyFields.IntakeFields])}");
            }
            else if (fields.Contains(field))
            {
                reader.Add(itemPath, $"\"{field}\" is listed twice");
            }
            else
            {
                fields.Add(field);
            }
        }
        return new IntakePolicy(fields);
    }

    private ChannelsPolicy? ReadChannels(JsonElement root)
    {
        const string path = "channels";
        if (reader.Field(root, "", path, required: false) is not { } channels || !reader.CheckObject(channels, path, path))
        {
            return null;
        }
        const string smsPath = "channels.sms";
        if (reader.Field(channels, path, "sms", required: false) is not { } sms || !reader.CheckObject(sms, smsPath, smsPath))
        {
            return new ChannelsPolicy(SmsPolicy.Default);
        }
        return new ChannelsPolicy(new SmsPolicy(reader.Bool(sms, smsPath, "replyToUnknown") ?? SmsPolicy.Default.ReplyToUnknown));
    }

    private DateTimeZone? TimeZone(JsonElement owner, string path, string name, bool required)
    {
        if (reader.String(owner, path, name, required) is not { } id)
        {
            return null;
        }
        if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(id) is { } zone)
        {
            return zone;
        }
        var fixedOffset = FixedOffsetName().Match(id);
        var hint = fixedOffset.Success
            // IANA's Etc/GMT zones invert the sign (POSIX): GMT-5 is Etc/GMT+5.
            ? $" (for a fixed offset write \"Etc/GMT{(fixedOffset.Groups[2].Value == "-" ? "+" : "-")}{int.Parse(fixedOffset.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture)}\"; IANA inverts the sign)"
            : NameSuggestion.Closest(id, DateTimeZoneProviders.Tzdb.Ids) is { } closest
                ? $" (did you mean \"{closest}\"?)"
                : " (use an IANA name such as America/Chicago)";
        reader.Add(PolicyReader.Child(path, name), $"\"{id}\" is not a known time zone{hint}");
        return null;
    }

    [GeneratedRegex("^(GMT|UTC)([+-])([0-9]{1,2})$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex FixedOffsetName();

    private string? Email(JsonElement owner, string path, string name, bool required)
    {
        if (reader.String(owner, path, name, required) is not { } email)
        {
            return null;
        }
        if (!PolicyFormats.Email().IsMatch(email))
        {
            reader.Add(PolicyReader.Child(path, name), $"\"{email}\" is not an email address");
            return null;
        }
        return email;
    }

    private string? Phone(JsonElement owner, string path, string name) =>
        reader.Field(owner, path, name, required: false) is { } value ? PhoneValue(value, PolicyReader.Child(path, name)) : null;

    private string? PhoneValue(JsonElement value, string path)
    {
        if (reader.StringValue(value, path) is not { } phone)
        {
            return null;
        }
        if (!PolicyFormats.Phone().IsMatch(phone))
        {
            reader.Add(path, $"\"{phone}\" is not an E.164 phone number (a + and the country code, digits only, e.g. +13125550100)");
            return null;
        }
        return phone;
    }

    private LocalDateTime? LocalDateTime(JsonElement owner, string path, string name)
    {
        if (reader.String(owner, path, name, required: true) is not { } text)
        {
            return null;
        }
        if (PolicyFormats.ParseLocalDateTime(text, out var error) is { } value)
        {
            return value;
        }
        reader.Add(PolicyReader.Child(path, name), error!);
        return null;
    }

    /// <summary>True for a usable id; ids appear in paths and in <c>rotation:NAME</c>, so no dots, colons or spaces.</summary>
    private bool CheckName(string name, string path, string what)
    {
        if (PolicyFormats.Name().IsMatch(name))
        {
            return true;
        }
        reader.Add(path, $"\"{name}\" is not a valid {what} id (letters, digits, - and _ only)");
        return false;
    }

    /// <summary>Reports an empty list or map that must have entries.</summary>
    private void RequireEntries(JsonElement owner, string path, string name, int count, string message)
    {
        if (count == 0 && owner.ValueKind == JsonValueKind.Object && owner.TryGetProperty(name, out var value)
            && value.ValueKind is JsonValueKind.Array or JsonValueKind.Object)
        {
            reader.Add(PolicyReader.Child(path, name), message);
        }
    }

    private static string SyntaxMessage(JsonException e)
    {
        // JsonException messages end with " Path: $ | LineNumber: 0 | BytePositionInLine: 5."; we say it our way.
        var reason = e.Message;
        foreach (var marker in new[] { " Path: ", " LineNumber: " })
        {
            var at = reason.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0)
            {
                reason = reason[..at];
            }
        }
        var where = e.LineNumber is { } line
            ? $" at line {line + 1}, position {(e.BytePositionInLine ?? 0) + 1}"
            : "";
        return $"not valid JSON{where}: {reason.Trim()}";
    }

    /// <summary>
    /// Unwraps a value the loader only leaves null after recording a problem; reaching here with
    /// null and no problem is a bug in the loader, not in the document.
    /// </summary>
    private static T Sure<T>([NotNull] T? value)
        where T : class =>
        value ?? throw new InvalidOperationException($"The policy loader left a {typeof(T).Name} unset without reporting a problem.");
}
