using System.Globalization;
using System.Text.Json;
using SupportHub.Calendars;

namespace SupportHub.Policy;

public sealed partial class PolicyLoader
{
    private readonly List<SeverityDefinition> severities = [];
    private readonly HashSet<int> severityLevels = [];
    private bool severityLevelsUncertain;
    private readonly HashSet<string> tierNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tier> tiers = new(StringComparer.Ordinal);

    // Tiers whose after-hours terms matter to checks made once everything is read.
    private readonly HashSet<string> billableTiers = new(StringComparer.Ordinal);
    private readonly List<string> emergencyContactsOnlyPaths = [];

    private void ReadSeverities(JsonElement root)
    {
        var items = reader.Array(root, "", "severities", required: true);
        RequireEntries(root, "", "severities", items.Count, "define at least one severity");
        var firstPathOfLevel = new Dictionary<int, string>();
        foreach (var (item, path) in items)
        {
            if (!reader.CheckObject(item, path, "severities[]"))
            {
                continue;
            }
            var level = reader.Int(item, path, "level", required: true);
            var name = reader.String(item, path, "name", required: true);
            var emergency = reader.Bool(item, path, "emergency") ?? false;
            var description = reader.String(item, path, "description", required: false);
            if (level is not { } l)
            {
                // Some level is unknowable, so "severity N is not defined" could be wrong from here on.
                severityLevelsUncertain |= item.ValueKind == JsonValueKind.Object && item.TryGetProperty("level", out _);
                continue;
            }
            var levelPath = PolicyReader.Child(path, "level");
            if (firstPathOfLevel.TryGetValue(l, out var first))
            {
                reader.Add(levelPath, $"{l} is used twice (also {first})");
                continue;
            }
            firstPathOfLevel[l] = levelPath;
            if (l < 1 || l > items.Count)
            {
                // Levels 1..n with none missing: "Sev 1" is always the most severe and a gap would
                // leave a tag like [Sev3] meaning nothing.
                reader.Add(levelPath, $"must be between 1 and {items.Count}: levels run 1..n, one per severity, 1 the most severe");
            }
            severityLevels.Add(l);
            if (name is not null)
            {
                severities.Add(new SeverityDefinition(l, name, emergency, description));
            }
        }
    }

    private string LevelsHint() => severityLevels.Count == 0
        ? " (no severities are defined)"
        : $" (defined levels are {string.Join(", ", severityLevels.Order())})";

