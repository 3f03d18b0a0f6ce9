using Billing.Application.Outcomes;
using Billing.Application.Tests.Fakes;
using Billing.Application.Usage;
using Billing.Domain.Plans.Configuration;
using Billing.TestSupport;
using static Billing.Application.Tests.Fakes.UsageTestBed;

namespace Billing.Application.Tests.Usage;

public sealed class AllocationsTests
{
    private readonly UsageTestBed _bed = new();

    [Fact]
    public async Task A_take_holds_one_unit_against_the_plans_limit_idempotently()
    {
        var account = _bed.Register();

        var taken = (await TakeAsync(account.Value, "project-1")).AssertSucceeded();
        var again = (await TakeAsync(account.Value, "project-1")).AssertSucceeded();

        Assert.Equal(new AllocationState("projects", "project-1", true, 1, 1, 0), taken);
        Assert.Equal(new AllocationState("projects", "project-1", false, 1, 1, 0), again);
        Assert.Equal(1, _bed.AllocationLedger.LastLimit);
    }

    [Fact]
    public async Task A_take_past_the_limit_is_refused_with_the_facts()
    {
        var account = _bed.Register();
        await TakeAsync(account.Value, "project-1");

        var refusal = (await TakeAsync(account.Value, "project-2")).AssertRefused();

        Assert.Equal(RefusalReason.QuotaExceeded, refusal.Reason);
        Assert.Equal("projects: the Free plan's limit is 1, and 1 held; release one or upgrade. The Basic plan allows more.", refusal.Detail);
        Assert.Equal(
            new Dictionary<string, object?> { ["meter"] = "projects", ["limit"] = 1L, ["used"] = 1L, ["plan"] = "FREE", ["upgradePlan"] = "BASIC" },
            refusal.Facts);
        Assert.Equal(1, (await _bed.AllocationLedger.HeldAsync(account, [Projects], CancellationToken.None))[Projects]);
    }

    [Fact]
    public async Task A_refused_take_suggests_the_first_plan_that_holds_one_more_unit_than_is_held()
    {
        var account = _bed.Register();
        _bed.AllocationLedger.Hold(account, Projects, "p1", "p2", "p3", "p4", "p5"); // taken on a bigger plan: FREE allows 1

        var refusal = (await TakeAsync(account.Value, "p6")).AssertRefused();

        // BASIC (5) would hold the five, not a sixth: PRO (20) is the plan that takes this take.
        Assert.Equal("PRO", refusal.Facts["upgradePlan"]);
        Assert.Equal("projects: the Free plan's limit is 1, and 5 held; release one or upgrade. The Pro plan allows more.", refusal.Detail);
    }

    [Fact]
    public async Task The_limit_is_the_current_plans()
    {
        var (pro, _) = _bed.Subscribe(TestCatalog.ProMonthly);
        var trial = _bed.Register();
        var started = (await _bed.Accounts.GetAsync(trial, CancellationToken.None))!.StartLocalTrial(_bed.Catalog, Start);
        _bed.Accounts.Put(started.Account);

        var proState = (await TakeAsync(pro.Value, "p")).AssertSucceeded();
        var trialState = (await TakeAsync(trial.Value, "p")).AssertSucceeded();

        Assert.Equal((20L, 19L), (proState.Limit!.Value, proState.Remaining!.Value));
        Assert.Equal((3L, 2L), (trialState.Limit!.Value, trialState.Remaining!.Value));
    }

    [Fact]
    public async Task A_release_gives_the_unit_back_idempotently()
    {
        var account = _bed.Register();
        await TakeAsync(account.Value, "project-1");

        var released = (await ReleaseAsync(account.Value, "project-1")).AssertSucceeded();
        var again = (await ReleaseAsync(account.Value, "project-1")).AssertSucceeded();
        var retaken = (await TakeAsync(account.Value, "project-2")).AssertSucceeded();

        Assert.Equal(new AllocationState("projects", "project-1", true, 0, 1, 1), released);
        Assert.Equal(new AllocationState("projects", "project-1", false, 0, 1, 1), again);
        Assert.True(retaken.Changed);
    }

