using System.Globalization;
using System.Text;
using SupportHub.Storage;

namespace SupportHub.Azure.Tables;

// An entity group transaction (learn.microsoft.com, "Performing entity group transactions"): one
// POST to /$batch whose multipart/mixed body holds one change set, itself multipart/mixed, with one
// application/http part per operation. Each operation carries a Content-ID (1-based) and its
// absolute URL. The answer is 202 with a multipart body: a change set response holding one HTTP
// response per operation in order when all succeeded, or a single error response whose OData
// message starts with the 0-based index of the failing operation ("1:The specified entity
// already exists.").

/// <summary>Writes a <c>$batch</c> request body and reads its response.</summary>
internal static class TableBatch
{
    /// <summary>Table Storage's limit on a transaction's payload.</summary>
    public const int MaxBodyBytes = 4 * 1024 * 1024;

    public static byte[] Write(string batchBoundary, string changesetBoundary, Func<EntityKey?, string> operationUri, string table, IReadOnlyList<EntityChange> changes)
    {
        var body = new StringBuilder();
        body.Append("--").Append(batchBoundary).Append("\r\n");
        body.Append("Content-Type: multipart/mixed; boundary=").Append(changesetBoundary).Append("\r\n\r\n");
        for (var i = 0; i < changes.Count; i++)
        {
            var change = changes[i];
            body.Append("--").Append(changesetBoundary).Append("\r\n");
            body.Append("Content-Type: application/http\r\n");
            body.Append("Content-Transfer-Encoding: binary\r\n");
            body.Append("Content-ID: ").Append((i + 1).ToString(CultureInfo.InvariantCulture)).Append("\r\n\r\n");

            var (method, uri, ifMatch) = change.Kind switch
            {
                EntityChangeKind.Create => ("POST", operationUri(null), null),
                EntityChangeKind.Set => ("PUT", operationUri(change.Key), null),
                EntityChangeKind.Update => ("PUT", operationUri(change.Key), change.IfMatch),
                _ => ("DELETE", operationUri(change.Key), change.IfMatch ?? "*"),
            };
            body.Append(method).Append(' ').Append(uri).Append(" HTTP/1.1\r\n");
            body.Append("Accept: application/json;odata=minimalmetadata\r\n");
            body.Append("DataServiceVersion: 3.0\r\n");
            if (ifMatch is not null)
            {
                body.Append("If-Match: ").Append(ifMatch).Append("\r\n");
            }

            if (change.Payload is null)
            {
                body.Append("\r\n");
            }
            else
            {
                body.Append("Content-Type: application/json\r\n");
                body.Append("Prefer: return-no-content\r\n\r\n");
                body.Append(Encoding.UTF8.GetString(TableEntityJson.Write(table, change.Key, change.Payload))).Append("\r\n");
            }
        }

        body.Append("--").Append(changesetBoundary).Append("--\r\n");
        body.Append("--").Append(batchBoundary).Append("--\r\n");
        return Encoding.UTF8.GetBytes(body.ToString());
    }

    /// <summary>The HTTP responses inside a <c>$batch</c> response, in order, however deeply nested.</summary>
    public static IReadOnlyList<OperationResponse> Read(string contentType, string body)
    {
        var responses = new List<OperationResponse>();
        Collect(contentType, body.Replace("\r\n", "\n", StringComparison.Ordinal), responses);
        return responses;
    }

    public static string? Boundary(string? contentType)
    {
        if (contentType is null)
        {
            return null;
        }

        foreach (var parameter in contentType.Split(';'))
        {
            var trimmed = parameter.Trim();
            if (trimmed.StartsWith("boundary=", StringComparison.OrdinalIgnoreCase))
            {
                return trimmed["boundary=".Length..].Trim('"');
            }
        }

        return null;
    }

    private static void Collect(string contentType, string body, List<OperationResponse> responses)
    {
        var boundary = Boundary(contentType) ?? throw new FormatException($"A $batch response part of type '{contentType}' has no boundary.");
        var delimiter = "--" + boundary;
        var segments = body.Split(delimiter);
        foreach (var segment in segments.Skip(1))
        {
            if (segment.StartsWith("--", StringComparison.Ordinal))
            {
                break;
            }

            var (headers, content) = SplitHeaders(segment.TrimStart('\n'));
            var type = headers.GetValueOrDefault("content-type") ?? string.Empty;
            if (type.StartsWith("multipart/mixed", StringComparison.OrdinalIgnoreCase))
            {
                Collect(type, content, responses);
            }
            else if (type.StartsWith("application/http", StringComparison.OrdinalIgnoreCase))
            {
                responses.Add(ReadResponse(content, headers.GetValueOrDefault("content-id")));
            }
        }
    }

    private static OperationResponse ReadResponse(string http, string? partContentId)
    {
        var (statusLineAndHeaders, content) = SplitAt(http, "\n\n");
        var lines = statusLineAndHeaders.Split('\n');
        var status = lines[0].Split(' ', 3);
        if (status.Length < 2 || !status[0].StartsWith("HTTP/", StringComparison.Ordinal) || !int.TryParse(status[1], CultureInfo.InvariantCulture, out var code))
        {
            throw new FormatException($"A $batch response part does not start with an HTTP status line: '{lines[0]}'.");
        }

        var headers = ParseHeaders(lines.Skip(1));
        return new OperationResponse(
            code,
            headers.GetValueOrDefault("etag"),
            headers.GetValueOrDefault("content-id") ?? partContentId,
            content.TrimEnd('\n'));
    }

    private static (Dictionary<string, string> Headers, string Content) SplitHeaders(string part)
    {
        var (head, content) = SplitAt(part, "\n\n");
        return (ParseHeaders(head.Split('\n')), content);
    }

    private static (string Before, string After) SplitAt(string text, string separator)
    {
        var at = text.IndexOf(separator, StringComparison.Ordinal);
        return at < 0 ? (text, string.Empty) : (text[..at], text[(at + separator.Length)..]);
    }

    private static Dictionary<string, string> ParseHeaders(IEnumerable<string> lines)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines)
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
            }
        }

        return headers;
    }

    /// <summary>One operation's answer inside a <c>$batch</c> response.</summary>
    internal sealed record OperationResponse(int Status, string? ETag, string? ContentId, string Body);
}