    /// <summary>A map key naming a severity level (<c>"2"</c>), which must be defined.</summary>
    private int? LevelKey(string key, string path)
    {
        if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var level) || key.StartsWith('0'))
        {
            reader.Add(path, $"\"{key}\" is not a severity level{LevelsHint()}");
            return null;
        }
        if (!IsDefinedLevel(level))
        {
            reader.Add(path, $"severity {level} is not defined{LevelsHint()}");
            return null;
        }
        return level;
    }

    /// <summary>True for a defined level, and for any level once a severity's level was unreadable (reported there).</summary>
    private bool IsDefinedLevel(int level) => severityLevels.Contains(level) || severityLevelsUncertain;

    private int ReadDefaultSeverity(JsonElement root)
    {
        var level = reader.Int(root, "", "defaultSeverity", required: false);
        if (level is { } l && !IsDefinedLevel(l))
        {
            reader.Add("defaultSeverity", $"severity {l} is not defined{LevelsHint()}");
        }
        else if (level is null && !root.TryGetProperty("defaultSeverity", out _) && severityLevels.Count > 0
                 && !IsDefinedLevel(DefaultSeverityWhenAbsent))
        {
            reader.Add("defaultSeverity", $"is required here: when absent it is {DefaultSeverityWhenAbsent}, which is not a defined severity{LevelsHint()}");
        }
        return level ?? DefaultSeverityWhenAbsent;
    }

    private void ReadTiers(JsonElement root)
    {
        var entries = reader.Map(root, "", "tiers", required: true);
        RequireEntries(root, "", "tiers", entries.Count, "define at least one tier");
        foreach (var (name, tier, path) in entries)
        {
            tierNames.Add(name);
            if (!CheckName(name, path, "tier") || !reader.CheckObject(tier, path, "tiers.*"))
            {
                continue;
            }
            var hours = CalendarReference(tier, path, "hours", required: true);
            var emergencyHours = CalendarReference(tier, path, "emergencyHours", required: false);
            var targets = ReadTargets(tier, path);
            var afterHours = reader.Field(tier, path, "afterHours", required: false) is { } terms
                ? ReadAfterHours(terms, PolicyReader.Child(path, "afterHours"), name)
                : null;
            if (hours is not null)
            {
                tiers[name] = new Tier(name, hours, emergencyHours ?? hours, targets, afterHours);
            }
        }
    }

    private Dictionary<int, SeverityTargets> ReadTargets(JsonElement tier, string path)
    {
        var targets = new Dictionary<int, SeverityTargets>();
        foreach (var (key, target, targetPath) in reader.Map(tier, path, "targets", required: false))
        {
            var level = LevelKey(key, targetPath);
            if (!reader.CheckObject(target, targetPath, "tiers.*.targets.*"))
            {
                continue;
            }
            var response = reader.Duration(target, targetPath, "response", required: false, DurationRule.Calendared);
            var restore = reader.Duration(target, targetPath, "restore", required: false, DurationRule.Calendared);
            var resolve = reader.Duration(target, targetPath, "resolve", required: false, DurationRule.Calendared);
            if (level is { } l)
            {
                targets[l] = new SeverityTargets(response, restore, resolve);
            }
        }
        return targets;
    }

    private AfterHoursTerms? ReadAfterHours(JsonElement terms, string path, string tier)
    {
        if (!reader.CheckObject(terms, path, "tiers.*.afterHours"))
        {
            return null;
        }
        var billable = reader.Bool(terms, path, "billable");
        if (billable is null && !terms.TryGetProperty("billable", out _))
        {
            reader.Add(PolicyReader.Child(path, "billable"), "is required");
        }
        var rate = reader.Decimal(terms, path, "rate", required: false);
        if (rate is <= 0)
        {
            reader.Add(PolicyReader.Child(path, "rate"), $"must be more than zero, not {rate.Value.ToString(CultureInfo.InvariantCulture)}");
        }
        var currency = reader.String(terms, path, "currency", required: false);
        if (currency is not null && !PolicyFormats.Currency().IsMatch(currency))
        {
            reader.Add(PolicyReader.Child(path, "currency"), $"\"{currency}\" is not an ISO 4217 currency code (three capital letters, e.g. USD)");
        }
        var per = reader.String(terms, path, "per", required: false);
        if (per is not null && !PolicyFields.BillingUnits.Contains(per))
        {
            reader.Add(PolicyReader.Child(path, "per"), $"\"{per}\" is not a billing unit (use {string.Join(" or ", PolicyFields.BillingUnits)})");
        }
        var approvalTimeout = reader.Duration(terms, path, "approvalTimeout", required: false, DurationRule.ApprovalTimeout);
        var emergencyContactsOnly = reader.Bool(terms, path, "emergencyContactsOnly") ?? false;
        if (billable == true)
        {
            billableTiers.Add(tier);
            // Nothing is billed without the customer knowing the price and having time to answer.
            foreach (var required in new[] { "rate", "currency", "approvalTimeout" })
            {
                if (!terms.TryGetProperty(required, out _))
                {
                    reader.Add(PolicyReader.Child(path, required), "is required when billable is true");
                }
            }
        }
        if (emergencyContactsOnly)
        {
            emergencyContactsOnlyPaths.Add(PolicyReader.Child(path, "emergencyContactsOnly"));
        }
        return new AfterHoursTerms(
            billable ?? false,
            rate ?? 0,
            currency ?? "",
            per ?? "hour",
            approvalTimeout ?? new PolicyDuration(0, DurationUnit.Minutes),
            emergencyContactsOnly);
    }

    private string? TierReference(JsonElement owner, string path, string name, bool required)
    {
        if (reader.String(owner, path, name, required) is not { } tier)
        {
            return null;
        }
        if (!tierNames.Contains(tier))
        {
            reader.Add(PolicyReader.Child(path, name), $"unknown tier \"{tier}\"{NameSuggestion.Hint(tier, tierNames)}");
            return null;
        }
        return tier;
    }

    /// <summary>Checks that need severities, tiers and escalation all read.</summary>
    private void CheckEmergencies(EscalationPolicy? escalation)
    {
        if (escalation is not null)
        {
            foreach (var severity in severities.Where(s => s.Emergency && !onCreateLevels.Contains(s.Level)))
            {
                // A warning: the hub runs (the ticket opens, its clocks run), but nobody is paged.
                reader.Warn("escalation.onCreate", $"severity {severity.Level} (\"{severity.Name}\") is an emergency but starts no chain, so nobody is paged for it; add \"{severity.Level}\": \"<chain>\"");
            }
        }
        var two = severities.FirstOrDefault(s => s.Level == 2);
        foreach (var path in emergencyContactsOnlyPaths)
        {
            if (severityLevels.Count == 0)
            {
                continue;
            }
            if (!IsDefinedLevel(2))
            {
                reader.Add(path, "emergencies from other requesters are treated as severity 2, which is not defined");
            }
            else if (two is { Emergency: true })
            {
                reader.Add(path, "emergencies from other requesters are treated as severity 2, which is itself an emergency");
            }
        }
    }
}