    [Fact]
    public async Task After_a_downgrade_units_above_the_limit_are_kept_but_none_is_granted_until_under_it()
    {
        var account = _bed.Register();
        _bed.AllocationLedger.Hold(account, Projects, "p1", "p2", "p3"); // taken on a bigger plan

        var refused = (await TakeAsync(account.Value, "p4")).AssertRefused();
        var releasedAbove = (await ReleaseAsync(account.Value, "p1")).AssertSucceeded();
        var stillOver = await TakeAsync(account.Value, "p4");
        var releasedToLimit = (await ReleaseAsync(account.Value, "p2")).AssertSucceeded();
        var atTheLimit = await TakeAsync(account.Value, "p4");
        await ReleaseAsync(account.Value, "p3");
        var granted = (await TakeAsync(account.Value, "p4")).AssertSucceeded();

        Assert.Equal(3L, refused.Facts["used"]);
        Assert.Equal(2L, stillOver.AssertRefused().Facts["used"]);
        Assert.Equal((2L, 1L, 0L), (releasedAbove.Held, releasedAbove.Limit!.Value, releasedAbove.Remaining!.Value)); // above the limit: none remains, never fewer
        Assert.Equal((1L, 0L), (releasedToLimit.Held, releasedToLimit.Remaining!.Value)); // never negative
        Assert.Equal(RefusalReason.QuotaExceeded, atTheLimit.AssertRefused().Reason);
        Assert.Equal((true, 1L), (granted.Changed, granted.Held));
    }

    [Fact]
    public async Task Takes_and_releases_for_an_account_this_instance_has_read_read_it_no_more_the_ledger_checks_its_version()
    {
        var account = _bed.Register();
        (await TakeAsync(account.Value, "project-1")).AssertSucceeded(); // reads the account: the first call of this instance for it
        var reads = _bed.Accounts.Reads;

        (await ReleaseAsync(account.Value, "project-1")).AssertSucceeded();
        (await TakeAsync(account.Value, "project-2")).AssertSucceeded();
        (await TakeAsync(account.Value, "project-3")).AssertRefused();

        Assert.Equal(reads, _bed.Accounts.Reads); // one ledger request each, as a usage record is
    }

    [Fact]
    public async Task A_release_after_the_plan_changed_elsewhere_answers_with_the_new_plans_limit()
    {
        var account = _bed.Register();
        (await TakeAsync(account.Value, "project-1")).AssertSucceeded(); // this instance now holds the account on the free plan (1)
        _bed.ChangePlan(account, TestCatalog.ProMonthly); // a webhook on another instance: PRO (20)

        var released = (await ReleaseAsync(account.Value, "project-1")).AssertSucceeded();

        Assert.Equal(new AllocationState("projects", "project-1", true, 0, 20, 20), released);
    }

    [Fact]
    public async Task A_downgrade_that_lands_between_reading_the_account_and_taking_applies_to_that_take()
    {
        var (account, _) = _bed.Subscribe(TestCatalog.ProMonthly);
        _bed.AllocationLedger.Hold(account, Projects, "p1", "p2", "p3", "p4", "p5");
        var downgraded = false;
        _bed.AllocationLedger.BeforeChange = () =>
        {
            if (!downgraded)
            {
                downgraded = true;
                _bed.ChangePlan(account, TestCatalog.BasicMonthly); // BASIC: 5 projects
            }

            return Task.CompletedTask;
        };

        var refusal = (await TakeAsync(account.Value, "p6")).AssertRefused(); // PRO (20) allows it, BASIC (5) does not

        Assert.Equal(RefusalReason.QuotaExceeded, refusal.Reason);
        Assert.Equal(
            new Dictionary<string, object?> { ["meter"] = "projects", ["limit"] = 5L, ["used"] = 5L, ["plan"] = "BASIC", ["upgradePlan"] = "PRO" },
            refusal.Facts);
        Assert.Equal(5, (await _bed.AllocationLedger.HeldAsync(account, [Projects], CancellationToken.None))[Projects]);
    }

    [Fact]
    public async Task A_release_against_an_account_that_changes_under_every_attempt_still_releases_the_unit()
    {
        var account = _bed.Register();
        (await TakeAsync(account.Value, "p1")).AssertSucceeded();
        var attempts = 0;
        _bed.AllocationLedger.BeforeChange = async () =>
        {
            attempts++;
            _bed.Accounts.Put((await _bed.Accounts.GetAsync(account, CancellationToken.None))!); // a new version each time
        };

        var released = (await ReleaseAsync(account.Value, "p1")).AssertSucceeded();

        Assert.Equal(new AllocationState("projects", "p1", true, 0, 1, 1), released);
        Assert.Equal(5, attempts);
        Assert.Equal(0, (await _bed.AllocationLedger.HeldAsync(account, [Projects], CancellationToken.None)).GetValueOrDefault(Projects));
    }

