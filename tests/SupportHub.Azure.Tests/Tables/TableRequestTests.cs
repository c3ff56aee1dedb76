using System.Net;
using Azure;
using NodaTime;
using SupportHub.Azure.Tables;
using SupportHub.Storage;

namespace SupportHub.Azure.Tests.Tables;

// The requests themselves, against hand-written exchanges: what Azurite cannot show (Entra ID
// tokens over https, the signature's exact value, error bodies it never produces).
public sealed class TableRequestTests
{
    private static readonly Instant Now = Instant.FromUtc(2026, 11, 22, 10, 0);
    private static readonly EntityKey Awkward = new("o'b", "a b");

    [Fact]
    public async Task Get_SharedKey_SignsTheDateAndPathStyleResource()
    {
        var stub = new StubHandler().Answer(HttpStatusCode.NotFound, """{"odata.error":{"code":"ResourceNotFound","message":{"lang":"en-US","value":"The specified resource does not exist."}}}""");
        var store = new TableEntityStore(new Uri("http://127.0.0.1:10002/devstoreaccount1"), new AzureNamedKeyCredential(Azurite.Account, Azurite.Key), stub.Options(Now));

        Assert.Null(await store.GetAsync("tickets", Awkward, CancellationToken.None));

        // Hand-computed with Python's hmac over
        // "Sun, 22 Nov 2026 10:00:00 GMT\n/devstoreaccount1/devstoreaccount1/tickets(PartitionKey='o%27%27b',RowKey='a%20b')".
        var request = Assert.Single(stub.Requests);
        Assert.Equal("http://127.0.0.1:10002/devstoreaccount1/tickets(PartitionKey='o%27%27b',RowKey='a%20b')", request.Uri.AbsoluteUri);
        Assert.Equal("Sun, 22 Nov 2026 10:00:00 GMT", request.Headers["x-ms-date"]);
        Assert.Equal("SharedKeyLite devstoreaccount1:2riG49Di0ZHawsMSMJxuOcSCYqhFz4RgJiF7VH4ozvU=", request.Headers["Authorization"]);
        Assert.Equal(TableEntityStore.ApiVersion, request.Headers["x-ms-version"]);
        Assert.Equal("application/json;odata=minimalmetadata", request.Headers["Accept"].Replace(" ", string.Empty, StringComparison.Ordinal));
        Assert.Equal("3.0", request.Headers["DataServiceVersion"]);
    }

    [Fact]
    public async Task Set_TokenCredential_SendsBearerTokenForStorageScope()
    {
        var stub = new StubHandler().Answer(HttpStatusCode.NoContent, headers: ("ETag", "W/\"datetime'2026-11-22T10%3A00%3A00.0000000Z'\""));
        var credential = new FixedTokenCredential("token-1");
        var store = new TableEntityStore(new Uri("https://acct.table.core.windows.net/"), credential, stub.Options(Now));

        var etag = await store.SetAsync("tickets", new EntityKey("p", "r"), "{\"v\":1}", CancellationToken.None);

        Assert.Equal("W/\"datetime'2026-11-22T10%3A00%3A00.0000000Z'\"", etag);
        var request = Assert.Single(stub.Requests);
        Assert.Equal(("PUT", "https://acct.table.core.windows.net/tickets(PartitionKey='p',RowKey='r')"), (request.Method, request.Uri.AbsoluteUri));
        Assert.Equal("Bearer token-1", request.Headers["Authorization"]);
        Assert.False(request.Headers.ContainsKey("If-Match"));
        Assert.Equal("""{"PartitionKey":"p","RowKey":"r","Payload":"{\u0022v\u0022:1}"}""", request.Text);
        Assert.Equal([TableEntityStore.Scope], Assert.Single(credential.Scopes));
    }

