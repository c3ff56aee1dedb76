using SupportHub.Storage;
using SupportHub.Testing;
using SupportHub.Testing.Storage;
using SupportHub.Storage.InMemory;

namespace SupportHub.Core.Tests.Storage.InMemory;

public sealed class InMemoryMessageQueueTests : MessageQueueContract
{
    protected override Task<IMessageQueue> OpenAsync(FakeClock clock, MessageQueueOptions options) =>
        Task.FromResult<IMessageQueue>(new InMemoryMessageQueue(clock, options));

    // Nothing durable to reopen: the state lives as long as the instance, which is what simulate needs.
    protected override Task<IMessageQueue> ReopenAsync(IMessageQueue queue, FakeClock clock, MessageQueueOptions options) =>
        Task.FromResult(queue);
}
