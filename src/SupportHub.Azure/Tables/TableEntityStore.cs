using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using SupportHub.Storage;

namespace SupportHub.Azure.Tables;

// IEntityStore over the Table service REST API (OData JSON, API version 2019-02-02), on an Azure.Core
// pipeline: retries, logging with the Authorization header redacted, and either SharedKeyLite
// (Azurite, tools) or an Entra ID token (the function app's managed identity) per try.
//
// Mapping to the port:
//   Get      GET    /{table}(PartitionKey='p',RowKey='r')            404 → null
//   Create   POST   /{table}            Prefer: return-no-content    409 → AlreadyExists
//   Set      PUT    entity URI          (no If-Match: upsert-replace)
//   Update   PUT    entity URI          If-Match: etag               412 → ETagMismatch, 404 → NotFound
//   Delete   DELETE entity URI          If-Match: etag or *          412 → ETagMismatch, 404 → NotFound or nothing
//   Query    GET    /{table}()?$filter=PartitionKey eq 'p' and RowKey ge 'a' and RowKey lt 'b'&$top=n
//            continuation from x-ms-continuation-NextPartitionKey/NextRowKey, handed back as query parameters
//   Submit   POST   /$batch             one change set (TableBatch)
// Keys in URIs: single quotes doubled (OData string literal), then percent-encoded. A write that
// finds no table (404 TableNotFound) creates it (409 TableAlreadyExists from a racing writer is fine)
// and is sent again. Any other unexpected answer throws RequestFailedException.

/// <summary>The hub's entity store on Azure Table Storage (or Azurite).</summary>
public sealed class TableEntityStore : IEntityStore
{
    /// <summary>The REST API version sent in <c>x-ms-version</c>.</summary>
    public const string ApiVersion = "2019-02-02";

    /// <summary>Entra ID scope of Azure Storage.</summary>
    public const string Scope = "https://storage.azure.com/.default";

    private const string JsonMinimalMetadata = "application/json;odata=minimalmetadata";

    private static readonly RequestFailedDetailsParser ErrorParser = new TableErrorParser();

    private readonly string _endpoint;
    private readonly HttpPipeline _pipeline;

    /// <summary>Signs with the account key (SharedKeyLite): Azurite, or an account that allows shared keys.</summary>
    /// <param name="endpoint">The table endpoint: <c>https://{account}.table.core.windows.net</c>, or
    /// Azurite's path-style <c>http://127.0.0.1:10002/devstoreaccount1</c>.</param>
    public TableEntityStore(Uri endpoint, AzureNamedKeyCredential credential, AzureAdapterOptions? options = null)
        : this(endpoint, Pipeline(options ?? new AzureAdapterOptions(), o => new TableSharedKeyLitePolicy(credential, o.Clock)))
    {
        ArgumentNullException.ThrowIfNull(credential);
    }

    /// <summary>Authenticates with an Entra ID token (scope <see cref="Scope"/>): a managed identity in Azure.</summary>
    public TableEntityStore(Uri endpoint, TokenCredential credential, AzureAdapterOptions? options = null)
        : this(endpoint, Pipeline(options ?? new AzureAdapterOptions(), _ => new BearerTokenAuthenticationPolicy(credential, Scope)))
    {
        ArgumentNullException.ThrowIfNull(credential);
    }

    private TableEntityStore(Uri endpoint, HttpPipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _endpoint = endpoint.AbsoluteUri.TrimEnd('/');
        _pipeline = pipeline;
    }

    public async Task<StoredEntity?> GetAsync(string table, EntityKey key, CancellationToken cancellationToken)
    {
        EntityStoreLimits.ValidateTable(table);
        EntityStoreLimits.ValidateKey(key);

        using var message = Message(RequestMethod.Get, EntityUri(table, key));
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status == 404)
        {
            return null;
        }

