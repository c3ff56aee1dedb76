using SupportHub.Functions.Embedded;
using SupportHub.Intake;
using SupportHub.Testing;
using SupportHub.Testing.Workflows;
using SupportHub.Workflows;

namespace SupportHub.Functions.Tests.Embedded;

public sealed class SqliteIntakeRecorderTests : IntakeRecorderContract
{
    private readonly TemporaryDirectory _folder = new();
    private SqliteDatabase? _database;

    protected override Task<(IIntakeRecorder Recorder, IEntityStore Store, IMessageQueue Queue)> OpenAsync(FakeClock clock)
    {
        _database = SqliteDatabase.InFolder(_folder.Path);
        var store = new SqliteEntityStore(_database);
        var queue = new SqliteMessageQueue(_database, clock, MessageQueueOptions.Default);
        var recorder = SqliteIntakeRecorder.For(store, queue);
        Assert.IsType<SqliteIntakeRecorder>(recorder);
        return Task.FromResult<(IIntakeRecorder, IEntityStore, IMessageQueue)>((recorder, store, queue));
    }

    [Fact]
    public void For_StoreAndQueueInDifferentFiles_WritesOneAfterAnother()
    {
        using var other = new TemporaryDirectory();
        using var otherDatabase = SqliteDatabase.InFolder(other.Path);
        var recorder = SqliteIntakeRecorder.For(new SqliteEntityStore(otherDatabase), new SqliteMessageQueue(_database!, Clock, MessageQueueOptions.Default));

        Assert.IsType<SequentialIntakeRecorder>(recorder);
    }

    public override Task DisposeAsync()
    {
        _database?.Dispose();
        _folder.Dispose();
        return Task.CompletedTask;
    }
}
