using SupportHub.Azure.Tables;
using SupportHub.Storage;
using SupportHub.Testing.Storage;

namespace SupportHub.Azure.Tests.Tables;

// The shared store contract against Azurite, plus what only the Tables adapter has to get right:
// payloads split across properties, keys that need escaping in URLs and filters.
[Collection(AzuriteCollection.Name)]
public sealed class TableEntityStoreTests(Azurite azurite) : EntityStoreContract
{
    private static CancellationToken None => CancellationToken.None;

    protected override Task<IEntityStore> CreateStoreAsync() => Task.FromResult<IEntityStore>(azurite.CreateStore());

    [Fact]
    public async Task Set_PayloadOverOneStringProperty_IsSplitAndReadBackWhole()
    {
        // Surrogate pairs straddle the 32,000-character cut points (a cut between the halves would
        // corrupt them), and multi-byte characters straddle the network reads of the large body.
        var payload = "{\"text\":\"" + string.Concat(Enumerable.Repeat("x\U0001F600支払い", 20_000)) + "\"}";
        Assert.True(payload.Length > 3 * TableEntityJson.PartLength);

        var etag = await Store.SetAsync(Table, new EntityKey("p1", "big"), payload, None);

        var read = await Store.GetAsync(Table, new EntityKey("p1", "big"), None);
        Assert.Equal((payload, etag), (read!.Payload, read.ETag));
        var page = await Store.QueryAsync(Table, "p1", RowKeyRange.All, 10, null, None);
        Assert.Equal(payload, Assert.Single(page.Entities).Payload);
    }

    [Fact]
    public async Task Update_SplitPayloadWithShortOne_LeavesNoOldParts()
    {
        var key = new EntityKey("p1", "state");
        var etag = await Store.SetAsync(Table, key, new string('a', 100_000), None);

        await Store.UpdateAsync(Table, key, "{\"v\":2}", etag, None);

        Assert.Equal("{\"v\":2}", (await Store.GetAsync(Table, key, None))!.Payload);
    }

    [Fact]
    public async Task Submit_SplitPayloads_AreWrittenAndReadBack()
    {
        var big = new string('b', 70_000);
        await Store.SubmitAsync(Table, [EntityChange.Create(new("p1", "a"), big), EntityChange.Set(new("p1", "b"), "{}")], None);

        Assert.Equal(big, (await Store.GetAsync(Table, new EntityKey("p1", "a"), None))!.Payload);
    }

    [Fact]
    public async Task Set_PayloadOverOneMebibyte_ThrowsArgumentExceptionAndWritesNothing()
    {
        var payload = new string('z', 530_000);

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => Store.SetAsync(Table, new EntityKey("p1", "huge"), payload, None));

        Assert.Contains("1 MiB", refused.Message, StringComparison.Ordinal);
        Assert.Null(await Store.GetAsync(Table, new EntityKey("p1", "huge"), None));
    }

    [Theory]
    [InlineData("o'brien")]
    [InlineData("''")]
    [InlineData("a b+c&d=e;f,g")]
    [InlineData("100%25 sure")]
    [InlineData("Zahlung ü 支払い 😀")]
    [InlineData("(PartitionKey='x')")]
    public async Task Write_KeysNeedingEscapes_RoundTripThroughEveryOperation(string awkward)
    {
        var key = new EntityKey(awkward, awkward);

        var created = await Store.CreateAsync(Table, key, "{\"v\":1}", None);
        var updated = await Store.UpdateAsync(Table, key, "{\"v\":2}", created, None);
        var read = await Store.GetAsync(Table, key, None);
        var page = await Store.QueryAsync(Table, awkward, RowKeyRange.Prefix(awkward), 10, null, None);
        await Store.SubmitAsync(Table, [EntityChange.Update(key, "{\"v\":3}", updated)], None);
        await Store.DeleteAsync(Table, key, (await Store.GetAsync(Table, key, None))!.ETag, None);

        Assert.Equal(("{\"v\":2}", updated), (read!.Payload, read.ETag));
        Assert.Equal(key, Assert.Single(page.Entities).Key);
        Assert.Null(await Store.GetAsync(Table, key, None));
    }

    [Fact]
    public async Task Query_ContinuationNotFromThisStore_ThrowsArgumentException()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.QueryAsync(Table, "p1", RowKeyRange.All, 10, "not-a-token!", None));
    }
}
