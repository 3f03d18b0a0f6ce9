using System.Net;
using Billing.Application;
using Billing.Application.Usage;
using Billing.Cosmos.Documents;
using Billing.Cosmos.Tests.Support;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Microsoft.Azure.Cosmos;

namespace Billing.Cosmos.Tests.Usage;

/// <summary>
/// <c>allocate.js</c> and <see cref="Billing.Cosmos.Usage.CosmosAllocationLedger"/> when another instance's take commits
/// between the procedure's reads and its writes (the local server's planned concurrent writes): the write is refused
/// (ETag, or the counter create's 409), the execution rolls back as a write conflict, and the ledger runs it again on
/// what the other instance left, so the counter stays equal to the units held and never passes the limit.
/// </summary>
public sealed class AllocationWriteConflictTests(ConcurrentWriterServer server) : IClassFixture<ConcurrentWriterServer>
{
    private static readonly MeterName Projects = MeterName.Parse("projects");

    private readonly IAllocationLedger _ledger = server.Get<IAllocationLedger>();

    [Fact]
    public async Task A_take_that_another_instance_takes_to_the_limit_meanwhile_is_refused()
    {
        var account = Ids.NewAccount();
        await TakeAsync(account, "p0", limit: 2);
        await OtherInstanceBeforeNextWriteOfAsync(account, Counter(account), () => TakeAsync(account, "p1", limit: 2), "p1");

        var change = await TakeAsync(account, "p2", limit: 2);

        Assert.Equal(new AllocationChange(AllocationChangeKind.LimitReached, 2), change);
        Assert.Equal(2, await HeldAsync(account));
        Assert.Null(await UnitAsync(account, "p2"));
    }

    [Fact]
    public async Task A_first_take_racing_another_instances_first_take_is_refused_at_a_limit_of_one()
    {
        var account = Ids.NewAccount();
        await OtherInstanceBeforeNextWriteOfAsync(account, Counter(account), () => TakeAsync(account, "p1", limit: 1), "p1");

        var change = await TakeAsync(account, "p2", limit: 1);

        Assert.Equal(new AllocationChange(AllocationChangeKind.LimitReached, 1), change);
        Assert.Equal(1, await HeldAsync(account));
        Assert.Null(await UnitAsync(account, "p2"));
    }

    [Fact]
    public async Task A_release_racing_another_instances_take_keeps_its_unit_counted()
    {
        var account = Ids.NewAccount();
        await TakeAsync(account, "p0", limit: null);
        await OtherInstanceBeforeNextWriteOfAsync(account, Counter(account), () => TakeAsync(account, "p1", limit: null), "p1");

        var change = await ReleaseAsync(account, "p0");

        Assert.Equal(new AllocationChange(AllocationChangeKind.Released, 1), change);
        Assert.Equal(1, await HeldAsync(account));
        Assert.Null(await UnitAsync(account, "p0"));
    }

    [Fact]
    public async Task A_release_of_a_pending_unit_that_another_instance_takes_meanwhile_releases_the_unit_it_counted()
    {
        // A pending unit may or may not be counted: here it was (held 1). The other instance's take counts it afresh (2);
        // this release, run again on the unit no longer pending, must take its count off.
        var account = Ids.NewAccount();
        await TakeThenLeavePendingAsync(account, "p0");
        await OtherInstanceBeforeNextWriteOfAsync(account, Unit(account, "p0"), () => TakeAsync(account, "p0", limit: null), "p0");

        var change = await ReleaseAsync(account, "p0");

        Assert.Equal(new AllocationChange(AllocationChangeKind.Released, 1), change);
        Assert.Equal(1, await HeldAsync(account));
        Assert.Null(await UnitAsync(account, "p0"));
    }

    [Fact]
    public async Task A_take_of_a_pending_unit_that_another_instance_releases_meanwhile_takes_it_afresh()
    {
        // Counted here (held 1): the other instance's release deletes it without a decrement (the counter errs high, never
        // low); this take's replace finds it gone and, run again, takes the unit afresh and counts it.
        var account = Ids.NewAccount();
        await TakeThenLeavePendingAsync(account, "p0");
        await OtherInstanceBeforeNextWriteOfAsync(account, Unit(account, "p0"), () => ReleaseAsync(account, "p0"), "p0");

        var change = await TakeAsync(account, "p0", limit: null);

        Assert.Equal(new AllocationChange(AllocationChangeKind.Taken, 2), change);
        Assert.Equal(2, await HeldAsync(account));
        Assert.False((bool)(await UnitAsync(account, "p0"))!["pending"]!);
    }

    [Fact]
    public async Task A_take_whose_time_runs_out_before_its_count_changes_nothing_and_says_so()
    {
        // Refused as not done (503 unavailable, retry safe), not a raw 400 that may have been applied (500).
        var account = Ids.NewAccount();
        await TakeAsync(account, "p0", limit: null);
        await server.EndTimeBeforeNextWriteAsync(account.Value, Counter(account));

        var error = await Assert.ThrowsAsync<ServiceUnavailableException>(() => TakeAsync(account, "p1", limit: null));

        Assert.False(error.MayHaveBeenDone);
        var aborted = Assert.IsType<CosmosException>(error.InnerException);
        Assert.Equal(HttpStatusCode.BadRequest, aborted.StatusCode);
        Assert.Contains("not accepted", aborted.Message, StringComparison.Ordinal);
        Assert.Equal(1, await HeldAsync(account));
        Assert.Null(await UnitAsync(account, "p1"));
    }

    /// <summary>A unit as the two-step take this procedure replaced may have left it: marked pending, and here counted.</summary>
    private async Task TakeThenLeavePendingAsync(AccountId account, string allocationId)
    {
        await TakeAsync(account, allocationId, limit: null);
        var unit = (await UnitAsync(account, allocationId))!;
        unit["pending"] = true;
        await RawDocuments.UpsertAsync(server.Accounts, unit, account.Value);
    }

    /// <summary>The other instance's call (the counter, and the units named) commits just before this one's next write of <paramref name="beforeWriteOf"/>.</summary>
    private Task OtherInstanceBeforeNextWriteOfAsync(AccountId account, string beforeWriteOf, Func<Task> call, params string[] units) =>
        server.ReplayDuringNextWriteAsync(account.Value, beforeWriteOf, [Counter(account), .. units.Select(u => Unit(account, u))], call);

    private static string Counter(AccountId account) => DocumentIds.AllocationCounter(account, Projects);

    private static string Unit(AccountId account, string allocationId) => DocumentIds.Allocation(account, Projects, allocationId);

    private Task<AllocationChange> TakeAsync(AccountId account, string allocationId, long? limit) =>
        _ledger.TryTakeAsync(account, Projects, allocationId, limit, accountVersion: null, CancellationToken.None);

    private Task<AllocationChange> ReleaseAsync(AccountId account, string allocationId) =>
        _ledger.ReleaseAsync(account, Projects, allocationId, accountVersion: null, CancellationToken.None);

    private Task<System.Text.Json.Nodes.JsonObject?> UnitAsync(AccountId account, string allocationId) =>
        RawDocuments.ReadAsync(server.Accounts, Unit(account, allocationId), account.Value);

    private async Task<long> HeldAsync(AccountId account) =>
        (await _ledger.HeldAsync(account, [Projects], CancellationToken.None)).GetValueOrDefault(Projects);
}
