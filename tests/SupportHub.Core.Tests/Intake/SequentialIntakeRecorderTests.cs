using SupportHub.Intake;
using SupportHub.Storage;
using SupportHub.Testing;
using SupportHub.Testing.Intake;
using SupportHub.Storage.InMemory;

namespace SupportHub.Core.Tests.Intake;

public sealed class SequentialIntakeRecorderTests : IntakeRecorderContract
{
    protected override Task<(IIntakeRecorder Recorder, IEntityStore Store, IMessageQueue Queue)> OpenAsync(FakeClock clock)
    {
        var store = new InMemoryEntityStore();
        var queue = new InMemoryMessageQueue(clock);
        return Task.FromResult<(IIntakeRecorder, IEntityStore, IMessageQueue)>((new SequentialIntakeRecorder(store, queue), store, queue));
    }
}
