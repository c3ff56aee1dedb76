using SupportHub.Testing.Workflows;
using SupportHub.Workflows;
using SupportHub.Workflows.InMemory;

namespace SupportHub.Core.Tests.Workflows.InMemory;

public sealed class InMemoryEntityStoreTests : EntityStoreContract
{
    protected override Task<IEntityStore> CreateStoreAsync() => Task.FromResult<IEntityStore>(new InMemoryEntityStore());
}