        Expect(response, 200);
        using var json = JsonDocument.Parse(response.Content);
        return new StoredEntity(key, TableEntityJson.ReadPayload(json.RootElement), ETagOf(response));
    }

    /// <summary>Table Storage has no read of several keys across partitions: the point reads run side by side, so
    /// the call takes about one round trip (intake's lookups: a long References chain would otherwise wait for
    /// one after another).</summary>
    public async Task<IReadOnlyList<StoredEntity?>> GetManyAsync(string table, IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken)
    {
        EntityStoreLimits.ValidateKeys(table, keys);
        return await Task.WhenAll(keys.Select(key => GetAsync(table, key, cancellationToken))).ConfigureAwait(false);
    }

    public async Task<string> CreateAsync(string table, EntityKey key, string payload, CancellationToken cancellationToken)
    {
        EntityStoreLimits.ValidateTable(table);
        EntityStoreLimits.ValidateKey(key);
        ArgumentNullException.ThrowIfNull(payload);
        var body = TableEntityJson.Write(table, key, payload);

        using var message = await SendCreatingTableAsync(table, () => Write(RequestMethod.Post, TableUri(table), body, ifMatch: null), cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status == 409 && ErrorCode(response) == "EntityAlreadyExists")
        {
            throw new EntityConflictException(table, key, EntityConflictKind.AlreadyExists);
        }

        Expect(response, 204);
        return ETagOf(response);
    }

    public async Task<string> SetAsync(string table, EntityKey key, string payload, CancellationToken cancellationToken)
    {
        EntityStoreLimits.ValidateTable(table);
        EntityStoreLimits.ValidateKey(key);
        ArgumentNullException.ThrowIfNull(payload);
        var body = TableEntityJson.Write(table, key, payload);

        using var message = await SendCreatingTableAsync(table, () => Write(RequestMethod.Put, EntityUri(table, key), body, ifMatch: null), cancellationToken).ConfigureAwait(false);
        Expect(message.Response, 204);
        return ETagOf(message.Response);
    }

    public async Task<string> UpdateAsync(string table, EntityKey key, string payload, string ifMatch, CancellationToken cancellationToken)
    {
        EntityStoreLimits.ValidateTable(table);
        EntityStoreLimits.ValidateKey(key);
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentException.ThrowIfNullOrEmpty(ifMatch);
        var body = TableEntityJson.Write(table, key, payload);

        // No table means no entity: nothing to create.
        using var message = Write(RequestMethod.Put, EntityUri(table, key), body, ifMatch);
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        ThrowOnPreconditionFailure(table, key, response);
        Expect(response, 204);
        return ETagOf(response);
    }

    public async Task DeleteAsync(string table, EntityKey key, string? ifMatch, CancellationToken cancellationToken)
    {
        EntityStoreLimits.ValidateTable(table);
        EntityStoreLimits.ValidateKey(key);

        using var message = Message(RequestMethod.Delete, EntityUri(table, key));
        message.Request.Headers.SetValue(HttpHeader.Names.IfMatch, ifMatch ?? "*");
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status == 404 && ifMatch is null)
        {
            return;
        }

        ThrowOnPreconditionFailure(table, key, response);
        Expect(response, 204);
    }

    public async Task<EntityPage> QueryAsync(
        string table,
        string partitionKey,
        RowKeyRange rowKeys,
        int pageSize,
        string? continuation,
        CancellationToken cancellationToken)
    {
        EntityStoreLimits.ValidateQuery(table, partitionKey, rowKeys, pageSize);
        var (nextPartitionKey, nextRowKey) = continuation is null ? (null, null) : Continuation.Decode(continuation);

        var uri = new RequestUriBuilder();
        uri.Reset(new Uri($"{_endpoint}/{table}()"));
        uri.AppendQuery("$filter", Filter(partitionKey, rowKeys), escapeValue: true);
        uri.AppendQuery("$top", pageSize.ToString(CultureInfo.InvariantCulture), escapeValue: true);
        if (nextPartitionKey is not null)
        {
            uri.AppendQuery("NextPartitionKey", nextPartitionKey, escapeValue: true);
        }

        if (nextRowKey is not null)
        {
            uri.AppendQuery("NextRowKey", nextRowKey, escapeValue: true);
        }

        using var message = Message(RequestMethod.Get, uri.ToUri());
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status == 404 && ErrorCode(response) == "TableNotFound")
        {
            return new EntityPage([], null);
        }

        Expect(response, 200);
        using var json = JsonDocument.Parse(response.Content);
        var entities = new List<StoredEntity>();
        foreach (var entity in json.RootElement.GetProperty("value").EnumerateArray())
        {
            entities.Add(new StoredEntity(
                TableEntityJson.KeyOf(entity),
                TableEntityJson.ReadPayload(entity),
                entity.GetProperty("odata.etag").GetString()!));
        }

        response.Headers.TryGetValue("x-ms-continuation-NextPartitionKey", out var nextPartition);
        response.Headers.TryGetValue("x-ms-continuation-NextRowKey", out var nextRow);
        return new EntityPage(entities, string.IsNullOrEmpty(nextPartition) && string.IsNullOrEmpty(nextRow) ? null : Continuation.Encode(nextPartition, nextRow));
    }

    public async Task<IReadOnlyList<string?>> SubmitAsync(string table, IReadOnlyList<EntityChange> changes, CancellationToken cancellationToken)
    {
        EntityStoreLimits.ValidateTable(table);
        EntityStoreLimits.ValidateSubmit(changes);

        var batchBoundary = "batch_" + Guid.NewGuid().ToString("D");
        var body = TableBatch.Write(batchBoundary, "changeset_" + Guid.NewGuid().ToString("D"), key => key is { } k ? EntityUri(table, k).AbsoluteUri : TableUri(table).AbsoluteUri, table, changes);
        if (body.Length > TableBatch.MaxBodyBytes)
        {
            throw new ArgumentException($"The submit to table '{table}' makes a transaction of {body.Length:N0} bytes, over Table Storage's limit of {TableBatch.MaxBodyBytes:N0} (4 MiB).", nameof(changes));
        }

        HttpMessage BatchMessage()
        {
            var message = Message(RequestMethod.Post, new Uri(_endpoint + "/$batch"));
            message.Request.Headers.SetValue(HttpHeader.Names.ContentType, "multipart/mixed; boundary=" + batchBoundary);
            message.Request.Content = RequestContent.Create(body);
            return message;
        }

        for (var attempt = 0; ; attempt++)
        {
            using var message = BatchMessage();
            await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
            var response = message.Response;
            Expect(response, 202);
            response.Headers.TryGetValue(HttpHeader.Names.ContentType, out var contentType);
            var results = TableBatch.Read(contentType ?? string.Empty, response.Content.ToString());

            var failed = results.FirstOrDefault(r => r.Status >= 300);
            if (failed is null && results.Count == changes.Count)
            {
                return results.Select((r, i) => changes[i].Kind == EntityChangeKind.Delete ? null : r.ETag ?? throw MissingETag(table, changes[i].Key)).ToList();
            }

            if (failed is null)
            {
                throw new RequestFailedException(response.Status, $"The $batch response to {changes.Count} operations holds {results.Count} operation responses.", null, null);
            }

            var (code, text) = ReadError(failed.Body);
            if (failed.Status == 404 && code == "TableNotFound" && attempt == 0)
            {
                await CreateTableAsync(table, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var index = FailedIndex(text, failed.ContentId, changes.Count);
            var kind = (failed.Status, code) switch
            {
                (409, "EntityAlreadyExists") => EntityConflictKind.AlreadyExists,
                (412, _) => EntityConflictKind.ETagMismatch,
                (404, "ResourceNotFound") => EntityConflictKind.NotFound,
                _ => (EntityConflictKind?)null,
            };
            if (kind is null || index is null)
            {
                throw new RequestFailedException(failed.Status, $"Table '{table}' refused the transaction: {text}", code, null);
            }

            throw new EntityConflictException(table, changes[index.Value].Key, kind.Value);
        }
    }

    /// <summary>Creates <paramref name="table"/>; an existing table is not an error.</summary>
    public async Task CreateTableAsync(string table, CancellationToken cancellationToken)
    {
        EntityStoreLimits.ValidateTable(table);
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["TableName"] = table });
        using var message = Write(RequestMethod.Post, new Uri(_endpoint + "/Tables"), body, ifMatch: null);
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status == 409 && ErrorCode(response) == "TableAlreadyExists")
        {
            return;
        }

        Expect(response, 204);
    }

    internal static string Filter(string partitionKey, RowKeyRange rowKeys)
    {
        var filter = new StringBuilder("PartitionKey eq ").Append(Literal(partitionKey));
        if (rowKeys.From is not null)
        {
            filter.Append(" and RowKey ge ").Append(Literal(rowKeys.From));
        }

        if (rowKeys.Before is not null)
        {
            filter.Append(" and RowKey lt ").Append(Literal(rowKeys.Before));
        }

        return filter.ToString();
    }

    /// <summary>The entity's URI: OData key literals (quotes doubled), each percent-encoded.</summary>
    internal Uri EntityUri(string table, EntityKey key) =>
        new($"{_endpoint}/{table}(PartitionKey='{Uri.EscapeDataString(Quote(key.PartitionKey))}',RowKey='{Uri.EscapeDataString(Quote(key.RowKey))}')");

    private static HttpPipeline Pipeline(AzureAdapterOptions options, Func<AzureAdapterOptions, HttpPipelinePolicy> authentication) =>
        options.BuildPipeline(authentication(options));

    private static string Quote(string value) => value.Replace("'", "''", StringComparison.Ordinal);

    private static string Literal(string value) => "'" + Quote(value) + "'";

    private Uri TableUri(string table) => new($"{_endpoint}/{table}");

    private HttpMessage Message(RequestMethod method, Uri uri)
    {
        var message = _pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        request.Uri.Reset(uri);
        request.Headers.SetValue("x-ms-version", ApiVersion);
        request.Headers.SetValue("DataServiceVersion", "3.0");
        request.Headers.SetValue("MaxDataServiceVersion", "3.0;NetFx");
        request.Headers.SetValue(HttpHeader.Names.Accept, JsonMinimalMetadata);
        return message;
    }

    private HttpMessage Write(RequestMethod method, Uri uri, byte[] body, string? ifMatch)
    {
        var message = Message(method, uri);
        message.Request.Headers.SetValue(HttpHeader.Names.ContentType, "application/json");
        message.Request.Headers.SetValue("Prefer", "return-no-content");
        if (ifMatch is not null)
        {
            message.Request.Headers.SetValue(HttpHeader.Names.IfMatch, ifMatch);
        }

        message.Request.Content = RequestContent.Create(body);
        return message;
    }

    private async Task<HttpMessage> SendCreatingTableAsync(string table, Func<HttpMessage> create, CancellationToken cancellationToken)
    {
        var message = create();
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (message.Response.Status == 404 && ErrorCode(message.Response) == "TableNotFound")
        {
            message.Dispose();
            await CreateTableAsync(table, cancellationToken).ConfigureAwait(false);
            message = create();
            await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }

        return message;
    }

    private static void ThrowOnPreconditionFailure(string table, EntityKey key, Response response)
    {
        switch (response.Status)
        {
            case 412:
                throw new EntityConflictException(table, key, EntityConflictKind.ETagMismatch);
            case 404:
                throw new EntityConflictException(table, key, EntityConflictKind.NotFound);
        }
    }

    private static void Expect(Response response, int status)
    {
        if (response.Status != status)
        {
            throw new RequestFailedException(response, null, ErrorParser);
        }
    }

    private static string ETagOf(Response response) =>
        response.Headers.TryGetValue("ETag", out var etag) && !string.IsNullOrEmpty(etag)
            ? etag
            : throw new RequestFailedException(response.Status, "Table Storage answered without an ETag.", null, null);

    private static RequestFailedException MissingETag(string table, EntityKey key) =>
        new(202, $"The $batch response has no ETag for entity {key} of table '{table}'.", null, null);

    private static string? ErrorCode(Response response)
    {
        if (response.Headers.TryGetValue("x-ms-error-code", out var header) && !string.IsNullOrEmpty(header))
        {
            return header;
        }

        return ReadError(response.Content.ToString()).Code;
    }

    /// <summary>The OData error's code and message: <c>{"odata.error":{"code":"...","message":{"value":"..."}}}</c>.</summary>
    internal static (string? Code, string Message) ReadError(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("odata.error", out var error))
            {
                var code = error.TryGetProperty("code", out var c) ? c.GetString() : null;
                var text = error.TryGetProperty("message", out var m)
                    ? m.ValueKind == JsonValueKind.Object && m.TryGetProperty("value", out var v) ? v.GetString() : m.GetString()
                    : null;
                return (code, text ?? body);
            }
        }
        catch (JsonException)
        {
            // Not JSON (an XML error from a proxy, say): the raw text is the best message there is.
        }

        return (null, body);
    }

    /// <summary>The 0-based index of the failed operation: the message's "N:" prefix, else the part's Content-ID (1-based).</summary>
    internal static int? FailedIndex(string message, string? contentId, int count)
    {
        var colon = message.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && int.TryParse(message.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < count)
        {
            return index;
        }

        if (int.TryParse(contentId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id >= 1 && id <= count)
        {
            return id - 1;
        }

        return count == 1 ? 0 : null;
    }

    /// <summary>The port's opaque continuation: base64url of the JSON pair of Table Storage's two tokens.</summary>
    internal static class Continuation
    {
        public static string Encode(string? nextPartitionKey, string? nextRowKey) =>
            Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new[] { nextPartitionKey, nextRowKey }));

        public static (string? NextPartitionKey, string? NextRowKey) Decode(string continuation)
        {
            try
            {
                var pair = JsonSerializer.Deserialize<string?[]>(Base64Url.DecodeFromChars(continuation));
                if (pair is { Length: 2 } && (pair[0] is not null || pair[1] is not null))
                {
                    return (pair[0], pair[1]);
                }
            }
            catch (Exception e) when (e is FormatException or JsonException)
            {
                // Falls through to the ArgumentException below.
            }

            throw new ArgumentException("Not a continuation returned by this store.", nameof(continuation));
        }
    }

    /// <summary>Reads Table Storage's OData error body into RequestFailedException's ErrorCode and message.</summary>
    private sealed class TableErrorParser : RequestFailedDetailsParser
    {
        public override bool TryParse(Response response, out ResponseError? error, out IDictionary<string, string>? data)
        {
            data = null;
            var (code, message) = ReadError(response.Content?.ToString() ?? string.Empty);
            if (response.Headers.TryGetValue("x-ms-error-code", out var header) && !string.IsNullOrEmpty(header))
            {
                code = header;
            }

            error = new ResponseError(code, message);
            return true;
        }
    }
}
