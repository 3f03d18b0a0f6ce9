using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Billing.Application.Usage;
using Billing.Cosmos.Tests.Support;
using Billing.Cosmos.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Time.Testing;

namespace Billing.Cosmos.Tests.Usage;

public sealed class CosmosAllocationLedgerTests(CosmosFixture fixture) : IClassFixture<CosmosFixture>
{
    private static readonly MeterName Projects = MeterName.Parse("projects");
    private static readonly MeterName Seats = MeterName.Parse("seats");

    private readonly IAllocationLedger _ledger = fixture.Get<IAllocationLedger>();

    [Fact]
    public async Task Sixty_four_parallel_takes_against_a_limit_of_ten_grant_exactly_ten()
    {
        var account = Ids.NewAccount();

        var changes = await Task.WhenAll(Enumerable.Range(0, 64).Select(i =>
            Task.Run(() => TakeAsync(account, $"project-{i}", 10))));

        var taken = changes.Where(c => c.Kind == AllocationChangeKind.Taken).ToList();
        Assert.Equal(10, taken.Count);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), taken.Select(c => c.Held).Order());
        Assert.Equal(54, changes.Count(c => c.Kind == AllocationChangeKind.LimitReached));
        Assert.All(changes.Where(c => c.Kind == AllocationChangeKind.LimitReached), c => Assert.Equal(10, c.Held));
        Assert.Equal(10, (await _ledger.HeldAsync(account, [Projects], CancellationToken.None))[Projects]);
        Assert.Equal(10, await UnitDocumentsAsync(account)); // no refused take wrote a unit
    }

    [Fact]
    public async Task Racing_takes_of_one_allocation_id_hold_it_once()
    {
        var account = Ids.NewAccount();

        var changes = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            Task.Run(() => TakeAsync(account, "project-main", 5))));

        Assert.Single(changes, c => c.Kind == AllocationChangeKind.Taken);
        Assert.Equal(19, changes.Count(c => c.Kind == AllocationChangeKind.AlreadyHeld));
        Assert.Equal(1, (await _ledger.HeldAsync(account, [Projects], CancellationToken.None))[Projects]);
        Assert.Equal(1, await UnitDocumentsAsync(account));
    }

    [Fact]
    public async Task At_the_limit_twenty_racing_takes_of_one_new_id_are_all_refused_and_leave_no_unit()
    {
        var account = Ids.NewAccount();
        await TakeAsync(account, "held", 1);

        var changes = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            Task.Run(() => TakeAsync(account, "one-too-many", 1))));

        Assert.All(changes, c => Assert.Equal(new AllocationChange(AllocationChangeKind.LimitReached, 1), c));
        Assert.Null(await UnitAsync(account, "one-too-many"));
        Assert.Equal(1, await UnitDocumentsAsync(account));
        Assert.Equal(1, (await _ledger.HeldAsync(account, [Projects], CancellationToken.None))[Projects]);
    }

    [Fact]
    public async Task Racing_takes_and_releases_of_the_same_ids_keep_the_counter_equal_to_the_units_held()
    {
        var account = Ids.NewAccount();
        var ids = Enumerable.Range(0, 12).Select(i => $"flip-{i}").ToList();

        var takes = ids.Select(id => Task.Run(() => TakeAsync(account, id, 6))).ToList();
        var releases = ids.Select(id => Task.Run(() => ReleaseAsync(account, id))).ToList();
        await Task.WhenAll(takes.Concat(releases));

        var held = (await _ledger.HeldAsync(account, [Projects], CancellationToken.None)).GetValueOrDefault(Projects);
        Assert.Equal(await UnitDocumentsAsync(account), held); // no unit counted without a document, none held uncounted
        Assert.InRange(held, 0, 6);
        Assert.DoesNotContain(takes.Concat(releases), t => t.Result.Kind == AllocationChangeKind.InProgress);
        foreach (var unit in (await RawDocuments.ReadAllAsync(fixture.Containers.Accounts)).Where(d => IsUnitOf(d, account)))
        {
            Assert.False(unit.TryGetProperty("pending", out var pending) && pending.GetBoolean());
        }
    }

    [Fact]
    public async Task A_unit_left_pending_by_the_earlier_two_step_take_is_counted_afresh_or_released_without_a_decrement_so_the_limit_holds()
    {
        // Units the take allocate.js replaced left pending (created, not yet counted when its call died); none of these
        // was counted: the counter says 1, for "steady".
        var account = Ids.NewAccount();
        await TakeAsync(account, "steady", null);
        await PlantPendingUnitAsync(account, "abandoned", DateTimeOffset.UtcNow.AddMinutes(-7));
        await PlantPendingUnitAsync(account, "abandoned-too", DateTimeOffset.UtcNow);
        await PlantPendingUnitAsync(account, "abandoned-at-limit", DateTimeOffset.UtcNow);

        var take = await TakeAsync(account, "abandoned", 2);
        var refused = await TakeAsync(account, "abandoned-at-limit", 2);
        var release = await ReleaseAsync(account, "abandoned-too");

        Assert.Equal(new AllocationChange(AllocationChangeKind.Taken, 2), take);
        Assert.False((await UnitAsync(account, "abandoned"))!["pending"]?.GetValue<bool>() ?? false);
        Assert.Equal(new AllocationChange(AllocationChangeKind.LimitReached, 2), refused);
        Assert.True((await UnitAsync(account, "abandoned-at-limit"))!["pending"]!.GetValue<bool>()); // untouched, still not counted
        Assert.Equal(new AllocationChange(AllocationChangeKind.Released, 2), release);
        Assert.Null(await UnitAsync(account, "abandoned-too"));
        Assert.Equal(2, (await _ledger.HeldAsync(account, [Projects], CancellationToken.None))[Projects]); // steady and abandoned
    }

    [Fact]
    public async Task A_take_is_idempotent_by_allocation_id()
    {
        var account = Ids.NewAccount();

        var first = await TakeAsync(account, "project-a", 1);
        var again = await TakeAsync(account, "project-a", 1);
        var another = await TakeAsync(account, "project-b", 1);

        Assert.Equal(new AllocationChange(AllocationChangeKind.Taken, 1), first);
        Assert.Equal(new AllocationChange(AllocationChangeKind.AlreadyHeld, 1), again); // at the limit, but it is the same unit
        Assert.Equal(new AllocationChange(AllocationChangeKind.LimitReached, 1), another);
    }

    [Fact]
    public async Task A_take_is_applied_only_while_the_account_is_at_the_version_its_limit_came_from()
    {
        var store = fixture.Get<Billing.Application.Accounts.IBillingAccountStore>();
        var created = await store.GetOrCreateAsync(Ids.NewAccount(), CancellationToken.None);
        var account = created.Id;
        var held = await _ledger.TryTakeAsync(account, Projects, "held", 5, created.Version, CancellationToken.None);
        var changed = await store.UpdateAsync(account, a => a with { TrialUsedAt = new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero) }, CancellationToken.None);

        var stale = await _ledger.TryTakeAsync(account, Projects, "new", 5, changed.Version - 1, CancellationToken.None);
        var missing = await _ledger.TryTakeAsync(Ids.NewAccount(), Projects, "new", 5, 1, CancellationToken.None);
        var current = await _ledger.TryTakeAsync(account, Projects, "new", 5, changed.Version, CancellationToken.None);

        Assert.Equal(new AllocationChange(AllocationChangeKind.Taken, 1), held);
        Assert.Equal(new AllocationChange(AllocationChangeKind.StaleAccount, 1), stale);
        Assert.Equal(new AllocationChange(AllocationChangeKind.StaleAccount, 0), missing);
        Assert.Equal(new AllocationChange(AllocationChangeKind.Taken, 2), current); // the stale attempt left neither the unit nor a count behind
        Assert.Equal(2, await UnitDocumentsAsync(account));
    }

    [Fact]
    public async Task A_release_that_carries_a_version_is_applied_only_while_the_account_is_at_it()
    {
        // Its answer's limit is the one in force: a release against an account changed since is refused as stale.
        var store = fixture.Get<Billing.Application.Accounts.IBillingAccountStore>();
        var created = await store.GetOrCreateAsync(Ids.NewAccount(), CancellationToken.None);
        var account = created.Id;
        await TakeAsync(account, "held", 5);
        var changed = await store.UpdateAsync(account, a => a with { TrialUsedAt = new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero) }, CancellationToken.None);

        var stale = await _ledger.ReleaseAsync(account, Projects, "held", changed.Version - 1, CancellationToken.None);
        var current = await _ledger.ReleaseAsync(account, Projects, "held", changed.Version, CancellationToken.None);

        Assert.Equal(new AllocationChange(AllocationChangeKind.StaleAccount, 1), stale);
        Assert.Equal(new AllocationChange(AllocationChangeKind.Released, 0), current); // the stale attempt left the unit and its count
    }

    [Fact]
    public async Task Releasing_is_idempotent_and_held_never_goes_negative()
    {
        var account = Ids.NewAccount();
        await TakeAsync(account, "a", null);
        await TakeAsync(account, "b", null);

        var releasedA = await ReleaseAsync(account, "a");
        var againA = await ReleaseAsync(account, "a");
        var neverTaken = await ReleaseAsync(account, "c");
        var releasedB = await ReleaseAsync(account, "b");
        var againB = await ReleaseAsync(account, "b");

        Assert.Equal(new AllocationChange(AllocationChangeKind.Released, 1), releasedA);
        Assert.Equal(new AllocationChange(AllocationChangeKind.NotHeld, 1), againA);
        Assert.Equal(new AllocationChange(AllocationChangeKind.NotHeld, 1), neverTaken);
        Assert.Equal(new AllocationChange(AllocationChangeKind.Released, 0), releasedB);
        Assert.Equal(new AllocationChange(AllocationChangeKind.NotHeld, 0), againB);
        Assert.Equal(0, (await _ledger.HeldAsync(account, [Projects], CancellationToken.None))[Projects]);
        Assert.Equal(new AllocationChange(AllocationChangeKind.NotHeld, 0), await ReleaseAsync(Ids.NewAccount(), "a")); // nothing ever taken
    }

    [Fact]
    public async Task A_release_against_a_counter_already_at_zero_removes_the_unit_and_leaves_the_counter_at_zero()
    {
        // A counter set low by hand (a restore, a repair) while a unit is still held: the release never counts below zero.
        var account = Ids.NewAccount();
        await TakeAsync(account, "a", null);
        var counter = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, $"allocations:{account.Value}:projects", account.Value))!;
        counter["held"] = 0;
        await RawDocuments.UpsertAsync(fixture.Containers.Accounts, counter, account.Value);

        var release = await ReleaseAsync(account, "a");

        Assert.Equal(new AllocationChange(AllocationChangeKind.Released, 0), release);
        Assert.Null(await UnitAsync(account, "a"));
        Assert.Equal(0, (await _ledger.HeldAsync(account, [Projects], CancellationToken.None))[Projects]);
    }

    [Fact]
    public async Task Racing_releases_of_one_allocation_release_it_once()
    {
        var account = Ids.NewAccount();
        await TakeAsync(account, "a", null);
        await TakeAsync(account, "b", null);

        var changes = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => ReleaseAsync(account, "a"))));

        Assert.Single(changes, c => c.Kind == AllocationChangeKind.Released);
        Assert.Equal(19, changes.Count(c => c.Kind == AllocationChangeKind.NotHeld));
        Assert.All(changes, c => Assert.True(c.Held >= 0));
        Assert.Equal(1, (await _ledger.HeldAsync(account, [Projects], CancellationToken.None))[Projects]);
        Assert.Equal(1, await UnitDocumentsAsync(account));
    }

    [Fact]
    public async Task After_a_lowered_limit_takes_are_refused_until_releases_bring_the_account_under_it()
    {
        var account = Ids.NewAccount();
        foreach (var id in new[] { "p1", "p2", "p3", "p4", "p5" })
        {
            Assert.Equal(AllocationChangeKind.Taken, (await TakeAsync(account, id, 5)).Kind);
        }

        var overTheNewLimit = await TakeAsync(account, "p6", 3);
        await ReleaseAsync(account, "p1");
        var atFour = await TakeAsync(account, "p6", 3);
        await ReleaseAsync(account, "p2");
        var atTheLimit = await TakeAsync(account, "p6", 3);
        await ReleaseAsync(account, "p3");
        var underIt = await TakeAsync(account, "p6", 3);
        var fullAgain = await TakeAsync(account, "p7", 3);
        var keptUnit = await TakeAsync(account, "p5", 3);

        Assert.Equal(new AllocationChange(AllocationChangeKind.LimitReached, 5), overTheNewLimit); // the units above it are kept
        Assert.Equal(new AllocationChange(AllocationChangeKind.LimitReached, 4), atFour);
        Assert.Equal(new AllocationChange(AllocationChangeKind.LimitReached, 3), atTheLimit);
        Assert.Equal(new AllocationChange(AllocationChangeKind.Taken, 3), underIt);
        Assert.Equal(new AllocationChange(AllocationChangeKind.LimitReached, 3), fullAgain);
        Assert.Equal(new AllocationChange(AllocationChangeKind.AlreadyHeld, 3), keptUnit);
        Assert.Equal(3, await UnitDocumentsAsync(account));
    }

    [Fact]
    public async Task Without_a_limit_every_take_is_granted()
    {
        var account = Ids.NewAccount();

        var changes = await Task.WhenAll(Enumerable.Range(0, 25).Select(i => Task.Run(() => TakeAsync(account, $"seat-{i}", null))));

        Assert.All(changes, c => Assert.Equal(AllocationChangeKind.Taken, c.Kind));
        Assert.Equal(Enumerable.Range(1, 25).Select(i => (long)i), changes.Select(c => c.Held).Order());
        Assert.Equal(25, (await _ledger.HeldAsync(account, [Projects], CancellationToken.None))[Projects]);
    }

    [Fact]
    public async Task A_limit_of_zero_grants_nothing()
    {
        var account = Ids.NewAccount();

        var change = await TakeAsync(account, "a", 0);

        Assert.Equal(new AllocationChange(AllocationChangeKind.LimitReached, 0), change);
        Assert.Equal(0, await UnitDocumentsAsync(account));
    }

    [Fact]
    public async Task The_units_held_of_each_allocation_meter_are_read_with_one_point_read_each_and_no_query()
    {
        // The entitlements views read them on every call (GET /api/billing/entitlements and the service's): a query
        // costs a query plan round trip and a page where the counter's id is known.
        var account = Ids.NewAccount();
        await TakeAsync(account, "a", 5);
        await TakeAsync(account, "b", 5);
        using var store = new FaultyStore(fixture);

        var held = await store.Allocations.HeldAsync(account, [Projects, Seats], CancellationToken.None);

        Assert.Equal(new Dictionary<MeterName, long> { [Projects] = 2 }, held);
        Assert.Empty(store.Queries);
        Assert.Equal(2, store.Sent); // one per meter asked for, the one never used included
    }

    [Fact]
    public async Task Held_units_are_listed_per_meter_and_account()
    {
        var account = Ids.NewAccount();
        var other = Ids.NewAccount();
        await TakeAsync(account, "a", 5);
        await TakeAsync(account, "b", 5);
        await _ledger.TryTakeAsync(account, Seats, "a", 10, accountVersion: null, CancellationToken.None); // same id, other meter
        await TakeAsync(other, "a", 5);

        var held = await _ledger.HeldAsync(account, [Projects, Seats], CancellationToken.None);

        Assert.Equal(new Dictionary<MeterName, long> { [Projects] = 2, [Seats] = 1 }, held);
        Assert.Equal(new Dictionary<MeterName, long> { [Projects] = 1 }, await _ledger.HeldAsync(other, [Projects, Seats], CancellationToken.None));
        Assert.Equal(new Dictionary<MeterName, long> { [Seats] = 1 }, await _ledger.HeldAsync(account, [Seats], CancellationToken.None));
        Assert.Empty(await _ledger.HeldAsync(Ids.NewAccount(), [Projects, Seats], CancellationToken.None));
        Assert.Equal(new Dictionary<MeterName, long> { [Projects] = 2 }, await _ledger.HeldAsync(account, [Projects, Projects], CancellationToken.None)); // a meter asked for twice, read once
    }

    [Fact]
    public async Task A_take_refused_by_write_conflicts_on_every_attempt_is_tried_ten_times_then_answers_in_progress_with_the_units_held()
    {
        var account = Ids.NewAccount();
        await TakeAsync(account, "a", 5);
        await TakeAsync(account, "b", 5);
        using var store = new FaultyStore(fixture) { Refuse = (HttpStatusCode)449, OnlyProcedures = true, RefuseMessage = "allocate write conflict" };

        var change = await store.Allocations.TryTakeAsync(account, Projects, "c", 5, accountVersion: null, CancellationToken.None);

        Assert.Equal(new AllocationChange(AllocationChangeKind.InProgress, 2), change); // the counter as stored
        Assert.Equal(10, store.Refused);
        Assert.Equal(2, await UnitDocumentsAsync(account));
    }

    [Fact]
    public async Task Allocation_documents_have_the_documented_shape()
    {
        var account = Ids.NewAccount();
        var takenAt = new DateTimeOffset(2031, 3, 4, 5, 6, 7, TimeSpan.Zero);
        await new CosmosAllocationLedger(fixture.Containers, new FakeTimeProvider(takenAt)).TryTakeAsync(account, Projects, "project/42 ä", 5, accountVersion: null, CancellationToken.None);

        var counter = await RawDocuments.ReadAsync(fixture.Containers.Accounts, $"allocations:{account.Value}:projects", account.Value);
        var unit = (await RawDocuments.ReadAllAsync(fixture.Containers.Accounts))
            .Single(d => d.GetProperty("type").GetString() == "allocation" && d.GetProperty("accountId").GetString() == account.Value);

        Assert.NotNull(counter);
        Assert.Equal("allocations", (string?)counter["type"]);
        Assert.Equal(1, (long?)counter["held"]);
        Assert.Equal("projects", (string?)counter["meter"]);
        Assert.Equal("project/42 ä", unit.GetProperty("allocationId").GetString());
        Assert.Matches($"^allocation:{account.Value}:projects:[0-9a-f]{{64}}$", unit.GetProperty("id").GetString());
        Assert.Equal(takenAt, DateTimeOffset.Parse(unit.GetProperty("takenAt").GetString()!, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task The_counter_records_the_instant_of_its_last_change_by_a_take_and_by_a_release()
    {
        // data-model.md documents the counter's updatedAt; the procedure copies it from the request on every change.
        var account = Ids.NewAccount();
        var time = new FakeTimeProvider(new DateTimeOffset(2031, 3, 4, 5, 6, 7, TimeSpan.Zero));
        var ledger = new CosmosAllocationLedger(fixture.Containers, time);
        var changedAt = new List<DateTimeOffset>();
        foreach (var change in new Func<Task<AllocationChange>>[]
        {
            () => ledger.TryTakeAsync(account, Projects, "p1", 5, accountVersion: null, CancellationToken.None), // creates the counter
            () => ledger.TryTakeAsync(account, Projects, "p2", 5, accountVersion: null, CancellationToken.None),
            () => ledger.ReleaseAsync(account, Projects, "p1", accountVersion: null, CancellationToken.None),
        })
        {
            time.Advance(TimeSpan.FromMinutes(3));
            await change();
            var counter = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, $"allocations:{account.Value}:projects", account.Value))!;
            changedAt.Add(DateTimeOffset.Parse((string)counter["updatedAt"]!, CultureInfo.InvariantCulture));
        }

        var start = new DateTimeOffset(2031, 3, 4, 5, 6, 7, TimeSpan.Zero);
        Assert.Equal([start.AddMinutes(3), start.AddMinutes(6), start.AddMinutes(9)], changedAt);
    }

    private Task<AllocationChange> TakeAsync(AccountId account, string allocationId, long? limit) =>
        _ledger.TryTakeAsync(account, Projects, allocationId, limit, accountVersion: null, CancellationToken.None);

    private Task<AllocationChange> ReleaseAsync(AccountId account, string allocationId) =>
        _ledger.ReleaseAsync(account, Projects, allocationId, accountVersion: null, CancellationToken.None);

    private static string UnitId(AccountId account, string allocationId) =>
        $"allocation:{account.Value}:projects:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(allocationId)))}";

    private static bool IsUnitOf(JsonElement document, AccountId account) =>
        document.GetProperty("type").GetString() == "allocation" && document.GetProperty("accountId").GetString() == account.Value;

    private Task<JsonObject?> UnitAsync(AccountId account, string allocationId) =>
        RawDocuments.ReadAsync(fixture.Containers.Accounts, UnitId(account, allocationId), account.Value);

    /// <summary>A unit as the two-step take before allocate.js left it between its create and its count: pending, taken at <paramref name="takenAt"/>.</summary>
    private Task PlantPendingUnitAsync(AccountId account, string allocationId, DateTimeOffset takenAt) =>
        RawDocuments.UpsertAsync(
            fixture.Containers.Accounts,
            new JsonObject
            {
                ["id"] = UnitId(account, allocationId),
                ["type"] = "allocation",
                ["schemaVersion"] = 1,
                ["accountId"] = account.Value,
                ["meter"] = Projects.Value,
                ["allocationId"] = allocationId,
                ["takenAt"] = takenAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
                ["pending"] = true,
            },
            account.Value);

    private async Task<int> UnitDocumentsAsync(AccountId account) =>
        (await RawDocuments.ReadAllAsync(fixture.Containers.Accounts))
        .Count(d => d.GetProperty("type").GetString() == "allocation" && d.GetProperty("accountId").GetString() == account.Value);
}
