using SupportHub.Storage;
using SupportHub.Testing.Storage;
using SupportHub.Storage.InMemory;

namespace SupportHub.Core.Tests.Storage.InMemory;

public sealed class InMemoryEntityStoreTests : EntityStoreContract
{
    protected override Task<IEntityStore> CreateStoreAsync() => Task.FromResult<IEntityStore>(new InMemoryEntityStore());
}
