using System.Globalization;
using System.Text.Json;

namespace SupportHub.Policy;

public sealed partial class PolicyLoader
{
    private static readonly IReadOnlyDictionary<string, Channel> Channels = new Dictionary<string, Channel>(StringComparer.Ordinal)
    {
        ["teams"] = Channel.Teams,
        ["sms"] = Channel.Sms,
        ["email"] = Channel.Email,
    };

    // Levels onCreate names, even with a broken chain, so that mistake is not reported twice.
    private readonly HashSet<int> onCreateLevels = [];

    private EscalationPolicy? ReadEscalation(JsonElement root)
    {
        const string path = "escalation";
        if (reader.Field(root, "", path, required: true) is not { } escalation || !reader.CheckObject(escalation, path, path))
        {
            return null;
        }

        var chainNames = new HashSet<string>(StringComparer.Ordinal);
        var chains = new Dictionary<string, EscalationChain>(StringComparer.Ordinal);
        foreach (var (id, chain, chainPath) in reader.Map(escalation, path, "chains", required: false))
        {
            chainNames.Add(id);
            if (CheckName(id, chainPath, "chain") && ReadChain(id, chain, chainPath) is { } read)
            {
                chains[id] = read;
            }
        }

        var onCreate = new Dictionary<int, string>();
        foreach (var (key, value, entryPath) in reader.Map(escalation, path, "onCreate", required: false))
        {
            var level = LevelKey(key, entryPath);
            if (level is { } named)
            {
                onCreateLevels.Add(named);
            }
            if (reader.StringValue(value, entryPath) is not { } chain)
            {
                continue;
            }
            if (!chainNames.Contains(chain))
            {
                reader.Add(entryPath, $"unknown chain \"{chain}\"{NameSuggestion.Hint(chain, chainNames)}");
            }
            else if (level is { } l)
            {
                onCreate[l] = chain;
            }
        }

        var noProgress = new Dictionary<int, NoProgressRule>();
        foreach (var (key, value, entryPath) in reader.Map(escalation, path, "noProgress", required: false))
        {
            var level = LevelKey(key, entryPath);
            if (!reader.CheckObject(value, entryPath, "escalation.noProgress.*"))
            {
                continue;
            }
            var after = reader.Duration(value, entryPath, "after", required: true, DurationRule.Calendared);
            var rule = ReadNotification(value, entryPath);
            if (level is { } l && after is { } a && rule is not null)
            {
                noProgress[l] = new NoProgressRule(a, rule.Notify, rule.Via);
            }
        }

        var slaWarningAt = DefaultSlaWarningAt;
        if (reader.Field(escalation, path, "slaWarningAt", required: false) is { } warning
            && reader.Expect(warning, JsonValueKind.Number, PolicyReader.Child(path, "slaWarningAt")))
        {
            slaWarningAt = warning.GetDouble();
            if (slaWarningAt is <= 0 or >= 1)
            {
                reader.Add(PolicyReader.Child(path, "slaWarningAt"), $"must be a share between 0 and 1 (exclusive), e.g. 0.75, not {warning.GetRawText()}");
            }
        }

        return new EscalationPolicy(chains, onCreate, noProgress, slaWarningAt);
    }

    private EscalationChain? ReadChain(string id, JsonElement chain, string path)
    {
        if (!reader.CheckObject(chain, path, "escalation.chains.*"))
        {
            return null;
        }
        var stepItems = reader.Array(chain, path, "steps", required: true);
        RequireEntries(chain, path, "steps", stepItems.Count, "a chain needs at least one step");
        var steps = new List<EscalationStep>();
        foreach (var (step, stepPath) in stepItems)
        {
            if (!reader.CheckObject(step, stepPath, "escalation.chains.*.steps[]"))
            {
                continue;
            }
            var rule = ReadNotification(step, stepPath);
            var ackWithin = reader.Duration(step, stepPath, "ackWithin", required: true, DurationRule.AckWithin);
            if (rule is not null && ackWithin is { } wait)
            {
                steps.Add(new EscalationStep(rule.Notify, rule.Via, wait));
            }
        }
        var repeat = reader.Int(chain, path, "repeat", required: false) ?? 0;
        if (repeat < 0)
        {
            reader.Add(PolicyReader.Child(path, "repeat"), $"must be 0 or more (how many more rounds after the first), not {repeat.ToString(CultureInfo.InvariantCulture)}");
        }
        NotificationRule? whenExhausted = null;
        if (reader.Field(chain, path, "whenExhausted", required: false) is { } exhausted)
        {
            var exhaustedPath = PolicyReader.Child(path, "whenExhausted");
            if (reader.CheckObject(exhausted, exhaustedPath, "escalation.chains.*.whenExhausted"))
            {
                whenExhausted = ReadNotification(exhausted, exhaustedPath);
            }
        }
        return new EscalationChain(id, steps, repeat, whenExhausted);
    }

