using NodaTime;
using SupportHub.Core.Tests.Tickets;
using SupportHub.Intake;
using SupportHub.Tickets;
using SupportHub.Workflows;
using SupportHub.Workflows.InMemory;

namespace SupportHub.Core.Tests.Intake;

// Ticket references come from the stored counter a block at a time; the next block is reserved
// while half of the current one is left, so under load no request waits for the counter's write.
public sealed class TicketReferenceTests
{
    private static readonly Instant At = Instant.FromUtc(2026, 11, 23, 15, 0);
    private static readonly EntityKey CounterKey = new("tickets", "next");
    private readonly TicketHarness _harness = new();
    private readonly GatedStore _store = new();

    [Fact]
    public async Task Accept_OneAfterAnother_ReferencesRunOnWithoutGaps()
    {
        var intake = new TicketIntake(_store, _harness.Policy);

        var references = await AcceptAllAsync(intake, 0, 200);

        Assert.Equal(Enumerable.Range(TicketIntake.FirstReference, 200).Select(r => r.ToString(System.Globalization.CultureInfo.InvariantCulture)), references);
        // Four blocks of 64 reserved for 200 tickets: one counter write per block, not per ticket.
        Assert.Equal(TicketIntake.FirstReference + 4 * TicketIntake.ReferenceBlock, await CounterAsync());
    }

    [Fact]
    public async Task Accept_HalfABlockLeft_TheNextBlockIsReservedBeforeItRunsOut()
    {
        var intake = new TicketIntake(_store, _harness.Policy);
        _store.HoldCounterUpdates();

        // The first block is created (not held); its 33rd ticket leaves 31 and starts the next block's
        // reservation, which the store holds: the rest of the block is handed out meanwhile.
        await AcceptAllAsync(intake, 0, TicketIntake.ReferenceBlock);
        Assert.Equal(1, _store.UpdatesStarted);

        var next = intake.AcceptAsync(Chat(TicketIntake.ReferenceBlock), CancellationToken.None);
        Assert.False(next.IsCompleted);
        _store.ReleaseCounterUpdates();
        Assert.Equal("1065", (await next.WaitAsync(TimeSpan.FromSeconds(10))).Ticket);
    }

    [Fact]
    public async Task Accept_RunningOutBeforeTheReservationIsBack_TheNextBlockIsLarger()
    {
        var intake = new TicketIntake(_store, _harness.Policy);
        _store.HoldCounterUpdates();
        await AcceptAllAsync(intake, 0, TicketIntake.ReferenceBlock);

        // Ticket 65 has to wait for the held reservation: requests outran it.
        var waiting = intake.AcceptAsync(Chat(TicketIntake.ReferenceBlock), CancellationToken.None);
        await Task.Delay(50);
        _store.ReleaseCounterUpdates();
        Assert.Equal("1065", (await waiting.WaitAsync(TimeSpan.FromSeconds(10))).Ticket);
        await AcceptAllAsync(intake, TicketIntake.ReferenceBlock + 1, TicketIntake.ReferenceBlock - 1);

        // The block reserved after that (from 1129) holds 128 references.
        Assert.Equal(1129 + 2 * TicketIntake.ReferenceBlock, await CounterAsync());
    }

    [Fact]
    public async Task Accept_TheReservationAheadFailed_TheRequestThatNeedsItReservesAgain()
    {
        var intake = new TicketIntake(_store, _harness.Policy);
        _store.FailNextCounterUpdate();

        var references = await AcceptAllAsync(intake, 0, 70);

        Assert.Equal(2, _store.UpdatesStarted);
        Assert.Equal(Enumerable.Range(TicketIntake.FirstReference, 70).Select(r => r.ToString(System.Globalization.CultureInfo.InvariantCulture)), references);
    }

    [Fact]
    public async Task Accept_ManyAtOnce_EveryReferenceIsDistinct()
    {
        var intake = new TicketIntake(_store, _harness.Policy);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 2000).Select(i => Task.Run(() => intake.AcceptAsync(Chat(i), CancellationToken.None))));

        Assert.Equal(2000, outcomes.Select(o => o.Ticket).Distinct(StringComparer.Ordinal).Count());
        var counter = await CounterAsync();
        Assert.All(outcomes, o => Assert.InRange(int.Parse(o.Ticket, System.Globalization.CultureInfo.InvariantCulture), TicketIntake.FirstReference, counter - 1));
    }

    // One after another, each within 10 s (a request stuck on a held reservation fails the test).
    private static async Task<List<string>> AcceptAllAsync(TicketIntake intake, int from, int count)
    {
        var references = new List<string>(count);
        for (var i = from; i < from + count; i++)
        {
            references.Add((await intake.AcceptAsync(Chat(i), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10))).Ticket);
        }
        return references;
    }

    private async Task<int> CounterAsync() =>
        (int)System.Text.Json.Nodes.JsonNode.Parse((await _store.GetAsync(TicketIntake.CounterTable, CounterKey, CancellationToken.None))!.Payload)!["next"]!;

    private static InboundMessage Chat(int i) =>
        new(IntakeChannel.Chat, $"m{i}", At, new Requester($"Requester {i}", $"r{i}@acme.gov", null), "", $"Problem {i}", ConversationId: $"c{i}");

    /// <summary>An in-memory store whose updates of the ticket counter can be held or fail once.</summary>
    private sealed class GatedStore : IEntityStore
    {
        private readonly InMemoryEntityStore _inner = new();
        private TaskCompletionSource _gate = Open();
        private int _failNext;
        private int _updatesStarted;

        public int UpdatesStarted => Volatile.Read(ref _updatesStarted);

        public void HoldCounterUpdates() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void ReleaseCounterUpdates() => _gate.TrySetResult();

        public void FailNextCounterUpdate() => _failNext = 1;

        private static TaskCompletionSource Open()
        {
            var open = new TaskCompletionSource();
            open.SetResult();
            return open;
        }

        public async Task<string> UpdateAsync(string table, EntityKey key, string payload, string ifMatch, CancellationToken cancellationToken)
        {
            if (table == TicketIntake.CounterTable)
            {
                Interlocked.Increment(ref _updatesStarted);
                await _gate.Task;
                if (Interlocked.Exchange(ref _failNext, 0) == 1)
                {
                    throw new IOException("The store is away.");
                }
            }
            return await _inner.UpdateAsync(table, key, payload, ifMatch, cancellationToken);
        }

        public Task<StoredEntity?> GetAsync(string table, EntityKey key, CancellationToken cancellationToken) => _inner.GetAsync(table, key, cancellationToken);

        public Task<string> CreateAsync(string table, EntityKey key, string payload, CancellationToken cancellationToken) => _inner.CreateAsync(table, key, payload, cancellationToken);

        public Task<string> SetAsync(string table, EntityKey key, string payload, CancellationToken cancellationToken) => _inner.SetAsync(table, key, payload, cancellationToken);

        public Task DeleteAsync(string table, EntityKey key, string? ifMatch, CancellationToken cancellationToken) => _inner.DeleteAsync(table, key, ifMatch, cancellationToken);

        public Task<EntityPage> QueryAsync(string table, string partitionKey, RowKeyRange rowKeys, int pageSize, string? continuation, CancellationToken cancellationToken) =>
            _inner.QueryAsync(table, partitionKey, rowKeys, pageSize, continuation, cancellationToken);

        public Task<IReadOnlyList<string?>> SubmitAsync(string table, IReadOnlyList<EntityChange> changes, CancellationToken cancellationToken) =>
            _inner.SubmitAsync(table, changes, cancellationToken);
    }
}
