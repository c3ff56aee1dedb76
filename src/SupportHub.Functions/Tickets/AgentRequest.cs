using System.Text.Json;
using SupportHub.Policy;

namespace SupportHub.Functions.Tickets;

// The JSON body of an agent command, read field by field so every problem names its field:
// 415 when the body is not JSON by its Content-Type, 400 when it does not parse (JsonBody: not
// UTF-8, not JSON, a string that is not text) or a field is missing or of the wrong type, 422 when
// a field is well formed but means nothing to this hub (an unknown person, status or severity).
// Every problem of a body is reported at once.

/// <summary>Reads an agent command's body and collects its problems.</summary>
public sealed class AgentRequest
{
    private readonly JsonElement _root;
    private readonly Dictionary<string, string[]> _malformed = [];
    private readonly Dictionary<string, string[]> _invalid = [];

    private AgentRequest(JsonElement root) => _root = root;

    /// <summary>The largest agent request body accepted.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>The parsed body, or the problem that stops it being read at all.</summary>
    public static async Task<(AgentRequest? Body, IResult? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.HasJsonContentType())
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported media type", detail: "Send the body as application/json."));
        }

        // Agent bodies are a few fields: read at most MaxBodyBytes. JsonBody refuses what is not
        // UTF-8, not JSON, or holds a string that is not text (an unpaired surrogate), naming where.
        var (bytes, tooLarge) = await Intake.IntakeHttp.ReadBodyAsync(request, MaxBodyBytes, cancellationToken);
        if (tooLarge is not null)
        {
            return (null, tooLarge);
        }

        var parsed = SupportHub.Intake.JsonBody.Parse(bytes!);
        if (!parsed.Ok)
        {
            return (null, Problem(StatusCodes.Status400BadRequest, "The request body is malformed.",
                parsed.Problems.ToDictionary(p => p.Field, p => new[] { p.Detail })));
        }

        using var document = parsed.Value!;
        return document.RootElement.ValueKind == JsonValueKind.Object
            ? (new AgentRequest(document.RootElement.Clone()), null)
            : (null, Malformed("body", "The body must be a JSON object."));
    }

    /// <summary>A required non-empty string.</summary>
    public string Text(string field)
    {
        if (_root.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Trim().Length > 0)
        {
            return value.GetString()!.Trim();
        }

        _malformed[field] = [$"\"{field}\" is required: a non-empty string."];
        return "";
    }

    /// <summary>A required whole number.</summary>
    public int Integer(string field)
    {
        if (_root.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number))
        {
            return number;
        }

        _malformed[field] = [$"\"{field}\" is required: a whole number."];
        return 0;
    }

    /// <summary>A required person id from the policy's <c>people</c>.</summary>
    public string Person(string field, SupportPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var id = Text(field);
        if (id.Length > 0 && !policy.People.ContainsKey(id))
        {
            Invalid(field, $"\"{id}\" is not a person in the policy (people: {string.Join(", ", policy.People.Keys)}).");
        }

        return id;
    }

    /// <summary>Records a well-formed field whose value this hub cannot use.</summary>
    public void Invalid(string field, string message) => _invalid[field] = [message];

    /// <summary>400 for malformed fields (they are reported first), else 422 for invalid ones, else null.</summary>
    public IResult? Problem() =>
        _malformed.Count > 0 ? Problem(StatusCodes.Status400BadRequest, "The request body is malformed.", _malformed)
        : _invalid.Count > 0 ? Problem(StatusCodes.Status422UnprocessableEntity, "The request cannot be applied.", _invalid)
        : null;

    private static IResult Malformed(string field, string message) =>
        Problem(StatusCodes.Status400BadRequest, "The request body is malformed.", new Dictionary<string, string[]> { [field] = [message] });

    private static IResult Problem(int status, string title, Dictionary<string, string[]> errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors) { Status = status, Title = title });
}