    [Fact]
    public async Task Create_TableNotFound_CreatesTableThenInsertsAgain()
    {
        var stub = new StubHandler()
            .Answer(HttpStatusCode.NotFound, """{"odata.error":{"code":"TableNotFound","message":{"value":"The table specified does not exist."}}}""")
            .Answer(HttpStatusCode.NoContent)
            .Answer(HttpStatusCode.NoContent, headers: ("ETag", "W/\"1\""));
        var store = new TableEntityStore(new Uri("https://acct.table.core.windows.net"), new FixedTokenCredential("t"), stub.Options(Now));

        Assert.Equal("W/\"1\"", await store.CreateAsync("tickets", new EntityKey("p", "r"), "{}", CancellationToken.None));

        Assert.Equal(
            ["POST https://acct.table.core.windows.net/tickets", "POST https://acct.table.core.windows.net/Tables", "POST https://acct.table.core.windows.net/tickets"],
            stub.Requests.Select(r => $"{r.Method} {r.Uri.AbsoluteUri}"));
        Assert.Equal("""{"TableName":"tickets"}""", stub.Requests[1].Text);
    }

    [Fact]
    public async Task Set_ServerError_ThrowsRequestFailedExceptionWithODataCode()
    {
        var stub = new StubHandler().Answer(HttpStatusCode.Forbidden, """{"odata.error":{"code":"AuthorizationPermissionMismatch","message":{"lang":"en-US","value":"This request is not authorized to perform this operation using this permission."}}}""");
        var store = new TableEntityStore(new Uri("https://acct.table.core.windows.net"), new FixedTokenCredential("t"), stub.Options(Now));

        var failure = await Assert.ThrowsAsync<RequestFailedException>(() => store.SetAsync("tickets", new EntityKey("p", "r"), "{}", CancellationToken.None));

        Assert.Equal((403, "AuthorizationPermissionMismatch"), (failure.Status, failure.ErrorCode));
        Assert.Contains("not authorized", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_ErrorResponseNamesSecondOperation_ThrowsConflictForThatKey()
    {
        // The shape of the documented error response: one changeset response holding the failing
        // operation's answer, its OData message prefixed with the operation's 0-based index.
        const string body = "--batchresponse_7a\r\n"
            + "Content-Type: multipart/mixed; boundary=changesetresponse_3d\r\n\r\n"
            + "--changesetresponse_3d\r\n"
            + "Content-Type: application/http\r\n"
            + "Content-Transfer-Encoding: binary\r\n\r\n"
            + "HTTP/1.1 409 Conflict\r\n"
            + "Content-ID: 2\r\n"
            + "Content-Type: application/json;odata=minimalmetadata;charset=utf-8\r\n\r\n"
            + "{\"odata.error\":{\"code\":\"EntityAlreadyExists\",\"message\":{\"lang\":\"en-US\",\"value\":\"1:The specified entity already exists.\\nRequestId:5c2e\"}}}\r\n"
            + "--changesetresponse_3d--\r\n"
            + "--batchresponse_7a--\r\n";
        var stub = new StubHandler().Answer(HttpStatusCode.Accepted, body, "multipart/mixed; boundary=batchresponse_7a");
        var store = new TableEntityStore(new Uri("https://acct.table.core.windows.net"), new FixedTokenCredential("t"), stub.Options(Now));

        var conflict = await Assert.ThrowsAsync<EntityConflictException>(() => store.SubmitAsync(
            "tickets",
            [EntityChange.Set(new("p", "a"), "{}"), EntityChange.Create(new("p", "b"), "{}")],
            CancellationToken.None));

        Assert.Equal((EntityConflictKind.AlreadyExists, new EntityKey("p", "b")), (conflict.Kind, conflict.Key));
        var sent = stub.Requests.Single().Text;
        Assert.Contains("PUT https://acct.table.core.windows.net/tickets(PartitionKey='p',RowKey='a') HTTP/1.1\r\n", sent, StringComparison.Ordinal);
        Assert.Contains("POST https://acct.table.core.windows.net/tickets HTTP/1.1\r\n", sent, StringComparison.Ordinal);
    }

    [Fact]
    public void Filter_RangeWithQuotes_DoublesQuotesInLiterals()
    {
        Assert.Equal(
            "PartitionKey eq 'o''b' and RowKey ge 'it''s' and RowKey lt 'it''t'",
            TableEntityStore.Filter("o'b", RowKeyRange.Prefix("it's")));
    }

    [Fact]
    public void Split_LongPayload_NeverCutsASurrogatePair()
    {
        var payload = new string('a', TableEntityJson.PartLength - 1) + "\U0001F600" + "tail";

        var parts = TableEntityJson.Split(payload);

        Assert.Equal([TableEntityJson.PartLength - 1, 6], parts.Select(p => p.Length));
        Assert.Equal(payload, string.Concat(parts));
    }
}
