namespace SupportHub.Storage;

/// <summary>
/// Values this process wrote most recently, by row, with the ETag the write returned: a read that
/// finds the same ETag can use the value instead of parsing the row again (an ETag names one write,
/// so the row cannot have changed under it). Bounded by two generations: when the newer one is full
/// it becomes the older and a new one starts, so a row written or found within the last generation
/// is still there (a value found in the older one moves to the newer). A value that is gone costs a
/// parse, never a wrong answer. (Clearing everything when full made every ticket still open parse
/// its state again; a month of 100,000 tickets did so several times over.)
/// </summary>
internal sealed class SavedByETag<T>
    where T : class
{
    private const int Capacity = 16_384;

    private readonly Lock _gate = new();
    private Dictionary<string, (string ETag, T Value)> _current = new(StringComparer.Ordinal);
    private Dictionary<string, (string ETag, T Value)> _previous = new(StringComparer.Ordinal);

    public T? Find(string row, string etag)
    {
        lock (_gate)
        {
            if (_current.TryGetValue(row, out var entry))
            {
                return string.Equals(entry.ETag, etag, StringComparison.Ordinal) ? entry.Value : null;
            }
            if (_previous.Remove(row, out entry) && string.Equals(entry.ETag, etag, StringComparison.Ordinal))
            {
                Add(row, entry);
                return entry.Value;
            }
            return null;
        }
    }

    public void Remember(string row, string etag, T value)
    {
        lock (_gate)
        {
            if (!_current.ContainsKey(row))
            {
                _previous.Remove(row);
            }
            Add(row, (etag, value));
        }
    }

    private void Add(string row, (string ETag, T Value) entry)
    {
        if (_current.Count >= Capacity && !_current.ContainsKey(row))
        {
            (_previous, _current) = (_current, _previous);
            _current.Clear();
        }
        _current[row] = entry;
    }
}
