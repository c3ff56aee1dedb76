namespace SupportHub.Intake;

/// <summary>How wrong a request is: unreadable (HTTP 400) or readable with a field that is wrong (HTTP 422).</summary>
public enum IntakeProblemKind
{
    Malformed,
    Invalid,
}

/// <summary>One thing wrong with an inbound request, naming the field at fault (<c>from</c>, <c>data.message</c>, <c>body</c>).</summary>
public sealed record IntakeProblem(string Field, string Detail, IntakeProblemKind Kind = IntakeProblemKind.Invalid)
{
    public static IntakeProblem Malformed(string field, string detail) => new(field, detail, IntakeProblemKind.Malformed);
}

/// <summary>A channel parser's answer: the value, or every problem found (malformed ones first).</summary>
public sealed record IntakeParse<T>(T? Value, IReadOnlyList<IntakeProblem> Problems)
    where T : class
{
    public bool Ok => Value is not null && Problems.Count == 0;

    public static IntakeParse<T> Success(T value) => new(value, []);

    public static IntakeParse<T> Failure(params IntakeProblem[] problems) => new(null, problems);

    public static IntakeParse<T> Failure(IEnumerable<IntakeProblem> problems) =>
        new(null, problems.OrderBy(p => p.Kind == IntakeProblemKind.Malformed ? 0 : 1).ToList());
}

/// <summary>A file that came with a message: recorded, never trusted, never stored.</summary>
/// <param name="ContentType">As the sender declared it; not sniffed, not believed.</param>
/// <param name="Size">Bytes as received (after transfer decoding in raw MIME).</param>
public sealed record AttachmentInfo(string Name, string ContentType, long Size);
