using System.Text.Json;
using NodaTime;

namespace SupportHub.Policy;

public sealed partial class PolicyLoader
{
    private readonly HashSet<string> personNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Person> people = new(StringComparer.Ordinal);
    private readonly HashSet<string> rotationNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Rotation> rotations = new(StringComparer.Ordinal);
    private readonly List<RotationOverride> overrides = [];

    private void ReadPeople(JsonElement root)
    {
        foreach (var (id, person, path) in reader.Map(root, "", "people", required: false))
        {
            personNames.Add(id);
            if (!CheckName(id, path, "person") || !reader.CheckObject(person, path, "people.*"))
            {
                continue;
            }
            // Only a person with no problem is kept, so a malformed phone is reported once and not
            // again as "has no phone" by every step that texts them.
            var problemsBefore = reader.Problems.Count;
            var name = reader.String(person, path, "name", required: true);
            var email = Email(person, path, "email", required: false);
            var phone = Phone(person, path, "phone");
            var teamsUserId = reader.String(person, path, "teamsUserId", required: false);
            if (teamsUserId is not null && !Guid.TryParseExact(teamsUserId, "D", out _))
            {
                reader.Add(PolicyReader.Child(path, "teamsUserId"), $"\"{teamsUserId}\" is not a Teams (Entra ID) user id, which looks like 00000000-0000-0000-0000-000000000000");
            }
            if (!person.TryGetProperty("email", out _) && !person.TryGetProperty("phone", out _) && !person.TryGetProperty("teamsUserId", out _))
            {
                reader.Add(path, "has no email, phone or teamsUserId, so could never be notified");
            }
            if (name is not null && reader.Problems.Count == problemsBefore)
            {
                people[id] = new Person(id, name, email, phone, teamsUserId);
            }
        }
    }

    private string? PersonReferenceValue(JsonElement value, string path)
    {
        if (reader.StringValue(value, path) is not { } person)
        {
            return null;
        }
        if (!personNames.Contains(person))
        {
            reader.Add(path, $"unknown person \"{person}\"{NameSuggestion.Hint(person, personNames)}");
            return null;
        }
        return person;
    }

    private string? RotationReferenceValue(JsonElement value, string path)
    {
        if (reader.StringValue(value, path) is not { } rotation)
        {
            return null;
        }
        if (!rotationNames.Contains(rotation))
        {
            reader.Add(path, $"unknown rotation \"{rotation}\"{NameSuggestion.Hint(rotation, rotationNames)}");
            return null;
        }
        return rotation;
    }

    private void ReadRotations(JsonElement root)
    {
        foreach (var (id, rotation, path) in reader.Map(root, "", "rotations", required: false))
        {
            rotationNames.Add(id);
            if (!CheckName(id, path, "rotation") || !reader.CheckObject(rotation, path, "rotations.*"))
            {
                continue;
            }
            var participantItems = reader.Array(rotation, path, "participants", required: true);
            RequireEntries(rotation, path, "participants", participantItems.Count, "a rotation needs at least one participant");
            var participants = new List<string>();
            foreach (var (item, itemPath) in participantItems)
            {
                if (PersonReferenceValue(item, itemPath) is { } person)
                {
                    participants.Add(person);
                }
            }
            var start = LocalDateTime(rotation, path, "start");
            var shift = reader.Duration(rotation, path, "shift", required: true, DurationRule.Shift);
            if (start is { } s && shift is { } length && participants.Count > 0)
            {
                rotations[id] = new Rotation(id, participants, s, length);
            }
        }
    }

    private void ReadOverrides(JsonElement root)
    {
        var windows = new List<(string Rotation, LocalDateTime From, LocalDateTime To, string Path)>();
        foreach (var (item, path) in reader.Array(root, "", "overrides", required: false))
        {
            if (!reader.CheckObject(item, path, "overrides[]"))
            {
                continue;
            }
            var rotation = reader.Field(item, path, "rotation", required: true) is { } r
                ? RotationReferenceValue(r, PolicyReader.Child(path, "rotation"))
                : null;
            var person = reader.Field(item, path, "person", required: true) is { } p
                ? PersonReferenceValue(p, PolicyReader.Child(path, "person"))
                : null;
            var from = LocalDateTime(item, path, "from");
            var to = LocalDateTime(item, path, "to");
            if (from is not { } f || to is not { } t)
            {
                continue;
            }
            if (t <= f)
            {
                reader.Add(PolicyReader.Child(path, "to"), $"must be after from ({PolicyFormats.Format(f)})");
                continue;
            }
            if (rotation is null)
            {
                continue;
            }
            // Two overrides of one rotation at once would leave "who is on call" undecided.
            if (windows.FirstOrDefault(w => w.Rotation == rotation && w.From < t && f < w.To) is { Path: { } other })
            {
                reader.Add(path, $"overlaps {other} on rotation \"{rotation}\"");
            }
            windows.Add((rotation, f, t, path));
            if (person is not null)
            {
                overrides.Add(new RotationOverride(rotation, person, f, t));
            }
        }
    }
}