    /// <summary>Reads <c>notify</c> and <c>via</c> of a step, a whenExhausted or a noProgress rule, and checks every person can be reached that way.</summary>
    private NotificationRule? ReadNotification(JsonElement owner, string path)
    {
        var targetItems = reader.Array(owner, path, "notify", required: true);
        RequireEntries(owner, path, "notify", targetItems.Count, "needs at least one target");
        var targets = new List<(NotifyTarget Target, string Path)>();
        foreach (var (item, itemPath) in targetItems)
        {
            if (reader.StringValue(item, itemPath) is not { } text)
            {
                continue;
            }
            if (NotifyTarget.TryParse(text) is not { } target)
            {
                reader.Add(itemPath, $"\"{text}\" is not a target (use rotation:NAME, person:ID, account:approvers or account:emergency)");
            }
            else if (target.Kind == NotifyTargetKind.Rotation && !rotationNames.Contains(target.Name))
            {
                reader.Add(itemPath, $"unknown rotation \"{target.Name}\"{NameSuggestion.Hint(target.Name, rotationNames)}");
            }
            else if (target.Kind == NotifyTargetKind.Person && !personNames.Contains(target.Name))
            {
                reader.Add(itemPath, $"unknown person \"{target.Name}\"{NameSuggestion.Hint(target.Name, personNames)}");
            }
            else
            {
                targets.Add((target, itemPath));
            }
        }

        var channelItems = reader.Array(owner, path, "via", required: true);
        RequireEntries(owner, path, "via", channelItems.Count, "needs at least one channel (teams, sms or email)");
        var channels = new List<Channel>();
        foreach (var (item, itemPath) in channelItems)
        {
            if (reader.StringValue(item, itemPath) is not { } text)
            {
                continue;
            }
            if (!Channels.TryGetValue(text, out var channel))
            {
                reader.Add(itemPath, $"\"{text}\" is not a channel (use teams, sms or email)");
            }
            else if (channels.Contains(channel))
            {
                reader.Add(itemPath, $"\"{text}\" is listed twice");
            }
            else
            {
                channels.Add(channel);
            }
        }

        foreach (var (target, targetPath) in targets)
        {
            CheckReachable(target, targetPath, channels);
        }
        return new NotificationRule([.. targets.Select(t => t.Target)], channels);
    }

    /// <summary>
    /// Warns of each staff member <paramref name="target"/> may notify who has no address for one of
    /// <paramref name="channels"/>. A warning, not an error: at run time that channel is skipped for
    /// them (recorded as <c>notify.skipped</c>) and their other channels still notify them.
    /// </summary>
    private void CheckReachable(NotifyTarget target, string path, IReadOnlyList<Channel> channels)
    {
        // Account contacts are told "by SMS where a phone is known" (POLICY.md), so only staff are held to every channel.
        var who = target.Kind switch
        {
            NotifyTargetKind.Person => [target.Name],
            NotifyTargetKind.Rotation when rotations.TryGetValue(target.Name, out var rotation) =>
                rotation.Participants.Concat(overrides.Where(o => o.Rotation == target.Name).Select(o => o.Person)).Distinct().ToList(),
            _ => new List<string>(),
        };
        foreach (var id in who)
        {
            if (!people.TryGetValue(id, out var person))
            {
                continue;
            }
            var missing = channels.Select(c => (Channel: c, Field: MissingAddress(person, c))).Where(m => m.Field is not null).ToList();
            var consequence = missing.Count < channels.Count
                ? "; the other channels still reach them and the skip is recorded"
                : "; no channel listed here reaches them";
            foreach (var (channel, field) in missing)
            {
                var channelName = channel.ToString().ToLowerInvariant();
                reader.Warn(path, target.Kind == NotifyTargetKind.Person
                    ? $"person \"{id}\" has no {field}, needed for \"{channelName}\"{consequence}"
                    : $"rotation \"{target.Name}\" includes \"{id}\", who has no {field}, needed for \"{channelName}\"{consequence}");
            }
        }
    }

    /// <summary>The person's field a channel needs, when they do not have it; null when they can be reached that way.</summary>
    private static string? MissingAddress(Person person, Channel channel) => channel switch
    {
        Channel.Sms when person.Phone is null => "phone",
        Channel.Email when person.Email is null => "email",
        Channel.Teams when person.TeamsUserId is null => "teamsUserId",
        _ => null,
    };
}
