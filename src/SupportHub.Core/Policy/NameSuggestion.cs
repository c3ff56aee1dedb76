namespace SupportHub.Policy;

/// <summary>Finds the known name a misspelt one most likely meant (<c>emergencyHour</c> → <c>emergencyHours</c>).</summary>
internal static class NameSuggestion
{
    /// <summary>The closest known name within a few edits (more for longer names), or null when none is close.</summary>
    public static string? Closest(string name, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            if (string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase))
            {
                return candidate;
            }
            var distance = Distance(name.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }
        // Two edits catch most typos; long names tolerate a third of their length.
        var tolerance = Math.Max(2, name.Length / 3);
        return bestDistance <= tolerance ? best : null;
    }

    /// <summary>" (did you mean "x"?)" or, when nothing is close and the list is short, " (known: a, b)".</summary>
    public static string Hint(string name, IReadOnlyCollection<string> known)
    {
        if (Closest(name, known) is { } closest)
        {
            return $" (did you mean \"{closest}\"?)";
        }
        if (known.Count == 0)
        {
            return " (none are defined)";
        }
        return known.Count <= 12 ? $" (known: {string.Join(", ", known)})" : "";
    }

    // Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours.
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }
        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }
        return d[a.Length, b.Length];
    }
}
