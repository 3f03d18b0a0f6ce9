using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Billing.Application.Usage;
using Billing.Cosmos.Tests.Support;
using Billing.Cosmos.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Time.Testing;

namespace Billing.Cosmos.Tests.Usage;

public sealed class CosmosUsageLedgerTests(CosmosFixture fixture) : IClassFixture<CosmosFixture>
{
    private static readonly MeterName AgentRuns = MeterName.Parse("agent_runs");
    private static readonly MeterName Tokens = MeterName.Parse("tokens");
    private static readonly MeterName ApiCalls = MeterName.Parse("api_calls");
    private static readonly PlanCode Free = PlanCode.Parse("FREE");
    private static readonly PlanCode Pro = PlanCode.Parse("PRO");
    private static readonly UsagePeriod October = UsagePeriod.CalendarMonth(new DateTimeOffset(2026, 10, 15, 0, 0, 0, TimeSpan.Zero));
    private static readonly UsagePeriod November = UsagePeriod.CalendarMonth(new DateTimeOffset(2026, 11, 15, 0, 0, 0, TimeSpan.Zero));
    private static readonly UsagePeriod December = UsagePeriod.CalendarMonth(new DateTimeOffset(2026, 12, 15, 0, 0, 0, TimeSpan.Zero));

    private readonly IUsageLedger _ledger = fixture.Get<IUsageLedger>();