    [Fact]
    public async Task A_take_against_an_account_that_changes_under_every_attempt_is_answered_in_progress_and_takes_nothing()
    {
        var account = _bed.Register();
        var attempts = 0;
        _bed.AllocationLedger.BeforeChange = async () =>
        {
            attempts++;
            _bed.Accounts.Put((await _bed.Accounts.GetAsync(account, CancellationToken.None))!); // a new version each time
        };

        var refusal = (await TakeAsync(account.Value, "p1")).AssertRefused();

        Assert.Equal(RefusalReason.UsageInProgress, refusal.Reason);
        Assert.Equal("The account kept changing while 'p1' was being taken; nothing changed. Retry in a few seconds.", refusal.Detail);
        Assert.Equal(5, attempts);
        Assert.Equal(0, (await _bed.AllocationLedger.HeldAsync(account, [Projects], CancellationToken.None)).GetValueOrDefault(Projects));
    }

    [Fact]
    public async Task Without_a_limit_every_take_is_granted()
    {
        var options = TestCatalog.Options();
        options.Plan("FREE").Meters["projects"] = new MeterOptions { Quota = 0 };
        var bed = new UsageTestBed(options);
        var account = bed.Register();

        for (var i = 0; i < 5; i++)
        {
            await bed.Allocations.TakeAsync(new AllocationRequest(account.Value, "projects", $"p{i}"), CancellationToken.None);
        }

        var state = (await bed.Allocations.TakeAsync(new AllocationRequest(account.Value, "projects", "p5"), CancellationToken.None)).AssertSucceeded();
        Assert.Equal((6L, (long?)null, (long?)null), (state.Held, state.Limit, state.Remaining));
        Assert.Null(bed.AllocationLedger.LastLimit);
    }

    public static TheoryData<AllocationRequest, string, string> InvalidRequests => new()
    {
        { new(null, "projects", "p"), "accountId", "Required." },
        { new("a?b", "projects", "p"), "accountId", "must not contain" },
        { new("user-1", null, "p"), "meter", "Required." },
        { new("user-1", "agent_runs", "p"), "meter", "Unknown allocation meter 'agent_runs'. Known: projects." }, // a consumption meter
        { new("user-1", "seats", "p"), "meter", "Unknown allocation meter 'seats'. Known: projects." },
        { new("user-1", "projects", null), "allocationId", "Required: the id of the unit to hold (a project's id, say), the same on every retry." }, // not the usage key's words
        { new("user-1", "projects", "my project"), "allocationId", "Must be 1 to 255 printable ASCII characters without spaces." },
        { new("user-1", "projects", new string('p', 256)), "allocationId", "Must be 1 to 255 printable ASCII characters without spaces." },
        { new("user-1", "projects", "org/proj-1"), "allocationId", "the id is a segment of the release's URL path" }, // %2F stays encoded in a route value
        { new("user-1", "projects", "org\\proj-1"), "allocationId", "the id is a segment of the release's URL path" },
        { new("user-1", "projects", "."), "allocationId", "the id is a segment of the release's URL path" },
        { new("user-1", "projects", ".."), "allocationId", "the id is a segment of the release's URL path" },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task Bad_fields_are_reported_for_takes_and_releases(AllocationRequest request, string field, string message)
    {
        var take = (await _bed.Allocations.TakeAsync(request, CancellationToken.None)).AssertInvalid();
        var release = (await _bed.Allocations.ReleaseAsync(request, CancellationToken.None)).AssertInvalid();

        Assert.Contains(message, Assert.Single(take.For(field)), StringComparison.Ordinal);
        Assert.Equal(take.ToDictionary(), release.ToDictionary());
        Assert.Empty(await _bed.AllocationLedger.HeldAsync(Domain.Accounts.AccountId.Parse("user-1"), [Projects], CancellationToken.None));
    }

    [Fact]
    public async Task An_unregistered_account_is_refused()
    {
        var unknown = NewAccountId();

        var take = (await TakeAsync(unknown.Value, "p")).AssertRefused();
        var release = (await ReleaseAsync(unknown.Value, "p")).AssertRefused();

        Assert.Equal((RefusalReason.AccountNotFound, RefusalReason.AccountNotFound), (take.Reason, release.Reason));
        Assert.Empty(await _bed.AllocationLedger.HeldAsync(unknown, [Projects], CancellationToken.None));
    }

    private Task<Outcome<AllocationState>> TakeAsync(string account, string allocationId) =>
        _bed.Allocations.TakeAsync(new AllocationRequest(account, "projects", allocationId), CancellationToken.None);

    private Task<Outcome<AllocationState>> ReleaseAsync(string account, string allocationId) =>
        _bed.Allocations.ReleaseAsync(new AllocationRequest(account, "projects", allocationId), CancellationToken.None);
}
