using System.Net;
using Billing.Application.Usage;
using Billing.Cosmos.Documents;
using Billing.Cosmos.Tests.Support;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Microsoft.Azure.Cosmos;

namespace Billing.Cosmos.Tests.Usage;

/// <summary>
/// <c>record-usage.js</c> and <see cref="Billing.Cosmos.Usage.CosmosUsageLedger"/> when another instance's record commits
/// between the procedure's reads and its writes (the local server's planned concurrent writes): the write is refused
/// (ETag, or the create's 409), the execution rolls back as a write conflict, and the ledger runs it again on what the
/// other instance left, so no count is lost, none passes the hard limit, and a key is counted once.
/// </summary>
public sealed class UsageWriteConflictTests(ConcurrentWriterServer server) : IClassFixture<ConcurrentWriterServer>
{
    private static readonly MeterName AgentRuns = MeterName.Parse("agent_runs");
    private static readonly UsagePeriod November = UsagePeriod.CalendarMonth(new DateTimeOffset(2026, 11, 15, 0, 0, 0, TimeSpan.Zero));

    private readonly IUsageLedger _ledger = server.Get<IUsageLedger>();

    [Fact]
    public async Task A_count_another_instance_adds_between_the_read_and_the_replace_is_kept_beside_this_one()
    {
        var account = Ids.NewAccount();
        await RecordAsync(account, "first", 3, limit: null);
        await OtherInstanceDuringNextCountAsync(account, () => RecordAsync(account, "other", 4, limit: null));

        var result = await RecordAsync(account, "this", 2, limit: null);

        Assert.Equal((UsageRecordStatus.Counted, 9L), (result.Status, result.Count!.Counter));
        Assert.Equal(9, await UsedAsync(account));
    }

    [Fact]
    public async Task A_count_that_another_instance_takes_to_the_hard_limit_meanwhile_is_refused()
    {
        var account = Ids.NewAccount();
        await RecordAsync(account, "first", 3, limit: 10);
        await OtherInstanceDuringNextCountAsync(account, () => RecordAsync(account, "other", 6, limit: 10));

        var result = await RecordAsync(account, "this", 2, limit: 10);

        Assert.Equal((UsageRecordStatus.Refused, 9L), (result.Status, result.Count!.Counter));
        Assert.Equal(9, await UsedAsync(account));
        Assert.Null(await _ledger.GetKeyAsync(account, "this", CancellationToken.None));
    }

    [Fact]
    public async Task A_key_another_instance_counts_meanwhile_is_counted_once_and_answered_as_its_duplicate()
    {
        var account = Ids.NewAccount();
        await RecordAsync(account, "first", 1, limit: null);
        await OtherInstanceDuringNextCountAsync(account, () => RecordAsync(account, "retried", 2, limit: null), "retried");

        var result = await RecordAsync(account, "retried", 2, limit: null);

        Assert.Equal(UsageRecordStatus.Duplicate, result.Status);
        Assert.Equal(3, (await _ledger.GetKeyAsync(account, "retried", CancellationToken.None))!.Counted!.Used);
        Assert.Equal(3, await UsedAsync(account));
    }

    [Fact]
    public async Task The_first_record_of_a_period_racing_another_instances_first_record_counts_both()
    {
        var account = Ids.NewAccount();
        await OtherInstanceDuringNextCountAsync(account, () => RecordAsync(account, "other", 4, limit: null), "other");

        var result = await RecordAsync(account, "this", 2, limit: null);

        Assert.Equal((UsageRecordStatus.Counted, 6L), (result.Status, result.Count!.Counter));
        Assert.Equal(6, await UsedAsync(account));
    }

    [Fact]
    public async Task A_record_whose_time_runs_out_before_its_key_is_written_counts_nothing_and_says_so()
    {
        // Not counted (503 busy; a batch goes on with its other records), not a raw 400 that may have been applied (500).
        var account = Ids.NewAccount();
        await RecordAsync(account, "first", 1, limit: null);
        await server.EndTimeBeforeNextWriteAsync(account.Value, DocumentIds.UsageKey(account, "late"));

        var error = await Assert.ThrowsAsync<UsageNotCountedException>(() => RecordAsync(account, "late", 2, limit: null));

        var aborted = Assert.IsType<CosmosException>(error.InnerException?.InnerException);
        Assert.Equal(HttpStatusCode.BadRequest, aborted.StatusCode);
        Assert.Contains("not accepted", aborted.Message, StringComparison.Ordinal);
        Assert.Equal(1, await UsedAsync(account));
        Assert.Null(await _ledger.GetKeyAsync(account, "late", CancellationToken.None));
    }

    /// <summary>The other instance's record (its counters, and the keys named) commits just before this one's next write of the counters.</summary>
    private Task OtherInstanceDuringNextCountAsync(AccountId account, Func<Task> record, params string[] keys) =>
        server.ReplayDuringNextWriteAsync(
            account.Value,
            DocumentIds.Usage(account, November.Key),
            [DocumentIds.Usage(account, November.Key), .. keys.Select(k => DocumentIds.UsageKey(account, k))],
            record);

    private Task<UsageRecordResult> RecordAsync(AccountId account, string key, long amount, long? limit) =>
        _ledger.RecordAsync(
            UsageRecord.Of(
                new UsageConsumption(account, November, AgentRuns, amount, limit, PlanCode.Parse("FREE"), null),
                key,
                occurredAt: November.Start.AddMinutes(1),
                recordedAt: November.Start.AddMinutes(2),
                TimeSpan.FromDays(45),
                accountVersion: null),
            CancellationToken.None);

    private async Task<long> UsedAsync(AccountId account) =>
        (await _ledger.GetAsync(account, November.Key, CancellationToken.None))!.Used(AgentRuns);
}