    [Fact]
    public async Task The_counters_record_the_instant_of_the_last_count()
    {
        // data-model.md documents the counters' updatedAt; the procedure sets it from the ledger's clock on every count.
        var account = Ids.NewAccount();
        var time = new FakeTimeProvider(November.Start.AddHours(1));
        var ledger = new CosmosUsageLedger(fixture.Containers, time);
        var countedAt = new List<DateTimeOffset>();
        for (var count = 0; count < 2; count++) // the first creates the counters, the second changes them
        {
            time.Advance(TimeSpan.FromMinutes(3));
            await Stored.CountOneAsync(ledger, account, November);
            var raw = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, $"usage:{account.Value}:{November.Key}", account.Value))!;
            countedAt.Add(DateTimeOffset.Parse((string)raw["updatedAt"]!, CultureInfo.InvariantCulture));
        }

        Assert.Equal([November.Start.AddHours(1).AddMinutes(3), November.Start.AddHours(1).AddMinutes(6)], countedAt);
    }

    [Fact]
    public async Task Fifty_parallel_consumes_against_a_hard_limit_of_twenty_let_exactly_twenty_through()
    {
        var account = Ids.NewAccount();

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ =>
            Task.Run(() => ConsumeAsync(account, November, AgentRuns, 1, 20))));

        var consumed = results.Where(r => r.Consumed).ToList();
        Assert.Equal(20, consumed.Count);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), consumed.Select(r => r.Counter).Order());
        Assert.All(results.Where(r => !r.Consumed), r => Assert.Equal(20, r.Counter));
        var stored = await _ledger.GetAsync(account, November.Key, CancellationToken.None);
        Assert.Equal(20, stored!.Used(AgentRuns));
    }

    [Fact]
    public async Task Parallel_consumes_without_a_limit_all_count()
    {
        var account = Ids.NewAccount();

        var results = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ =>
            Task.Run(() => ConsumeAsync(account, November, Tokens, 250, null))));

        Assert.All(results, r => Assert.True(r.Consumed));
        Assert.Equal(Enumerable.Range(1, 30).Select(i => i * 250L), results.Select(r => r.Counter).Order());
        Assert.Equal(7_500, (await _ledger.GetAsync(account, November.Key, CancellationToken.None))!.Used(Tokens));
    }

    [Fact]
    public async Task A_consumption_that_would_pass_the_limit_is_refused_whole()
    {
        var account = Ids.NewAccount();
        await ConsumeAsync(account, November, AgentRuns, 8, 10);

        var tooMuch = await ConsumeAsync(account, November, AgentRuns, 3, 10);
        var exactlyToTheLimit = await ConsumeAsync(account, November, AgentRuns, 2, 10);
        var oneMore = await ConsumeAsync(account, November, AgentRuns, 1, 10);
        var other = Ids.NewAccount();
        var overLimitAlone = await ConsumeAsync(other, November, AgentRuns, 11, 10);

        Assert.Equal((false, 8L), (tooMuch.Consumed, tooMuch.Counter));
        Assert.Equal((true, 10L), (exactlyToTheLimit.Consumed, exactlyToTheLimit.Counter));
        Assert.Equal((false, 10L), (oneMore.Consumed, oneMore.Counter));
        Assert.Equal((false, 0L), (overLimitAlone.Consumed, overLimitAlone.Counter));
        Assert.Empty(overLimitAlone.NotifiedThresholds);
        Assert.Null(await _ledger.GetAsync(other, November.Key, CancellationToken.None)); // nothing was written for it
        Assert.Equal(10, (await _ledger.GetAsync(account, November.Key, CancellationToken.None))!.Used(AgentRuns));
    }

    [Fact]
    public async Task Meters_periods_and_accounts_count_separately()
    {
        var full = Ids.NewAccount();
        var other = Ids.NewAccount();
        await ConsumeAsync(full, November, AgentRuns, 5, 5);

        var sameAccountOtherMeter = await ConsumeAsync(full, November, Tokens, 5, 5);
        var sameAccountNextPeriod = await ConsumeAsync(full, December, AgentRuns, 1, 5);
        var otherAccountSamePeriod = await ConsumeAsync(other, November, AgentRuns, 1, 5);
        var fullAgain = await ConsumeAsync(full, November, AgentRuns, 1, 5);

        Assert.True(sameAccountOtherMeter.Consumed);
        Assert.Equal((true, 1L), (sameAccountNextPeriod.Consumed, sameAccountNextPeriod.Counter));
        Assert.Equal((true, 1L), (otherAccountSamePeriod.Consumed, otherAccountSamePeriod.Counter));
        Assert.False(fullAgain.Consumed);
        var november = await _ledger.GetAsync(full, November.Key, CancellationToken.None);
        Assert.Equal(5, november!.Used(AgentRuns));
        Assert.Equal(5, november.Used(Tokens));
        Assert.Equal(0, november.Used(ApiCalls));
        Assert.Equal(November, november.Period);
        Assert.Equal(full, november.AccountId);
        Assert.Equal(1, (await _ledger.GetAsync(full, December.Key, CancellationToken.None))!.Used(AgentRuns));
    }

    [Fact]
    public async Task A_period_without_usage_reads_as_null()
    {
        Assert.Null(await _ledger.GetAsync(Ids.NewAccount(), November.Key, CancellationToken.None));
    }

    [Fact]
    public async Task The_plan_and_included_units_are_kept_for_pricing_and_give_the_overage()
    {
        var account = Ids.NewAccount();
        var period = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2026, 11, 10, 8, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 10, 8, 0, 0, TimeSpan.Zero));

        await ConsumeAsync(account, period, AgentRuns, 700, null, Free);
        await ConsumeAsync(account, period, AgentRuns, 500, null, Pro, included: 1_000);
        await ConsumeAsync(account, period, Tokens, 50, null, Pro, included: 100_000);
        await ConsumeAsync(account, period, ApiCalls, 9, null, Pro);

        var counters = (await _ledger.GetAsync(account, period.Key, CancellationToken.None))!;
        Assert.Equal(Pro, counters.Plan); // the plan of the last counted unit
        Assert.Equal(new Dictionary<MeterName, long> { [AgentRuns] = 1_000, [Tokens] = 100_000 }, counters.Included);
        Assert.Equal(1_200, counters.Used(AgentRuns));
        Assert.Equal(200, counters.OverageUnits(AgentRuns, 1_000));
        Assert.Equal(0, counters.OverageUnits(Tokens, 100_000));
        Assert.Equal(0, counters.OverageUnits(ApiCalls, null)); // not an overage meter
        Assert.Equal(period, counters.Period);
        var free = Assert.Single(counters.Earlier); // FREE counted the first 700 runs
        Assert.Equal((Free, 0L, 700L), (free.Plan, free.From.GetValueOrDefault(AgentRuns), free.To[AgentRuns]));
        Assert.Equal(700, counters.Since[AgentRuns]);
    }

    [Fact]
    public async Task What_the_current_plan_includes_can_be_raised_after_the_last_count_and_a_later_count_goes_on_from_it()
    {
        var account = Ids.NewAccount();
        var enterprise = PlanCode.Parse("ENTERPRISE");
        await ConsumeAsync(account, November, AgentRuns, 1_250, null, Pro, included: 1_000);

        await _ledger.SetIncludedAsync(account, November.Key, Pro, AgentRuns, 1_100, allowances: [], CancellationToken.None); // an add-on of 100
        await _ledger.SetIncludedAsync(account, November.Key, enterprise, AgentRuns, 50_000, allowances: [], CancellationToken.None); // not the counted plan: ignored
        await _ledger.SetIncludedAsync(account, December.Key, Pro, AgentRuns, 1_100, allowances: [], CancellationToken.None); // no counters: nothing created
        var raised = (await _ledger.GetAsync(account, November.Key, CancellationToken.None))!;
        var next = await _ledger.RecordAsync(Record(account, "after-add-on", November, AgentRuns, 10, null, Pro, included: 1_100), CancellationToken.None);

        Assert.Equal(new Dictionary<MeterName, long> { [AgentRuns] = 1_100 }, raised.Included);
        Assert.Equal(150, raised.OverageUnits(AgentRuns, 1_100));
        Assert.Equal(new CountedUsage(1_260, 1_100, 0, 160), next.Key!.Counted);
        Assert.Null(await _ledger.GetAsync(account, December.Key, CancellationToken.None));
    }

    [Fact]
    public async Task What_the_plan_includes_set_again_unchanged_writes_nothing()
    {
        // Each purchase, refund and resync sets it again: an unchanged amount must not rewrite the counters (a write
        // there makes every record counted meanwhile lose its ETag race and read again).
        var account = Ids.NewAccount();
        await ConsumeAsync(account, November, AgentRuns, 1_250, null, Pro, included: 1_000);
        await _ledger.SetIncludedAsync(account, November.Key, Pro, AgentRuns, 1_000, [Short(AllowanceState.Expired), Plan], CancellationToken.None); // lapsed: it had covered 500 of the runs
        var set = await RawDocuments.ReadAsync(fixture.Containers.Accounts, $"usage:{account.Value}:month-2026-11", account.Value);

        await _ledger.SetIncludedAsync(account, November.Key, Pro, AgentRuns, 1_000, [Short(AllowanceState.Expired), Plan], CancellationToken.None);
        var again = await RawDocuments.ReadAsync(fixture.Containers.Accounts, $"usage:{account.Value}:month-2026-11", account.Value);

        Assert.Equal((1_500L, 500L), ((long?)set!["included"]!["agent_runs"], (long?)set["covered"]!["agent_runs"]!["cs:short"]));
        Assert.Equal((string?)set["_etag"], (string?)again!["_etag"]);
    }

    [Fact]
    public async Task What_the_plan_includes_is_raised_while_the_account_keeps_counting_one_record_after_another()
    {
        // An add-on granted (or refunded) to an account that keeps recording usage: the replace must not lose to every
        // record counted meanwhile (it failed after 5 attempts, and the purchase event was retried towards the poison queue).
        var account = Ids.NewAccount();
        await ConsumeAsync(account, November, AgentRuns, 1, null, Pro, included: 1_000);
        using var stop = new CancellationTokenSource();
        var counted = 0;
        var writer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await ConsumeAsync(account, November, AgentRuns, 1, null, Pro, included: 1_000);
                Interlocked.Increment(ref counted);
            }
        });

        try
        {
            while (Volatile.Read(ref counted) < 20)
            {
                await Task.Delay(10); // the writer is going
            }

            await _ledger.SetIncludedAsync(account, November.Key, Pro, AgentRuns, 1_100, allowances: [], CancellationToken.None);
        }
        finally
        {
            await stop.CancelAsync();
            await writer;
        }

        Assert.Equal(1 + counted, (await _ledger.GetAsync(account, November.Key, CancellationToken.None))!.Used(AgentRuns));
    }

    [Fact]
    public async Task Of_two_add_ons_the_one_that_lapses_first_is_used_first_and_a_refund_of_the_other_keeps_what_it_covered()
    {
        // PRO's 1,000 runs, "short" (500, lapses mid-period, so used before the plan's) and "long" (500, lasts beyond).
        var account = Ids.NewAccount();
        var refunded = Ids.NewAccount();
        await ConsumeAsync(account, November, AgentRuns, 1_500, null, Pro, included: 2_000, [Short(AllowanceState.InForce), Plan, Long(AllowanceState.InForce)]);
        await ConsumeAsync(refunded, November, AgentRuns, 1_500, null, Pro, included: 2_000, [Short(AllowanceState.InForce), Plan, Long(AllowanceState.InForce)]);

        var lapsed = await _ledger.RecordAsync(Record(account, "after-lapse", November, AgentRuns, 500, null, Pro, included: 1_500, [Short(AllowanceState.Expired), Plan, Long(AllowanceState.InForce)]), CancellationToken.None);
        await _ledger.SetIncludedAsync(refunded, November.Key, Pro, AgentRuns, 1_000, [Short(AllowanceState.Expired), Plan, Long(AllowanceState.Revoked)], CancellationToken.None); // the long one refunded after the lapse
        var afterRefund = await _ledger.RecordAsync(Record(refunded, "after-refund", November, AgentRuns, 100, null, Pro, included: 1_000, [Short(AllowanceState.Expired), Plan, Long(AllowanceState.Revoked)]), CancellationToken.None);

        Assert.Equal(new CountedUsage(2_000, 2_000, 0, 0), lapsed.Key!.Counted); // the short one covered 500 runs: nothing beyond
        Assert.Equal(new CountedUsage(1_600, 1_500, 0, 100), afterRefund.Key!.Counted); // the long one covered none: only its units go
        var raw = await RawDocuments.ReadAsync(fixture.Containers.Accounts, $"usage:{refunded.Value}:month-2026-11", refunded.Value);
        Assert.Equal((500L, 0L, 500L), ((long?)raw!["covered"]!["agent_runs"]!["cs:short"], (long?)raw["covered"]!["agent_runs"]!["cs:long"], (long?)raw["lapsed"]!["agent_runs"]));
    }

    [Fact]
    public async Task A_plan_change_during_the_period_keeps_what_each_plan_counted_and_included()
    {
        var account = Ids.NewAccount();
        var enterprise = PlanCode.Parse("ENTERPRISE");

        await ConsumeAsync(account, November, AgentRuns, 5_250, null, Pro, included: 5_000);
        await ConsumeAsync(account, November, Tokens, 40, null, Pro, included: 10_000_000);
        var upgraded = await _ledger.RecordAsync(Record(account, "after-upgrade", November, AgentRuns, 10, null, enterprise, included: 50_000), CancellationToken.None);
        var downgraded = await _ledger.RecordAsync(Record(account, "after-downgrade", November, AgentRuns, 100, null, Pro, included: 5_000), CancellationToken.None);

        // The answers price each stretch by its plan: PRO's 250 stay beyond; back on PRO from 5,260, all 100 more are.
        Assert.Equal(new CountedUsage(5_260, 50_000, 44_740, 250), upgraded.Key!.Counted);
        Assert.Equal(new CountedUsage(5_360, 5_000, 0, 350), downgraded.Key!.Counted);
        var counters = (await _ledger.GetAsync(account, November.Key, CancellationToken.None))!;
        Assert.Equal([Pro, enterprise], counters.Earlier.Select(s => s.Plan));
        Assert.Equal((5_250L, 40L, 5_000L), (counters.Earlier[0].To[AgentRuns], counters.Earlier[0].To[Tokens], counters.Earlier[0].Included[AgentRuns]));
        Assert.Equal((5_250L, 5_260L, 50_000L), (counters.Earlier[1].From[AgentRuns], counters.Earlier[1].To[AgentRuns], counters.Earlier[1].Included[AgentRuns]));
        Assert.Equal((Pro, 5_260L, 5_360L), (counters.Plan, counters.Since[AgentRuns], counters.Used(AgentRuns)));
        Assert.Equal(new Dictionary<MeterName, long> { [AgentRuns] = 5_000 }, counters.Included); // only what PRO counted since
        Assert.Equal(downgraded.Key.Counted, Record(account, "x", November, AgentRuns, 100, null, Pro, included: 5_000).Consumption.AnswerAt(counters));

        // As stored: the documented shape.
        var raw = await RawDocuments.ReadAsync(fixture.Containers.Accounts, $"usage:{account.Value}:{November.Key}", account.Value);
        Assert.Equal("ENTERPRISE", (string?)raw!["earlier"]![1]!["plan"]);
        Assert.Equal(5_260, (long?)raw["since"]!["agent_runs"]);
    }

    [Fact]
    public async Task What_a_newer_version_wrote_in_the_counters_and_their_plan_stretches_survives_this_version_s_rewrites()
    {
        // A plan change leaves a stretch in `earlier`; a newer version (rolling deployment, rollback) adds fields there and at the top.
        var account = Ids.NewAccount();
        var period = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2034, 2, 3, 8, 0, 0, TimeSpan.Zero), new DateTimeOffset(2034, 3, 3, 8, 0, 0, TimeSpan.Zero));
        await ConsumeAsync(account, period, AgentRuns, 1_200, null, Pro, included: 1_000);
        await ConsumeAsync(account, period, AgentRuns, 10, null, PlanCode.Parse("ENTERPRISE"), included: 50_000);
        var raw = await RawUsageAsync(account, period.Key);
        raw["earlier"]![0]!["fromNewerVersion"] = "kept in the stretch";
        raw["fromNewerVersion"] = "kept at the top";
        await RawDocuments.UpsertAsync(fixture.Containers.Accounts, raw, account.Value);

        await _ledger.SetIncludedAsync(account, period.Key, PlanCode.Parse("ENTERPRISE"), AgentRuns, 50_500, allowances: [], CancellationToken.None);
        await _ledger.MovePeriodEndAsync(account, period.Key, PeriodEndMove.StillCurrent(period.End.AddDays(1), 2), CancellationToken.None);

        var after = await RawUsageAsync(account, period.Key);
        Assert.Equal((50_500L, "2034-03-04T08:00:00.0000000Z"), ((long?)after["included"]!["agent_runs"], (string?)after["periodEnd"]));
        Assert.Equal("kept at the top", (string?)after["fromNewerVersion"]);
        Assert.Equal("kept in the stretch", (string?)after["earlier"]![0]!["fromNewerVersion"]);
    }

    [Fact]
    public async Task A_subscription_period_keeps_the_subscription_of_its_first_count_through_later_counts_and_a_move()
    {
        var account = Ids.NewAccount();
        var period = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2026, 11, 12, 8, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 12, 8, 0, 0, TimeSpan.Zero));
        await _ledger.RecordAsync(Record(account, "first", period, AgentRuns, 3, null, Pro, 1_000, subscriptionId: "sub_first"), CancellationToken.None);
        await _ledger.RecordAsync(Record(account, "later", period, Tokens, 5, null, Pro, 100_000, subscriptionId: "sub_later"), CancellationToken.None);
        await _ledger.MovePeriodEndAsync(account, period.Key, PeriodEndMove.StillCurrent(period.End.AddDays(2), 2), CancellationToken.None);

        var counters = (await _ledger.GetAsync(account, period.Key, CancellationToken.None))!;
        Assert.Equal(("sub_first", 3L, 5L, period.End.AddDays(2)), (counters.SubscriptionId, counters.Used(AgentRuns), counters.Used(Tokens), counters.Period.End));
        var raw = await RawDocuments.ReadAsync(fixture.Containers.Accounts, $"usage:{account.Value}:{period.Key.Value}", account.Value);
        Assert.Equal("sub_first", (string?)raw!["subscriptionId"]);
        await ConsumeAsync(account, November, AgentRuns, 1, null);
        Assert.Null((await _ledger.GetAsync(account, November.Key, CancellationToken.None))!.SubscriptionId);
    }

    [Fact]
    public async Task Usage_document_has_the_documented_shape()
    {
        var account = Ids.NewAccount();
        await ConsumeAsync(account, November, AgentRuns, 3, null, Pro, included: 1_000);
        await _ledger.TryMarkThresholdAsync(account, November.Key, AgentRuns, 80, CancellationToken.None);

        var raw = await RawDocuments.ReadAsync(fixture.Containers.Accounts, $"usage:{account.Value}:month-2026-11", account.Value);

        Assert.NotNull(raw);
        Assert.Equal("usage", (string?)raw["type"]);
        Assert.Equal(4, (int?)raw["schemaVersion"]);
        Assert.Equal(account.Value, (string?)raw["accountId"]);
        Assert.Equal("month-2026-11", (string?)raw["periodKey"]);
        Assert.Equal("2026-11-01T00:00:00.0000000Z", (string?)raw["periodStart"]);
        Assert.Equal("2026-12-01T00:00:00.0000000Z", (string?)raw["periodEnd"]);
        Assert.Equal(3, (long?)raw["counters"]!["agent_runs"]);
        Assert.Equal("PRO", (string?)raw["plan"]);
        Assert.Equal(1_000, (long?)raw["included"]!["agent_runs"]);
        Assert.Equal(0, (long?)raw["lapsed"]!["agent_runs"]);
        Assert.Equal(0, (long?)raw["expired"]!["agent_runs"]);
        Assert.Empty(raw["covered"]!["agent_runs"]!.AsObject());
        Assert.NotNull(raw["notified"]!["agent_runs_80"]);
    }

    [Fact]
    public async Task Counters_written_before_the_coverage_of_each_add_on_was_kept_price_the_same_and_keep_their_lapse_for_the_add_ons_they_saw_expire()
    {
        // As recordUsage-v4 left them: PRO's 1,000 and an add-on of 500 taken as the top, lapsed having covered 400 of 1,400.
        var account = await Schema3CountersAsync(included: 1_400, lapsed: 400, expired: 500);
        var older = (await _ledger.GetAsync(account, November.Key, CancellationToken.None))!;

        // Its next count: "lapsing" was seen expired, so its 400 stay as they were; "later", expired since, is taken by the rule.
        var next = await _ledger.RecordAsync(Record(account, "after-upgrade", November, AgentRuns, 1, null, Pro, included: 1_000, [Lapsing, new MeterAllowance("cs:later", 200, AllowanceState.Expired), Plan]), CancellationToken.None);

        Assert.Equal((1_400L, 400L, 0L), (older.Included[AgentRuns], older.Lapsed[AgentRuns], older.OverageUnits(AgentRuns, older.Included[AgentRuns])));
        Assert.Empty(older.Covered);
        Assert.Equal(new CountedUsage(1_401, 1_600, 199, 0), next.Key!.Counted); // 1,000 + 400 kept + 200 of the 1,000 runs not covered yet
        var raw = await RawDocuments.ReadAsync(fixture.Containers.Accounts, $"usage:{account.Value}:month-2026-11", account.Value);
        Assert.Equal((400L, 0L, 200L), ((long?)raw!["covered"]!["agent_runs"]!["recordedBefore"], (long?)raw["covered"]!["agent_runs"]!["cs:lapsing"], (long?)raw["covered"]!["agent_runs"]!["cs:later"]));
    }

    [Fact]
    public async Task Counters_written_before_the_coverage_was_kept_saw_only_the_soonest_expired_add_ons_and_never_a_revoked_one()
    {
        // Their lapse of 400 covered the 500 expired units seen then: the soonest-expiring expired add-ons, in order, while
        // they fit. An expired add-on too large for what was seen ends that run (a smaller one after it expired later),
        // and a revoked one was never among them: both are taken by the rule now.
        var tooLarge = await Schema3CountersAsync(included: 1_400, lapsed: 400, expired: 500);
        var revokedFirst = await Schema3CountersAsync(included: 1_400, lapsed: 400, expired: 500);

        await _ledger.RecordAsync(Record(tooLarge, "next", November, AgentRuns, 1, null, Pro, included: 1_000, [new MeterAllowance("cs:large", 600, AllowanceState.Expired), new MeterAllowance("cs:small", 500, AllowanceState.Expired), Plan]), CancellationToken.None);
        await _ledger.RecordAsync(Record(revokedFirst, "next", November, AgentRuns, 1, null, Pro, included: 1_000, [new MeterAllowance("cs:refunded", 500, AllowanceState.Revoked), Lapsing, Plan]), CancellationToken.None);

        var large = await RawDocuments.ReadAsync(fixture.Containers.Accounts, $"usage:{tooLarge.Value}:month-2026-11", tooLarge.Value);
        var revoked = await RawDocuments.ReadAsync(fixture.Containers.Accounts, $"usage:{revokedFirst.Value}:month-2026-11", revokedFirst.Value);
        Assert.Equal((400L, 600L, 400L), ((long?)large!["covered"]!["agent_runs"]!["recordedBefore"], (long?)large["covered"]!["agent_runs"]!["cs:large"], (long?)large["covered"]!["agent_runs"]!["cs:small"]));
        Assert.Equal((400L, 500L, 0L), ((long?)revoked!["covered"]!["agent_runs"]!["recordedBefore"], (long?)revoked["covered"]!["agent_runs"]!["cs:refunded"], (long?)revoked["covered"]!["agent_runs"]!["cs:lapsing"]));
    }

    [Fact]
    public async Task Counters_stored_without_a_plan_take_the_plan_of_their_next_count_without_closing_a_stretch()
    {
        // The counters' plan is optional: counters stored without one have no plan's stretch to close. Their next count
        // records its plan and keeps one stretch, with nothing in `earlier` (a stretch of no plan would be priced by none).
        var account = Ids.NewAccount();
        await ConsumeAsync(account, November, AgentRuns, 300, null, Pro, included: 1_000, [Plan]);
        var stored = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, $"usage:{account.Value}:{November.Key}", account.Value))!;
        Assert.True(stored.Remove("plan"));
        await RawDocuments.UpsertAsync(fixture.Containers.Accounts, stored, account.Value);

        await ConsumeAsync(account, November, AgentRuns, 1, null, Pro, included: 1_000, [Plan]);

        var counted = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, $"usage:{account.Value}:{November.Key}", account.Value))!;
        Assert.Equal((Pro.Value, 0), ((string?)counted["plan"], counted["earlier"]?.AsArray().Count ?? 0));
    }

    [Fact]
    public async Task Counters_of_schema_2_read_without_lapses_and_their_next_count_applies_the_rule()
    {
        var account = await Schema2CountersAsync();

        var older = (await _ledger.GetAsync(account, November.Key, CancellationToken.None))!;
        var lapsed = await _ledger.RecordAsync(Record(account, "after-lapse", November, AgentRuns, 1, null, Pro, included: 1_000, [Lapsing, Plan]), CancellationToken.None);

        Assert.Equal((1_500L, 0), (older.Included[AgentRuns], older.Lapsed.Count));
        Assert.Equal(new CountedUsage(1_401, 1_500, 99, 0), lapsed.Key!.Counted); // the add-on's 500 were the first used
    }

    [Fact]
    public async Task An_amount_set_after_an_add_on_lapsed_keeps_the_lapse_for_the_next_count()
    {
        var account = Ids.NewAccount();
        await ConsumeAsync(account, November, AgentRuns, 300, null, Pro, included: 1_500, [Lapsing with { State = AllowanceState.InForce }, Plan]);

        await _ledger.SetIncludedAsync(account, November.Key, Pro, AgentRuns, 1_000, [Lapsing, Plan], CancellationToken.None); // the add-on expired
        var set = (await _ledger.GetAsync(account, November.Key, CancellationToken.None))!;
        var next = await _ledger.RecordAsync(Record(account, "after-lapse", November, AgentRuns, 1_001, null, Pro, included: 1_000, [Lapsing, Plan]), CancellationToken.None);

        Assert.Equal((1_300L, 300L, 500L), (set.Included[AgentRuns], set.Lapsed[AgentRuns], set.Expired[AgentRuns])); // 200 of it unused: gone
        Assert.Equal(new CountedUsage(1_301, 1_300, 0, 1), next.Key!.Counted); // the lapse is not taken a second time
    }

    [Fact]
    public async Task The_first_count_keeps_the_add_ons_already_expired_so_a_later_count_lapses_none_of_them()
    {
        var account = Ids.NewAccount();
        await ConsumeAsync(account, November, AgentRuns, 1_100, null, Pro, included: 1_000, [new MeterAllowance("cs:early", 300, AllowanceState.Expired), Plan]); // expired before any use

        var next = await _ledger.RecordAsync(Record(account, "later", November, AgentRuns, 1, null, Pro, included: 1_000, [new MeterAllowance("cs:early", 300, AllowanceState.Expired), Plan]), CancellationToken.None);

        var raw = await RawDocuments.ReadAsync(fixture.Containers.Accounts, $"usage:{account.Value}:month-2026-11", account.Value);
        Assert.Equal((300L, 0L, 0L), ((long?)raw!["expired"]!["agent_runs"], (long?)raw["lapsed"]!["agent_runs"], (long?)raw["covered"]!["agent_runs"]!["cs:early"]));
        Assert.Equal(new CountedUsage(1_101, 1_000, 0, 101), next.Key!.Counted);
    }

    [Fact]
    public async Task Invalid_amounts_are_rejected()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ConsumeAsync(Ids.NewAccount(), November, AgentRuns, 0, null));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ConsumeAsync(Ids.NewAccount(), November, AgentRuns, -5, null));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ConsumeAsync(Ids.NewAccount(), November, AgentRuns, 1, -1));
    }

    [Fact]
    public async Task A_key_counts_once_and_a_duplicate_gets_the_holder_with_the_first_answer()
    {
        var account = Ids.NewAccount();
        var first = Record(account, "job-42:step-1", November, AgentRuns, 3, limit: 20);

        var counted = await _ledger.RecordAsync(first, CancellationToken.None);
        var duplicate = await _ledger.RecordAsync(Record(account, "job-42:step-1", November, Tokens, 99, limit: null), CancellationToken.None);

        Assert.Equal(UsageRecordStatus.Counted, counted.Status);
        Assert.Equal(first.Key with { Counted = new CountedUsage(Used: 3, Limit: 20, Remaining: 17, Overage: 0) }, counted.Key);
        Assert.Equal(UsageRecordStatus.Duplicate, duplicate.Status);
        Assert.Equal(counted.Key, duplicate.Key); // every field as the first record stored it, answer included
        Assert.Null(duplicate.Count);
        var counters = (await _ledger.GetAsync(account, November.Key, CancellationToken.None))!;
        Assert.Equal((3L, 0L), (counters.Used(AgentRuns), counters.Used(Tokens)));
        Assert.Equal(counted.Key, await _ledger.GetKeyAsync(account, "job-42:step-1", CancellationToken.None));
    }

    [Theory]
    [InlineData(20L, null, 17L, 20L, 3L, 0L)] // hard limit
    [InlineData(null, 1_000L, 1_250L, 1_000L, 0L, 250L)] // overage meter past its included units
    [InlineData(null, null, 5L, null, null, 0L)] // unlimited
    [InlineData(2_000L, 1_000L, 1_250L, 2_000L, 750L, 250L)] // both (no plan's meter has both): the hard limit is the answer's limit, as AnswerAt has it
    public async Task The_answer_kept_on_the_key_is_the_one_the_application_works_out(long? limit, long? included, long used, long? answerLimit, long? remaining, long overage)
    {
        var account = Ids.NewAccount();
        if (used > 1)
        {
            await _ledger.RecordAsync(Record(account, "before", November, AgentRuns, used - 1, limit, included: included), CancellationToken.None);
        }

        var record = Record(account, "answer", November, AgentRuns, 1, limit, included: included);
        var counted = await _ledger.RecordAsync(record, CancellationToken.None);

        Assert.Equal(new CountedUsage(used, answerLimit, remaining, overage), counted.Key!.Counted);
        var after = (await _ledger.GetAsync(account, November.Key, CancellationToken.None))!;
        Assert.Equal(record.Consumption.AnswerAt(after), counted.Key.Counted); // the procedure and the application agree
        var raw = await RawDocuments.ReadAsync(fixture.Containers.Accounts, UsageKeyId(account, "answer"), account.Value);
        Assert.Equal(used, (long?)raw!["counted"]!["used"]);
    }

    [Fact]
    public async Task Keys_belong_to_one_account_and_any_printable_key_is_taken()
    {
        var account = Ids.NewAccount();
        var longKey = new string('k', 255);

        Assert.Equal(UsageRecordStatus.Counted, (await RecordAsync(account, "order-42:line-3/#?%")).Status);
        Assert.Equal(UsageRecordStatus.Counted, (await RecordAsync(account, longKey)).Status);
        Assert.Equal(UsageRecordStatus.Counted, (await RecordAsync(Ids.NewAccount(), "order-42:line-3/#?%")).Status);
        Assert.Equal(UsageRecordStatus.Counted, (await RecordAsync(account, "ORDER-42:LINE-3/#?%")).Status); // keys are case-sensitive
        Assert.Equal(longKey, (await RecordAsync(account, longKey)).Key!.IdempotencyKey);
        Assert.Equal(3, (await _ledger.GetAsync(account, November.Key, CancellationToken.None))!.Used(AgentRuns));
    }

    [Fact]
    public async Task Thirty_racing_records_of_one_key_count_exactly_once()
    {
        var account = Ids.NewAccount();

        var results = await Task.WhenAll(Enumerable.Range(1, 30).Select(i => Task.Run(() => _ledger.RecordAsync(Record(account, "racing-key", November, AgentRuns, 1, limit: 100), CancellationToken.None))));

        var winner = Assert.Single(results, r => r.Status == UsageRecordStatus.Counted);
        Assert.All(results.Where(r => r != winner), r => Assert.Equal((UsageRecordStatus.Duplicate, winner.Key), (r.Status, r.Key)));
        Assert.Equal(1, (await _ledger.GetAsync(account, November.Key, CancellationToken.None))!.Used(AgentRuns));
    }

    [Fact]
    public async Task A_refused_record_leaves_its_key_free_for_a_retry_that_fits()
    {
        var account = Ids.NewAccount();
        await RecordAsync(account, "fill", amount: 8, limit: 10);

        var refused = await RecordAsync(account, "retry-me", amount: 5, limit: 10);
        var retried = await RecordAsync(account, "retry-me", amount: 2, limit: 10);

        Assert.Equal((UsageRecordStatus.Refused, 8L), (refused.Status, refused.Count!.Counter));
        Assert.Null(refused.Key);
        Assert.Equal((UsageRecordStatus.Counted, 10L), (retried.Status, retried.Count!.Counter));
        Assert.Equal(2, (await _ledger.GetKeyAsync(account, "retry-me", CancellationToken.None))!.Quantity);
    }

    [Fact]
    public async Task A_count_past_the_most_a_counter_holds_is_refused_with_nothing_written_and_the_last_units_still_fit()
    {
        var account = Ids.NewAccount();
        await RecordAsync(account, "first");
        await fixture.Containers.Accounts.PatchItemAsync<JsonElement>(
            $"usage:{account.Value}:{November.Key.Value}", new PartitionKey(account.Value), [PatchOperation.Set("/counters/agent_runs", UsageCounters.MaxCount - 4)]);

        var full = await RecordAsync(account, "past-it", amount: 5);
        var last = await RecordAsync(account, "past-it", amount: 4);

        Assert.Equal(UsageRecordStatus.CounterFull, full.Status);
        Assert.Equal((UsageRecordStatus.Counted, UsageCounters.MaxCount), (last.Status, last.Count!.Counter)); // the refused attempt left the key free
        Assert.Equal(UsageCounters.MaxCount, (await _ledger.GetAsync(account, November.Key, CancellationToken.None))!.Used(AgentRuns));
        Assert.Equal(UsageRecordStatus.CounterFull, (await RecordAsync(account, "one-more")).Status);
    }

    [Fact]
    public async Task A_record_is_applied_only_while_the_account_is_at_the_version_its_limits_came_from()
    {
        var store = fixture.Get<Billing.Application.Accounts.IBillingAccountStore>();
        var account = (await store.GetOrCreateAsync(Ids.NewAccount(), CancellationToken.None)).Id;
        var changed = await store.UpdateAsync(account, a => a with { TrialUsedAt = new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero) }, CancellationToken.None);

        var stale = await _ledger.RecordAsync(Record(account, "k", November, AgentRuns, 1, 10) with { AccountVersion = changed.Version - 1 }, CancellationToken.None);
        var missing = await _ledger.RecordAsync(Record(Ids.NewAccount(), "k", November, AgentRuns, 1, 10) with { AccountVersion = 1 }, CancellationToken.None);
        var current = await _ledger.RecordAsync(Record(account, "k", November, AgentRuns, 1, 10) with { AccountVersion = changed.Version }, CancellationToken.None);

        Assert.Equal(UsageRecordStatus.StaleAccount, stale.Status);
        Assert.Equal(UsageRecordStatus.StaleAccount, missing.Status);
        Assert.Equal(UsageRecordStatus.Counted, current.Status); // the stale attempt left neither the key nor a count behind
        Assert.Equal(1, (await _ledger.GetAsync(account, November.Key, CancellationToken.None))!.Used(AgentRuns));
    }

    [Fact]
    public async Task A_write_conflict_inside_the_procedure_rolls_everything_back_with_the_message_the_ledger_retries_on()
    {
        var account = Ids.NewAccount();
        var sameId = "usage:" + account.Value + ":conflict";

        // The key and the counters under one id: the counters' create succeeds, then the key's create meets a 409.
        var input = new
        {
            accountDocumentId = "account:" + account.Value,
            key = new { id = sameId, accountId = account.Value, type = "usageKey", meter = "agent_runs", quantity = 1 },
            countersId = sameId,
            newCounters = new { id = sameId, accountId = account.Value, type = "usage", counters = new Dictionary<string, long> { ["agent_runs"] = 1 } },
            plan = "FREE",
            now = "2026-11-21T12:00:00.0000000Z",
        };
        var failure = await Assert.ThrowsAsync<CosmosException>(() => fixture.Containers.Accounts.Scripts.ExecuteStoredProcedureAsync<JsonElement>(
            Billing.Cosmos.Usage.CosmosUsageLedger.RecordUsageProcedureId, new PartitionKey(account.Value), [input]));

        Assert.Equal(HttpStatusCode.BadRequest, failure.StatusCode); // as Cosmos DB answers any aborted script
        Assert.Contains("recordUsage write conflict (409)", failure.Message, StringComparison.Ordinal);
        Assert.Null(await RawDocuments.ReadAsync(fixture.Containers.Accounts, sameId, account.Value)); // the counters' create was undone
    }

    [Fact]
    public async Task Key_document_expires_after_the_retention()
    {
        var account = Ids.NewAccount();
        await _ledger.RecordAsync(Record(account, "ttl-key", November, AgentRuns, 1, null), CancellationToken.None);

        var raw = (await RawDocuments.ReadAllAsync(fixture.Containers.Accounts))
            .Single(d => d.GetProperty("type").GetString() == "usageKey" && d.GetProperty("accountId").GetString() == account.Value);

        Assert.Equal(45 * 24 * 3600, raw.GetProperty("ttl").GetInt32());
        Assert.Equal("ttl-key", raw.GetProperty("idempotencyKey").GetString());
        Assert.StartsWith($"usage-key:{account.Value}:", raw.GetProperty("id").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parallel_marks_of_one_threshold_let_exactly_one_notify()
    {
        var account = Ids.NewAccount();
        await ConsumeAsync(account, November, AgentRuns, 8, 10);

        var marks = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            Task.Run(() => _ledger.TryMarkThresholdAsync(account, November.Key, AgentRuns, 80, CancellationToken.None))));

        Assert.Single(marks, m => m);
        Assert.False(await _ledger.TryMarkThresholdAsync(account, November.Key, AgentRuns, 80, CancellationToken.None));
        Assert.True(await _ledger.TryMarkThresholdAsync(account, November.Key, AgentRuns, 100, CancellationToken.None)); // another threshold
        Assert.True(await _ledger.TryMarkThresholdAsync(account, November.Key, Tokens, 80, CancellationToken.None)); // another meter
        Assert.False(await _ledger.TryMarkThresholdAsync(account, December.Key, AgentRuns, 80, CancellationToken.None)); // no usage in December
        var next = await ConsumeAsync(account, November, AgentRuns, 1, 10);
        Assert.Equal([80, 100], next.NotifiedThresholds.Order());
        var refused = await ConsumeAsync(account, November, AgentRuns, 5, 10);
        Assert.False(refused.Consumed);
        Assert.Equal([80, 100], refused.NotifiedThresholds.Order()); // also reported with a refusal
        Assert.Equal([80], (await ConsumeAsync(account, November, Tokens, 1, null)).NotifiedThresholds);
    }

    [Fact]
    public async Task An_unmarked_threshold_can_be_marked_again()
    {
        var account = Ids.NewAccount();
        await ConsumeAsync(account, November, AgentRuns, 9, 10);
        await _ledger.TryMarkThresholdAsync(account, November.Key, AgentRuns, 80, CancellationToken.None);

        await _ledger.UnmarkThresholdAsync(account, November.Key, AgentRuns, 80, CancellationToken.None);
        var afterUnmark = await ConsumeAsync(account, November, AgentRuns, 1, 10);
        await _ledger.UnmarkThresholdAsync(account, November.Key, AgentRuns, 80, CancellationToken.None); // not marked: no-op
        await _ledger.UnmarkThresholdAsync(account, December.Key, AgentRuns, 80, CancellationToken.None); // no document: no-op

        Assert.Empty(afterUnmark.NotifiedThresholds);
        Assert.True(await _ledger.TryMarkThresholdAsync(account, November.Key, AgentRuns, 80, CancellationToken.None));
        Assert.False(await _ledger.TryMarkThresholdAsync(account, November.Key, AgentRuns, 80, CancellationToken.None));
    }

    [Fact]
    public async Task Periods_are_listed_by_the_UTC_day_they_end_once_usage_was_counted_in_them()
    {
        // Days no other test of this class uses: the index partitions are shared by every account of the database.
        var monthly = Ids.NewAccount("monthly");
        var sameDay = Ids.NewAccount("same-day");
        var nextDay = Ids.NewAccount("next-day");
        var refusedOnly = Ids.NewAccount("refused");
        var offset = Ids.NewAccount("offset");
        var monthlyPeriod = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2031, 2, 17, 10, 0, 0, TimeSpan.Zero), new DateTimeOffset(2031, 3, 17, 10, 0, 0, TimeSpan.Zero));
        var sameDayPeriod = UsagePeriod.LocalTrial(new DateTimeOffset(2031, 3, 10, 23, 59, 59, TimeSpan.Zero), new DateTimeOffset(2031, 3, 17, 23, 59, 59, TimeSpan.Zero));
        var nextDayPeriod = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2031, 2, 18, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2031, 3, 18, 0, 0, 0, TimeSpan.Zero));
        var offsetPeriod = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2031, 2, 17, 1, 0, 0, TimeSpan.FromHours(2)), new DateTimeOffset(2031, 3, 17, 1, 0, 0, TimeSpan.FromHours(2))); // 16 March, 23:00 UTC

        await ConsumeAsync(monthly, monthlyPeriod, AgentRuns, 1, null);
        await ConsumeAsync(monthly, monthlyPeriod, Tokens, 5, null); // the entry is written once
        await ConsumeAsync(sameDay, sameDayPeriod, AgentRuns, 2, 10);
        await ConsumeAsync(nextDay, nextDayPeriod, AgentRuns, 1, null);
        await ConsumeAsync(refusedOnly, monthlyPeriod, AgentRuns, 11, 10);
        await ConsumeAsync(offset, offsetPeriod, AgentRuns, 1, null);

        var endingOnThe17th = await _ledger.ListPeriodsEndingAsync(new DateOnly(2031, 3, 17), CancellationToken.None);
        var endingOnThe18th = await _ledger.ListPeriodsEndingAsync(new DateOnly(2031, 3, 18), CancellationToken.None);
        var endingOnThe16th = await _ledger.ListPeriodsEndingAsync(new DateOnly(2031, 3, 16), CancellationToken.None);
        var endingOnThe15th = await _ledger.ListPeriodsEndingAsync(new DateOnly(2031, 3, 15), CancellationToken.None);

        Assert.Equal(
            [new UsagePeriodEntry(monthly, monthlyPeriod.Key, monthlyPeriod.Start, monthlyPeriod.End), new UsagePeriodEntry(sameDay, sameDayPeriod.Key, sameDayPeriod.Start, sameDayPeriod.End)],
            endingOnThe17th.OrderBy(e => e.AccountId.Value.StartsWith("monthly", StringComparison.Ordinal) ? 0 : 1));
        Assert.Equal([new UsagePeriodEntry(nextDay, nextDayPeriod.Key, nextDayPeriod.Start, nextDayPeriod.End)], endingOnThe18th);
        var offsetEntry = Assert.Single(endingOnThe16th);
        Assert.Equal((offset, offsetPeriod.Key, offsetPeriod.End), (offsetEntry.AccountId, offsetEntry.PeriodKey, offsetEntry.PeriodEnd));
        Assert.Empty(endingOnThe15th);
    }

    [Fact]
    public async Task Accounts_whose_periods_end_on_the_same_day_are_indexed_across_the_day_s_partitions_and_all_listed()
    {
        // Every free period ends on the 1st: one partition for the day would take every free account's first record
        // of the month. A month no other test uses. Two accounts per bucket (the first byte of the SHA-256 of the
        // account id, modulo 16), chosen from a fixed list of ids so that every bucket is used.
        var july = UsagePeriod.CalendarMonth(new DateTimeOffset(2033, 6, 20, 0, 0, 0, TimeSpan.Zero));
        var accounts = Enumerable.Range(0, 1_000)
            .Select(i => AccountId.Parse($"free-{i:D4}"))
            .GroupBy(Bucket)
            .SelectMany(bucket => bucket.Take(2))
            .ToList();
        await Task.WhenAll(accounts.Select(a => ConsumeAsync(a, july, AgentRuns, 1, 10)));

        var listed = await _ledger.ListPeriodsEndingAsync(new DateOnly(2033, 7, 1), CancellationToken.None);
        var partitions = (await RawDocuments.ReadAllAsync(fixture.Containers.Accounts))
            .Where(d => d.GetProperty("type").GetString() == "usagePeriod" && accounts.Any(a => a.Value == d.GetProperty("billingAccountId").GetString()))
            .ToDictionary(d => d.GetProperty("billingAccountId").GetString()!, d => d.GetProperty("accountId").GetString()!);

        Assert.Equal(32, accounts.Count);
        Assert.Equal(accounts.Select(a => a.Value).Order(), listed.Select(e => e.AccountId.Value).Order());
        Assert.All(accounts, a => Assert.Equal($"/usage-periods/2033-07-01/{Bucket(a):D2}", partitions[a.Value]));
        Assert.Equal(16, partitions.Values.Distinct().Count());

        static int Bucket(AccountId account) => SHA256.HashData(Encoding.UTF8.GetBytes(account.Value))[0] % 16;
    }

    [Fact]
    public async Task Periods_indexed_before_the_index_had_buckets_are_still_listed_marked_and_moved()
    {
        // Days no other test uses. Entries written by the version before the buckets sit in /usage-periods/{day}.
        var period = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2034, 1, 10, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2034, 2, 10, 9, 0, 0, TimeSpan.Zero));
        var (invoiced, moved) = (Ids.NewAccount("invoiced"), Ids.NewAccount("moved"));
        foreach (var account in (AccountId[])[invoiced, moved])
        {
            await ConsumeAsync(account, period, AgentRuns, 3, null);
            await UnbucketAsync(account);
            await ConsumeAsync(account, period, AgentRuns, 2, null); // counting goes on and writes no new entry
        }

        var listed = await _ledger.ListPeriodsEndingAsync(new DateOnly(2034, 2, 10), CancellationToken.None);
        await _ledger.MarkPeriodInvoicedAsync(invoiced, period.Key, period.End, CancellationToken.None);
        var newEnd = new DateTimeOffset(2034, 2, 12, 9, 0, 0, TimeSpan.Zero);
        await _ledger.MovePeriodEndAsync(moved, period.Key, PeriodEndMove.StillCurrent(newEnd, 2), CancellationToken.None);

        Assert.Equal([invoiced.Value, moved.Value], listed.Select(e => e.AccountId.Value).Order());
        Assert.Empty(await _ledger.ListPeriodsEndingAsync(new DateOnly(2034, 2, 10), CancellationToken.None));
        var entry = Assert.Single(await _ledger.ListPeriodsEndingAsync(new DateOnly(2034, 2, 12), CancellationToken.None));
        Assert.Equal((moved, newEnd), (entry.AccountId, entry.PeriodEnd));
        Assert.Single(await IndexEntriesAsync(moved)); // the unbucketed one is gone
    }

    [Fact]
    public async Task A_period_end_moves_while_the_account_keeps_counting_one_record_after_another()
    {
        // A cancellation or renewal webhook moves the end of a period its account keeps recording usage in: every record
        // changes the counters, and the move must not lose to them (it failed after 5 attempts, so the event was retried
        // towards the poison queue and the account stayed on its plan). Days no other test uses.
        var account = Ids.NewAccount();
        var period = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2035, 3, 7, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2035, 4, 7, 9, 0, 0, TimeSpan.Zero));
        await ConsumeAsync(account, period, AgentRuns, 1, null);
        var newEnd = period.End.AddDays(2);
        using var stop = new CancellationTokenSource();
        var counted = 0;
        var writers = Enumerable.Range(0, 1).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await ConsumeAsync(account, period, AgentRuns, 1, null);
                Interlocked.Increment(ref counted);
            }
        })).ToArray();

        try
        {
            while (Volatile.Read(ref counted) < 20)
            {
                await Task.Delay(10); // the writers are going
            }

            await _ledger.MovePeriodEndAsync(account, period.Key, PeriodEndMove.StillCurrent(newEnd, 2), CancellationToken.None);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        var counters = (await _ledger.GetAsync(account, period.Key, CancellationToken.None))!;
        Assert.Equal(newEnd, counters.Period.End);
        Assert.Equal(1 + counted, counters.Used(AgentRuns));
        Assert.Single(await _ledger.ListPeriodsEndingAsync(new DateOnly(2035, 4, 9), CancellationToken.None), e => e.AccountId == account);
        Assert.Single(await IndexEntriesAsync(account)); // the old day's entry is gone
    }

    [Fact]
    public async Task A_period_whose_end_moves_within_its_closing_day_keeps_its_one_index_entry_with_the_new_end()
    {
        // A day no other test uses: the end moves from 09:00 to 15:00 of the same UTC day, so the entry stays where it is.
        // Its end moves with it: the timer queues only the entries whose end has passed (and settled), so an entry left
        // at 15:00 for a period Stripe ended at 09:00 (a cancellation at once) was not invoiced until 15:00, and the
        // operator's run for the month did not count it as closed.
        var account = Ids.NewAccount();
        var period = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2034, 8, 3, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2034, 9, 3, 9, 0, 0, TimeSpan.Zero));
        await ConsumeAsync(account, period, AgentRuns, 4, null);

        await _ledger.MovePeriodEndAsync(account, period.Key, PeriodEndMove.StillCurrent(period.End.AddHours(6), 2), CancellationToken.None);

        var listed = Assert.Single(await _ledger.ListPeriodsEndingAsync(new DateOnly(2034, 9, 3), CancellationToken.None), e => e.AccountId == account); // still listed on its day
        Assert.Equal(period.End.AddHours(6), listed.PeriodEnd);
        Assert.Single(await IndexEntriesAsync(account));
        Assert.Equal(period.End.AddHours(6), (await _ledger.GetAsync(account, period.Key, CancellationToken.None))!.Period.End); // the job prices it from the counters' end

        await _ledger.MovePeriodEndAsync(account, period.Key, PeriodEndMove.Ended(period.End.AddHours(-3), 3), CancellationToken.None); // ended earlier the same day
        Assert.Equal(period.End.AddHours(-3), Assert.Single(await _ledger.ListPeriodsEndingAsync(new DateOnly(2034, 9, 3), CancellationToken.None), e => e.AccountId == account).PeriodEnd);
    }

    [Fact]
    public async Task A_run_priced_before_its_period_s_end_moved_marks_the_entry_on_the_new_day()
    {
        // Days no other test uses. The run keeps the end it was priced with; Stripe ended the period two days earlier since.
        var account = Ids.NewAccount();
        var period = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2034, 5, 20, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2034, 6, 20, 9, 0, 0, TimeSpan.Zero));
        await ConsumeAsync(account, period, AgentRuns, 4, null);
        await _ledger.MovePeriodEndAsync(account, period.Key, PeriodEndMove.Ended(period.End.AddDays(-2), 2), CancellationToken.None);

        await _ledger.MarkPeriodInvoicedAsync(account, period.Key, period.End, CancellationToken.None);

        Assert.Empty(await _ledger.ListPeriodsEndingAsync(new DateOnly(2034, 6, 18), CancellationToken.None));
        Assert.Empty(await _ledger.ListPeriodsEndingAsync(new DateOnly(2034, 6, 20), CancellationToken.None));
        Assert.True(Assert.Single(await IndexEntriesAsync(account)).TryGetProperty("invoicedAt", out _));
    }

    [Fact]
    public async Task A_move_stopped_before_the_old_entry_was_deleted_is_finished_by_its_redelivery()
    {
        using var store = new FaultyStore(fixture);
        var ledger = store.UsageLedger;
        var account = Ids.NewAccount();
        var estimated = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2035, 3, 5, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2035, 4, 5, 9, 0, 0, TimeSpan.Zero));
        var newEnd = new DateTimeOffset(2035, 4, 20, 9, 0, 0, TimeSpan.Zero);
        await ledger.RecordAsync(Record(account, "k1", estimated, AgentRuns, 3, null), CancellationToken.None);

        store.FailNext = (HttpMethod.Delete, "usage-period"); // the process stops as it deletes the old day's entry
        await Assert.ThrowsAnyAsync<Exception>(() => ledger.MovePeriodEndAsync(account, estimated.Key, PeriodEndMove.StillCurrent(newEnd, 2), CancellationToken.None));
        await ledger.MovePeriodEndAsync(account, estimated.Key, PeriodEndMove.StillCurrent(newEnd, 2), CancellationToken.None); // the redelivery

        Assert.Equal(newEnd, (await ledger.GetAsync(account, estimated.Key, CancellationToken.None))!.Period.End);
        var entry = Assert.Single(await IndexEntriesAsync(account));
        Assert.Equal(newEnd, entry.GetProperty("periodEnd").GetDateTimeOffset());
        Assert.DoesNotContain(await ledger.ListPeriodsEndingAsync(new DateOnly(2035, 4, 5), CancellationToken.None), e => e.AccountId == account);
    }

    [Fact]
    public async Task A_move_stopped_before_the_counters_moved_is_finished_by_its_redelivery()
    {
        using var store = new FaultyStore(fixture);
        var ledger = store.UsageLedger;
        var account = Ids.NewAccount();
        var counted = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2035, 6, 7, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2035, 7, 7, 9, 0, 0, TimeSpan.Zero));
        var endedAt = new DateTimeOffset(2035, 6, 21, 15, 0, 0, TimeSpan.Zero);
        await ledger.RecordAsync(Record(account, "k1", counted, AgentRuns, 3, null), CancellationToken.None);

        store.FailNext = (HttpMethod.Put, "usage"); // the process stops as it replaces the counters
        await Assert.ThrowsAnyAsync<Exception>(() => ledger.MovePeriodEndAsync(account, counted.Key, PeriodEndMove.Ended(endedAt, 2), CancellationToken.None));
        Assert.Equal(counted.End, (await ledger.GetAsync(account, counted.Key, CancellationToken.None))!.Period.End);
        Assert.Single(await ledger.ListPeriodsEndingAsync(new DateOnly(2035, 6, 21), CancellationToken.None), e => e.AccountId == account); // never missing from the index
        await ledger.MovePeriodEndAsync(account, counted.Key, PeriodEndMove.Ended(endedAt, 2), CancellationToken.None); // the redelivery

        Assert.Equal(endedAt, (await ledger.GetAsync(account, counted.Key, CancellationToken.None))!.Period.End);
        var entry = Assert.Single(await IndexEntriesAsync(account));
        Assert.Equal(endedAt, entry.GetProperty("periodEnd").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_move_from_an_older_account_state_than_the_one_Stripe_ended_the_period_in_leaves_it_ended()
    {
        // Days no other test uses. Counted with the end projected to 10 April; Stripe ended the period at the cancellation
        // (stored as account version 7 at the earliest); then the invoice job, holding version 6, which still had the period
        // open until Stripe's later end, moves it there.
        var account = Ids.NewAccount();
        var estimated = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2036, 3, 10, 8, 0, 0, TimeSpan.Zero), new DateTimeOffset(2036, 4, 10, 8, 0, 0, TimeSpan.Zero));
        var (cancelledAt, stripeEnd) = (new DateTimeOffset(2036, 4, 11, 1, 30, 0, TimeSpan.Zero), new DateTimeOffset(2036, 4, 13, 8, 0, 0, TimeSpan.Zero));
        await ConsumeAsync(account, estimated, AgentRuns, 4, null);
        Assert.False((await RawUsageAsync(account, estimated.Key)).ContainsKey("periodEndAccountVersion")); // a first count's end, as documents before it was kept

        Assert.True(await _ledger.MovePeriodEndAsync(account, estimated.Key, PeriodEndMove.Ended(cancelledAt, 7), CancellationToken.None));
        Assert.False(await _ledger.MovePeriodEndAsync(account, estimated.Key, PeriodEndMove.StillCurrent(stripeEnd, 6), CancellationToken.None));
        Assert.False(await _ledger.MovePeriodEndAsync(account, estimated.Key, PeriodEndMove.StillCurrent(stripeEnd, 7), CancellationToken.None)); // an unrelated write stored first

        Assert.Equal((cancelledAt, 4L), ((await _ledger.GetAsync(account, estimated.Key, CancellationToken.None))!.Period.End, (await _ledger.GetAsync(account, estimated.Key, CancellationToken.None))!.Used(AgentRuns)));
        Assert.Equal(cancelledAt, Assert.Single(await IndexEntriesAsync(account)).GetProperty("periodEnd").GetDateTimeOffset());
        Assert.Single(await _ledger.ListPeriodsEndingAsync(new DateOnly(2036, 4, 11), CancellationToken.None), e => e.AccountId == account);
        Assert.Equal(7, (long?)(await RawUsageAsync(account, estimated.Key))["periodEndAccountVersion"]);

        // An account state newer than the one that ended it, with the period open again, moves it.
        Assert.True(await _ledger.MovePeriodEndAsync(account, estimated.Key, PeriodEndMove.StillCurrent(stripeEnd, 8), CancellationToken.None));
        Assert.Equal(stripeEnd, (await _ledger.GetAsync(account, estimated.Key, CancellationToken.None))!.Period.End);
        Assert.Equal(8, (long?)(await RawUsageAsync(account, estimated.Key))["periodEndAccountVersion"]);
    }

    [Fact]
    public async Task A_period_Stripe_ended_while_a_move_from_an_older_account_state_was_under_way_stays_ended()
    {
        // Days no other test uses. The job's move read the counters and wrote the new day's entry; as it replaces the
        // counters, the cancellation's move (another instance) lands first: the job's replace fails and, read again, the
        // counters' end was set from a newer account state.
        using var store = new FaultyStore(fixture);
        var account = Ids.NewAccount();
        var estimated = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2036, 6, 10, 8, 0, 0, TimeSpan.Zero), new DateTimeOffset(2036, 7, 10, 8, 0, 0, TimeSpan.Zero));
        var (cancelledAt, stripeEnd) = (new DateTimeOffset(2036, 7, 11, 1, 30, 0, TimeSpan.Zero), new DateTimeOffset(2036, 7, 13, 8, 0, 0, TimeSpan.Zero));
        await ConsumeAsync(account, estimated, AgentRuns, 4, null);
        store.BeforeNext = (HttpMethod.Put, "usage", () => _ledger.MovePeriodEndAsync(account, estimated.Key, PeriodEndMove.Ended(cancelledAt, 7), CancellationToken.None));

        Assert.False(await store.UsageLedger.MovePeriodEndAsync(account, estimated.Key, PeriodEndMove.StillCurrent(stripeEnd, 6), CancellationToken.None));

        Assert.Null(store.BeforeNext); // the cancellation landed in between
        Assert.Equal(cancelledAt, (await _ledger.GetAsync(account, estimated.Key, CancellationToken.None))!.Period.End);
        Assert.Single(await _ledger.ListPeriodsEndingAsync(new DateOnly(2036, 7, 11), CancellationToken.None), e => e.AccountId == account);
        Assert.DoesNotContain(await _ledger.ListPeriodsEndingAsync(new DateOnly(2036, 7, 10), CancellationToken.None), e => e.AccountId == account);
    }

    [Fact]
    public async Task An_end_already_in_place_takes_the_newer_account_version_that_set_it_again()
    {
        // Days no other test uses. The cancellation's move was stamped with version 7, but its account was stored as 9
        // (two other writes first): its second move stamps 9, so a job holding 8 does not move the period back.
        var account = Ids.NewAccount();
        var estimated = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2036, 9, 10, 8, 0, 0, TimeSpan.Zero), new DateTimeOffset(2036, 10, 10, 8, 0, 0, TimeSpan.Zero));
        var (cancelledAt, stripeEnd) = (new DateTimeOffset(2036, 10, 11, 1, 30, 0, TimeSpan.Zero), new DateTimeOffset(2036, 10, 13, 8, 0, 0, TimeSpan.Zero));
        await ConsumeAsync(account, estimated, AgentRuns, 4, null);
        await _ledger.MovePeriodEndAsync(account, estimated.Key, PeriodEndMove.Ended(cancelledAt, 7), CancellationToken.None);

        Assert.True(await _ledger.MovePeriodEndAsync(account, estimated.Key, PeriodEndMove.Ended(cancelledAt, 9), CancellationToken.None));
        Assert.True(await _ledger.MovePeriodEndAsync(account, estimated.Key, PeriodEndMove.Ended(cancelledAt, 8), CancellationToken.None)); // an older one never lowers it

        Assert.Equal(9, (long?)(await RawUsageAsync(account, estimated.Key))["periodEndAccountVersion"]);
        Assert.False(await _ledger.MovePeriodEndAsync(account, estimated.Key, PeriodEndMove.StillCurrent(stripeEnd, 8), CancellationToken.None));
        Assert.True(await _ledger.MovePeriodEndAsync(account, estimated.Key, PeriodEndMove.StillCurrent(cancelledAt, 8), CancellationToken.None)); // already where that state has it: not refused
        Assert.Equal(cancelledAt, (await _ledger.GetAsync(account, estimated.Key, CancellationToken.None))!.Period.End);
        Assert.Equal(9, (long?)(await RawUsageAsync(account, estimated.Key))["periodEndAccountVersion"]);
        Assert.Single(await IndexEntriesAsync(account));
    }

    [Fact]
    public async Task A_move_with_nothing_to_move_is_not_refused_and_writes_nothing()
    {
        // No counters (nothing counted in the period), or an end at or before their start: nothing happens, and the
        // answer is true (false says only that a newer account state set the end, which the job logs as such).
        var account = Ids.NewAccount();
        var counted = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2037, 1, 10, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2037, 2, 10, 9, 0, 0, TimeSpan.Zero));

        Assert.True(await _ledger.MovePeriodEndAsync(account, counted.Key, PeriodEndMove.StillCurrent(counted.End.AddDays(2), 2), CancellationToken.None));
        Assert.Null(await _ledger.GetAsync(account, counted.Key, CancellationToken.None));
        Assert.Empty(await IndexEntriesAsync(account));

        await ConsumeAsync(account, counted, AgentRuns, 2, null);
        Assert.True(await _ledger.MovePeriodEndAsync(account, counted.Key, PeriodEndMove.StillCurrent(counted.Start, 2), CancellationToken.None));
        Assert.Equal(counted.End, (await _ledger.GetAsync(account, counted.Key, CancellationToken.None))!.Period.End);
        Assert.False((await RawUsageAsync(account, counted.Key)).ContainsKey("periodEndAccountVersion"));
    }

    [Fact]
    public async Task An_end_Stripe_moves_from_an_older_account_state_keeps_the_newer_version_its_end_was_set_from()
    {
        // Days no other test uses. Stripe ended the period at 11 March 01:30 in version 9; a move of Stripe's from version 8
        // (its webhook's instance read the account before) lands later with another end: Stripe's moves always apply, but
        // the version stamped is never lowered, so a job holding version 9 still cannot move the period to its later end.
        var account = Ids.NewAccount();
        var counted = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2037, 3, 10, 8, 0, 0, TimeSpan.Zero), new DateTimeOffset(2037, 4, 10, 8, 0, 0, TimeSpan.Zero));
        var (endedAt, olderEnd) = (new DateTimeOffset(2037, 3, 21, 1, 30, 0, TimeSpan.Zero), new DateTimeOffset(2037, 3, 23, 1, 30, 0, TimeSpan.Zero));
        await ConsumeAsync(account, counted, AgentRuns, 4, null);
        await _ledger.MovePeriodEndAsync(account, counted.Key, PeriodEndMove.Ended(endedAt, 9), CancellationToken.None);

        Assert.True(await _ledger.MovePeriodEndAsync(account, counted.Key, PeriodEndMove.Ended(olderEnd, 8), CancellationToken.None));

        Assert.Equal(olderEnd, (await _ledger.GetAsync(account, counted.Key, CancellationToken.None))!.Period.End);
        Assert.Equal(9, (long?)(await RawUsageAsync(account, counted.Key))["periodEndAccountVersion"]);
        Assert.False(await _ledger.MovePeriodEndAsync(account, counted.Key, PeriodEndMove.StillCurrent(counted.End, 9), CancellationToken.None));
        Assert.Equal(olderEnd, (await _ledger.GetAsync(account, counted.Key, CancellationToken.None))!.Period.End);
    }

    [Fact]
    public async Task A_newer_version_stamped_on_an_end_in_place_is_not_lost_to_a_record_counted_meanwhile()
    {
        // Days no other test uses. The cancellation's second move (the account stored as 9) finds the end in place and only
        // stamps the version; a record lands between its read and its replace, which fails: read again, it stamps then.
        using var store = new FaultyStore(fixture);
        var account = Ids.NewAccount();
        var counted = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2037, 5, 10, 8, 0, 0, TimeSpan.Zero), new DateTimeOffset(2037, 6, 10, 8, 0, 0, TimeSpan.Zero));
        var endedAt = new DateTimeOffset(2037, 5, 21, 1, 30, 0, TimeSpan.Zero);
        await ConsumeAsync(account, counted, AgentRuns, 4, null);
        await _ledger.MovePeriodEndAsync(account, counted.Key, PeriodEndMove.Ended(endedAt, 7), CancellationToken.None);
        store.BeforeNext = (HttpMethod.Put, "usage", () => ConsumeAsync(account, new UsagePeriod(counted.Start, endedAt, counted.Key), AgentRuns, 1, null));

        Assert.True(await store.UsageLedger.MovePeriodEndAsync(account, counted.Key, PeriodEndMove.Ended(endedAt, 9), CancellationToken.None));

        Assert.Null(store.BeforeNext); // the record landed in between
        Assert.Equal((endedAt, 5L), ((await _ledger.GetAsync(account, counted.Key, CancellationToken.None))!.Period.End, (await _ledger.GetAsync(account, counted.Key, CancellationToken.None))!.Used(AgentRuns)));
        Assert.Equal(9, (long?)(await RawUsageAsync(account, counted.Key))["periodEndAccountVersion"]);
        Assert.False(await _ledger.MovePeriodEndAsync(account, counted.Key, PeriodEndMove.StillCurrent(counted.End, 8), CancellationToken.None));
    }

    [Fact]
    public async Task A_move_that_lost_to_another_move_to_another_day_moves_the_index_entry_from_that_day_too()
    {
        // Days no other test uses. A move to 21 July deletes the 10 August entry; before it replaces the counters, another
        // instance moves them to 25 July (indexed there). Its replace fails; read again, the counters end on 25 July, whose
        // entry must go too, or it stays listed on a day the period does not end (its job finds the period ending later,
        // does nothing, and the entry is never marked invoiced).
        using var store = new FaultyStore(fixture);
        var account = Ids.NewAccount();
        var counted = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2037, 7, 10, 8, 0, 0, TimeSpan.Zero), new DateTimeOffset(2037, 8, 10, 8, 0, 0, TimeSpan.Zero));
        var (first, other) = (new DateTimeOffset(2037, 7, 21, 1, 30, 0, TimeSpan.Zero), new DateTimeOffset(2037, 7, 25, 1, 30, 0, TimeSpan.Zero));
        await ConsumeAsync(account, counted, AgentRuns, 4, null);
        store.BeforeNext = (HttpMethod.Put, "usage", () => _ledger.MovePeriodEndAsync(account, counted.Key, PeriodEndMove.Ended(other, 8), CancellationToken.None));

        Assert.True(await store.UsageLedger.MovePeriodEndAsync(account, counted.Key, PeriodEndMove.Ended(first, 7), CancellationToken.None));

        Assert.Null(store.BeforeNext); // the other move landed in between
        Assert.Equal(first, (await _ledger.GetAsync(account, counted.Key, CancellationToken.None))!.Period.End);
        Assert.Equal(first, Assert.Single(await IndexEntriesAsync(account)).GetProperty("periodEnd").GetDateTimeOffset());
        Assert.Empty(await _ledger.ListPeriodsEndingAsync(new DateOnly(2037, 7, 25), CancellationToken.None));
    }

    [Fact]
    public async Task A_period_Stripe_extended_moves_to_its_new_closing_day_with_its_counts()
    {
        // Days no other test of this class uses: the index partitions are shared by every account of the database.
        var account = Ids.NewAccount();
        var estimated = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2032, 4, 2, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2032, 5, 2, 9, 0, 0, TimeSpan.Zero));
        var newEnd = new DateTimeOffset(2032, 7, 19, 9, 0, 0, TimeSpan.Zero);
        await ConsumeAsync(account, estimated, AgentRuns, 7, null);

        await _ledger.MovePeriodEndAsync(account, estimated.Key, PeriodEndMove.StillCurrent(newEnd, 2), CancellationToken.None);
        await _ledger.MovePeriodEndAsync(account, estimated.Key, PeriodEndMove.StillCurrent(newEnd, 2), CancellationToken.None); // again: nothing more

        Assert.DoesNotContain(await _ledger.ListPeriodsEndingAsync(new DateOnly(2032, 5, 2), CancellationToken.None), e => e.AccountId == account);
        var entry = Assert.Single(await _ledger.ListPeriodsEndingAsync(new DateOnly(2032, 7, 19), CancellationToken.None), e => e.AccountId == account);
        Assert.Equal((estimated.Key, estimated.Start, newEnd), (entry.PeriodKey, entry.PeriodStart, entry.PeriodEnd));
        var counters = (await _ledger.GetAsync(account, estimated.Key, CancellationToken.None))!;
        Assert.Equal((estimated.Start, newEnd, 7L), (counters.Period.Start, counters.Period.End, counters.Used(AgentRuns)));

        // Counting in the moved period goes on as before.
        await ConsumeAsync(account, new UsagePeriod(estimated.Start, newEnd, estimated.Key), AgentRuns, 3, null);
        Assert.Equal(10, (await _ledger.GetAsync(account, estimated.Key, CancellationToken.None))!.Used(AgentRuns));
    }

    [Fact]
    public async Task A_period_the_subscription_ended_early_moves_back_to_its_real_closing_day_unless_it_was_invoiced()
    {
        var account = Ids.NewAccount();
        var counted = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2033, 3, 10, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2033, 4, 10, 9, 0, 0, TimeSpan.Zero));
        var endedAt = new DateTimeOffset(2033, 3, 20, 15, 30, 0, TimeSpan.Zero);
        await ConsumeAsync(account, counted, AgentRuns, 1_250, null);

        await _ledger.MovePeriodEndAsync(account, counted.Key, PeriodEndMove.Ended(endedAt, 2), CancellationToken.None);
        await _ledger.MovePeriodEndAsync(account, counted.Key, PeriodEndMove.Ended(counted.Start, 3), CancellationToken.None); // never to nothing

        Assert.DoesNotContain(await _ledger.ListPeriodsEndingAsync(new DateOnly(2033, 4, 10), CancellationToken.None), e => e.AccountId == account);
        var entry = Assert.Single(await _ledger.ListPeriodsEndingAsync(new DateOnly(2033, 3, 20), CancellationToken.None), e => e.AccountId == account);
        Assert.Equal((counted.Start, endedAt), (entry.PeriodStart, entry.PeriodEnd));
        Assert.Equal((endedAt, 1_250L), ((await _ledger.GetAsync(account, counted.Key, CancellationToken.None))!.Period.End, (await _ledger.GetAsync(account, counted.Key, CancellationToken.None))!.Used(AgentRuns)));

        await _ledger.MarkPeriodInvoicedAsync(account, counted.Key, endedAt, CancellationToken.None);
        await _ledger.MovePeriodEndAsync(account, counted.Key, PeriodEndMove.Ended(counted.End, 4), CancellationToken.None); // invoiced: stays as billed
        Assert.Equal(endedAt, (await _ledger.GetAsync(account, counted.Key, CancellationToken.None))!.Period.End);
    }

    [Fact]
    public async Task Periods_started_in_a_range_are_listed_oldest_first_for_that_account_only()
    {
        var account = Ids.NewAccount();
        var other = Ids.NewAccount();
        var subscription = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2026, 11, 10, 8, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 10, 8, 0, 0, TimeSpan.Zero));
        var trial = UsagePeriod.LocalTrial(new DateTimeOffset(2026, 11, 30, 23, 59, 59, TimeSpan.Zero), new DateTimeOffset(2026, 12, 7, 23, 59, 59, TimeSpan.Zero));
        await ConsumeAsync(account, subscription, AgentRuns, 2, null, Pro, included: 1_000);
        await ConsumeAsync(account, December, AgentRuns, 1, null);
        await ConsumeAsync(account, October, AgentRuns, 1, null);
        await ConsumeAsync(account, November, AgentRuns, 4, null);
        await ConsumeAsync(account, trial, Tokens, 6, null);
        await ConsumeAsync(other, November, AgentRuns, 1, null);

        var started = await _ledger.ListStartedAsync(account, November.Start, December.Start, CancellationToken.None);

        Assert.Equal([November.Key, subscription.Key, trial.Key], started.Select(c => c.Period.Key));
        Assert.All(started, c => Assert.Equal(account, c.AccountId));
        Assert.Equal(4, started[0].Used(AgentRuns));
        Assert.Equal((Pro, 1_000L), (started[1].Plan, started[1].Included[AgentRuns]));
        Assert.Equal(subscription, started[1].Period);
        Assert.Equal(6, started[2].Used(Tokens));
        Assert.Empty(await _ledger.ListStartedAsync(account, new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 2, 1, 0, 0, 0, TimeSpan.Zero), CancellationToken.None));
        Assert.Empty(await _ledger.ListStartedAsync(Ids.NewAccount(), November.Start, December.Start, CancellationToken.None));
    }

    [Fact]
    public async Task An_invoiced_closing_day_entry_carries_a_time_to_live_and_one_not_invoiced_does_not()
    {
        // One entry per account and period with usage, for ever: tens of thousands of accounts leave hundreds of
        // thousands a year that nothing reads once invoiced (the timer lists only entries without invoicedAt). Marked
        // invoiced, an entry expires (the container's time to live is on without a default; the local server ignores
        // ttl, so the document's shape is the proof). Days no other test uses.
        var period = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2036, 2, 11, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2036, 3, 11, 9, 0, 0, TimeSpan.Zero));
        var (invoiced, open) = (Ids.NewAccount("invoiced"), Ids.NewAccount("open"));
        await ConsumeAsync(invoiced, period, AgentRuns, 3, null);
        await ConsumeAsync(open, period, AgentRuns, 3, null);

        await _ledger.MarkPeriodInvoicedAsync(invoiced, period.Key, period.End, CancellationToken.None);

        var marked = Assert.Single(await IndexEntriesAsync(invoiced));
        Assert.True(marked.TryGetProperty("ttl", out var ttl), "the invoiced entry has no ttl: it is kept for ever");
        Assert.Equal((int)CosmosUsageLedger.InvoicedEntryRetention.TotalSeconds, ttl.GetInt32());
        Assert.True(CosmosUsageLedger.InvoicedEntryRetention >= TimeSpan.FromDays(400)); // the longest look-back and catch-up (InvoicingOptions.MaxLookbackDays)
        Assert.False(Assert.Single(await IndexEntriesAsync(open)).TryGetProperty("ttl", out _)); // still to invoice: kept
    }

    [Fact]
    public async Task A_period_marked_invoiced_again_keeps_its_first_invoiced_time()
    {
        // A finished run delivered again marks its period again: the entry keeps when it was invoiced (and its ttl from then).
        var period = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2036, 5, 11, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2036, 6, 11, 9, 0, 0, TimeSpan.Zero));
        var account = Ids.NewAccount();
        await ConsumeAsync(account, period, AgentRuns, 3, null);
        await _ledger.MarkPeriodInvoicedAsync(account, period.Key, period.End, CancellationToken.None);
        var first = Assert.Single(await IndexEntriesAsync(account)).GetProperty("invoicedAt").GetDateTimeOffset();
        await Task.Delay(TimeSpan.FromMilliseconds(20));

        await _ledger.MarkPeriodInvoicedAsync(account, period.Key, period.End, CancellationToken.None);

        Assert.Equal(first, Assert.Single(await IndexEntriesAsync(account)).GetProperty("invoicedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Periods_ended_in_a_range_are_listed_earliest_end_first_for_that_account_only()
    {
        // What holds expired credit for an invoice (PendingInvoiceSpends) reads only the periods ending in its window,
        // not the account's whole history; one whose end moved into the window is found by its end, however early it started.
        var account = Ids.NewAccount();
        var other = Ids.NewAccount();
        var subscription = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2026, 11, 10, 8, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 10, 8, 0, 0, TimeSpan.Zero));
        var trial = UsagePeriod.LocalTrial(new DateTimeOffset(2026, 11, 30, 23, 59, 59, TimeSpan.Zero), new DateTimeOffset(2026, 12, 7, 23, 59, 59, TimeSpan.Zero));
        await ConsumeAsync(account, subscription, AgentRuns, 2, null, Pro, included: 1_000);
        await ConsumeAsync(account, December, AgentRuns, 1, null);
        await ConsumeAsync(account, October, AgentRuns, 1, null);
        await ConsumeAsync(account, November, AgentRuns, 4, null);
        await ConsumeAsync(account, trial, Tokens, 6, null);
        await ConsumeAsync(other, November, AgentRuns, 1, null);
        var movedEnd = new DateTimeOffset(2026, 12, 5, 0, 0, 0, TimeSpan.Zero);
        await _ledger.MovePeriodEndAsync(account, October.Key, PeriodEndMove.StillCurrent(movedEnd, 2), CancellationToken.None);

        var ended = await _ledger.ListEndedAsync(account, December.Start, subscription.End, CancellationToken.None);

        Assert.Equal([November.Key, October.Key, trial.Key], ended.Select(c => c.Period.Key));
        Assert.All(ended, c => Assert.Equal(account, c.AccountId));
        Assert.Equal((4L, movedEnd), (ended[0].Used(AgentRuns), ended[1].Period.End));
        Assert.Empty(await _ledger.ListEndedAsync(Ids.NewAccount(), December.Start, subscription.End, CancellationToken.None));
    }

    /// <summary>An account's November counters (1,400 runs under PRO with 1,500 included) as schema 2 wrote them: no lapses, no expiries.</summary>
    private static readonly MeterAllowance Plan = new(MeterAllowance.PlanId, 1_000, AllowanceState.InForce);

    private static readonly MeterAllowance Lapsing = new("cs:lapsing", 500, AllowanceState.Expired);

    private static MeterAllowance Short(AllowanceState state) => new("cs:short", 500, state);

    private static MeterAllowance Long(AllowanceState state) => new("cs:long", 500, state);

    /// <summary>Counters of 1,400 runs as <c>recordUsage-v4</c> wrote them (schema 3: no <c>covered</c>).</summary>
    private async Task<AccountId> Schema3CountersAsync(long included, long lapsed, long expired)
    {
        var account = Ids.NewAccount();
        await ConsumeAsync(account, November, AgentRuns, 1_400, null, Pro, included: 1_500);
        var raw = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, $"usage:{account.Value}:month-2026-11", account.Value))!;
        raw.Remove("covered");
        raw["included"]!["agent_runs"] = included;
        raw["lapsed"]!["agent_runs"] = lapsed;
        raw["expired"]!["agent_runs"] = expired;
        raw["schemaVersion"] = 3;
        await RawDocuments.UpsertAsync(fixture.Containers.Accounts, raw, account.Value);
        return account;
    }

    private async Task<AccountId> Schema2CountersAsync()
    {
        var account = Ids.NewAccount();
        await ConsumeAsync(account, November, AgentRuns, 1_400, null, Pro, included: 1_500);
        var raw = (await RawDocuments.ReadAsync(fixture.Containers.Accounts, $"usage:{account.Value}:month-2026-11", account.Value))!;
        raw.Remove("lapsed");
        raw.Remove("expired");
        raw.Remove("covered");
        raw["schemaVersion"] = 2;
        await RawDocuments.UpsertAsync(fixture.Containers.Accounts, raw, account.Value);
        return account;
    }

    private async Task<UsageConsumeResult> ConsumeAsync(AccountId account, UsagePeriod period, MeterName meter, long amount, long? limit, PlanCode? plan = null, long? included = null, MeterAllowance[]? allowances = null) =>
        (await _ledger.RecordAsync(Record(account, Guid.NewGuid().ToString("N"), period, meter, amount, limit, plan, included, allowances), CancellationToken.None)).Count!;

    private Task<UsageRecordResult> RecordAsync(AccountId account, string key, long amount = 1, long? limit = null) =>
        _ledger.RecordAsync(Record(account, key, November, AgentRuns, amount, limit), CancellationToken.None);

    private static UsageRecord Record(
        AccountId account, string key, UsagePeriod period, MeterName meter, long amount, long? limit, PlanCode? plan = null, long? included = null, MeterAllowance[]? allowances = null, string? subscriptionId = null) =>
        UsageRecord.Of(
            new UsageConsumption(account, period, meter, amount, limit, plan ?? Free, included, allowances, subscriptionId),
            key,
            occurredAt: period.Start.AddMinutes(1),
            recordedAt: period.Start.AddMinutes(2),
            TimeSpan.FromDays(45),
            accountVersion: null);

    private async Task<System.Text.Json.Nodes.JsonObject> RawUsageAsync(AccountId account, UsagePeriodKey periodKey) =>
        (await RawDocuments.ReadAsync(fixture.Containers.Accounts, $"usage:{account.Value}:{periodKey.Value}", account.Value))!;

    private async Task<List<JsonElement>> IndexEntriesAsync(AccountId account) =>
        [.. (await RawDocuments.ReadAllAsync(fixture.Containers.Accounts)).Where(d => d.GetProperty("type").GetString() == "usagePeriod" && d.GetProperty("billingAccountId").GetString() == account.Value)];

    /// <summary>Moves the account's closing-day entry to the day's one partition, where versions before the buckets wrote it.</summary>
    private async Task UnbucketAsync(AccountId account)
    {
        var entry = Assert.Single(await IndexEntriesAsync(account));
        var (id, partition) = (entry.GetProperty("id").GetString()!, entry.GetProperty("accountId").GetString()!);
        (await fixture.Containers.Accounts.DeleteItemStreamAsync(id, new PartitionKey(partition))).EnsureSuccessStatusCode();
        var unbucketed = System.Text.Json.Nodes.JsonNode.Parse(entry.GetRawText())!.AsObject();
        unbucketed["accountId"] = partition[..partition.LastIndexOf('/')];
        await RawDocuments.UpsertAsync(fixture.Containers.Accounts, unbucketed, unbucketed["accountId"]!.GetValue<string>());
    }

    private static string UsageKeyId(AccountId account, string key) =>
        $"usage-key:{account.Value}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))}";
}
