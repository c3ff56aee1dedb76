using SupportHub.Embedded;
using SupportHub.Storage;
using SupportHub.Testing;
using SupportHub.Testing.Storage;

namespace SupportHub.Functions.Tests.Embedded;

public sealed class SqliteMessageQueueTests : MessageQueueContract
{
    private readonly TemporaryDirectory _folder = new();
    private SqliteDatabase? _database;

    protected override Task<IMessageQueue> OpenAsync(FakeClock clock, MessageQueueOptions options)
    {
        _database = SqliteDatabase.InFolder(_folder.Path);
        return Task.FromResult<IMessageQueue>(new SqliteMessageQueue(_database, clock, options));
    }

    // A restarted process: every connection to the file closed, then the file opened anew.
    protected override Task<IMessageQueue> ReopenAsync(IMessageQueue queue, FakeClock clock, MessageQueueOptions options)
    {
        _database!.Dispose();
        return OpenAsync(clock, options);
    }

    protected override Task AfterQueueClosedAsync()
    {
        _database?.Dispose();
        _folder.Dispose();
        return Task.CompletedTask;
    }
}
