using System.Globalization;
using System.Net;
using System.Text.Json;
using Billing.Domain.Plans;
using Billing.Domain.Subscriptions;
using Billing.EndToEnd.Tests.Accounts;
using Billing.EndToEnd.Tests.Support;
using Billing.TestSupport;

namespace Billing.EndToEnd.Tests.Metering;

/// <summary>
/// Limits follow the account's state the moment it changes (trial, paid, grace, free fallback, upgrade), a new period
/// starts at zero without any job, soft limits record overage priced, thresholds notify once. Account states are
/// seeded as the webhook processing stores them; the development catalog's plans apply.
/// </summary>
[Collection(BillingApiTestGroup.Name)]
public sealed class UsageRulesTests(BillingApiFixture api)
{
    [Fact]
    public async Task A_soft_limited_meter_records_beyond_the_included_units_and_prices_the_overage()
    {
        var accountId = await api.RegisterAsync();
        await api.SeedAsync(accountId, a => SeededStates.Subscribed(a, SubscriptionStatus.Active, DateTimeOffset.UtcNow.AddDays(-2)));

        (await RecordAsync(accountId, "agent_runs", 5_000)).ShouldBe(HttpStatusCode.OK);
        var beyond = (await RecordAsync(accountId, "agent_runs", 7)).ShouldBe(HttpStatusCode.OK);

        Assert.Equal(5_007, beyond.GetProperty("used").GetInt64());
        Assert.Equal(5_000, beyond.GetProperty("limit").GetInt64());
        Assert.Equal(7, beyond.GetProperty("overage").GetInt64());
        var period = (await api.GetAsync("/api/billing/usage?period=current", api.Token(accountId))).ShouldBe(HttpStatusCode.OK).GetProperty("periods")[0];
        var runs = UsageConcurrencyTests.Meter(period, "agent_runs");
        Assert.Equal(7, runs.GetProperty("overageUnits").GetInt64());
        Assert.Equal(14, runs.GetProperty("overageCharge").GetProperty("amount").GetInt64()); // PRO: 2 cents per run
        Assert.Equal(JsonValueKind.Array, period.GetProperty("overageTotal").ValueKind);
        Assert.Contains(period.GetProperty("overageTotal").EnumerateArray(), m => m.GetProperty("amount").GetInt64() == 14 && m.GetProperty("currency").GetString() == "usd");
    }

    [Fact]
    public async Task A_new_period_starts_at_zero_without_a_job_and_the_closed_one_stays_readable()
    {
        // A monthly subscription whose period ends a few seconds from now; Stripe's renewal is not seen (projected). Its
        // end is stored as such: a month after its start is days earlier when the month before is shorter (Mar 31 - 1
        // month + 1 month = Mar 28), a period that would have closed already.
        var (accountId, periodEnd, (full, refused)) = await BeforeItEndsAsync(TimeSpan.FromSeconds(6), async (accountId, periodEnd) =>
        {
            await api.SeedAsync(accountId, a => SeededStates.Subscribed(a, SubscriptionStatus.Active, periodEnd.AddMonths(-1), planCode: "BASIC") is var s
                ? s with { Subscription = s.Subscription! with { CurrentPeriodEnd = periodEnd } }
                : s);
            return (await RecordAsync(accountId, "agent_runs", 500), await RecordAsync(accountId, "agent_runs", 1));
        });
        var periodStart = periodEnd.AddMonths(-1);
        full.ShouldBe(HttpStatusCode.OK);
        refused.ShouldBeProblem(HttpStatusCode.PaymentRequired);

        await Eventually.PastAsync(periodEnd, TimeSpan.FromMilliseconds(500));
        var next = (await RecordAsync(accountId, "agent_runs", 3)).ShouldBe(HttpStatusCode.OK);

        Assert.Equal(3, next.GetProperty("used").GetInt64());
        Assert.Equal(periodEnd.ToUnixTimeSeconds(), next.GetProperty("periodStart").GetDateTimeOffset().ToUnixTimeSeconds());
        var month = periodStart.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var closed = (await api.GetAsync($"/api/billing/usage?period={month}", api.Token(accountId))).ShouldBe(HttpStatusCode.OK).GetProperty("periods");
        var old = Assert.Single(closed.EnumerateArray(), p => p.GetProperty("start").GetDateTimeOffset().ToUnixTimeSeconds() == periodStart.ToUnixTimeSeconds());
        Assert.Equal(500, UsageConcurrencyTests.Meter(old, "agent_runs").GetProperty("used").GetInt64());
    }

    [Fact]
    public async Task A_local_trial_has_the_trial_limits_for_its_window()
    {
        var accountId = await api.RegisterAsync();
        (await api.PostAsync("/api/billing/trial", api.Token(accountId))).ShouldBe(HttpStatusCode.OK);

        var entitlements = await EntitlementsAsync(accountId);
        Assert.Equal("localTrial", entitlements.GetProperty("reason").GetString());
        Assert.Equal(200, LimitOf(entitlements, "agent_runs")); // TRIAL: 200 runs
        (await RecordAsync(accountId, "agent_runs", 200)).ShouldBe(HttpStatusCode.OK);
        (await RecordAsync(accountId, "agent_runs", 1)).ShouldBeProblem(HttpStatusCode.PaymentRequired);
    }

    [Fact]
    public async Task Past_due_keeps_the_paid_limits_within_grace_then_falls_back_to_free()
    {
        var grace = TimeSpan.FromDays(7); // Billing:Entitlements:PastDueGracePeriod of the development settings
        var (accountId, graceEnd, (inGrace, recorded)) = await BeforeItEndsAsync(TimeSpan.FromSeconds(6), async (accountId, graceEnd) =>
        {
            await api.SeedAsync(accountId, a => SeededStates.Subscribed(a, SubscriptionStatus.PastDue, DateTimeOffset.UtcNow.AddDays(-10), planCode: "BASIC") is var s
                ? s with { LastPaidPlan = PlanCode.Parse("BASIC"), Subscription = s.Subscription! with { PastDueSince = graceEnd - grace } }
                : s);
            return (await EntitlementsAsync(accountId), await RecordAsync(accountId, "agent_runs", 100));
        });

        Assert.Equal("gracePeriod", inGrace.GetProperty("reason").GetString());
        Assert.Equal(500, LimitOf(inGrace, "agent_runs"));
        recorded.ShouldBe(HttpStatusCode.OK);

        await Eventually.PastAsync(graceEnd, TimeSpan.FromMilliseconds(500));
        var fallback = await EntitlementsAsync(accountId);
        Assert.Equal("freeFallback", fallback.GetProperty("reason").GetString());
        Assert.Equal(20, LimitOf(fallback, "agent_runs"));
        var refused = (await RecordAsync(accountId, "agent_runs", 21)).ShouldBeProblem(HttpStatusCode.PaymentRequired);
        Assert.Equal("FREE", refused.GetProperty("plan").GetString());
    }

    [Fact]
    public async Task A_canceled_subscription_falls_back_to_the_free_limits_and_features()
    {
        var accountId = await api.RegisterAsync();
        var ended = DateTimeOffset.UtcNow.AddMinutes(-5);
        await api.SeedAsync(accountId, a => SeededStates.Subscribed(a, SubscriptionStatus.Canceled, DateTimeOffset.UtcNow.AddDays(-20), endedAt: ended));

        var entitlements = await EntitlementsAsync(accountId);

        Assert.Equal("freeFallback", entitlements.GetProperty("reason").GetString());
        Assert.Equal("FREE", entitlements.GetProperty("plan").GetProperty("code").GetString());
        Assert.Equal(20, LimitOf(entitlements, "agent_runs"));
        Assert.All(entitlements.GetProperty("features").EnumerateArray(), f => Assert.False(f.GetProperty("enabled").GetBoolean()));
    }

    [Fact]
    public async Task An_upgrade_raises_the_limit_at_once_and_a_downgrade_keeps_allocations_but_grants_none_above_the_limit()
    {
        var accountId = await api.RegisterAsync();
        var periodStart = DateTimeOffset.UtcNow.AddDays(-4);
        await api.SeedAsync(accountId, a => SeededStates.Subscribed(a, SubscriptionStatus.Active, periodStart, planCode: "BASIC"));
        (await RecordAsync(accountId, "agent_runs", 500)).ShouldBe(HttpStatusCode.OK);
        (await RecordAsync(accountId, "agent_runs", 1)).ShouldBeProblem(HttpStatusCode.PaymentRequired);
        for (var i = 0; i < 5; i++)
        {
            (await TakeAsync(accountId, $"p{i}")).ShouldBe(HttpStatusCode.OK);
        }

        // Upgrade in the same period (Stripe keeps the billing cycle): PRO's overage applies to the next call.
        await api.SeedAsync(accountId, a => a with { Subscription = a.Subscription! with { PlanCode = PlanCode.Parse("PRO"), PriceId = "price_pro_monthly" } });
        var afterUpgrade = (await RecordAsync(accountId, "agent_runs", 1)).ShouldBe(HttpStatusCode.OK);
        Assert.Equal(501, afterUpgrade.GetProperty("used").GetInt64());
        Assert.Equal(5_000, afterUpgrade.GetProperty("limit").GetInt64());
        (await TakeAsync(accountId, "p5")).ShouldBe(HttpStatusCode.OK); // PRO: 20 projects

        // Downgrade to FREE (1 project): the 6 held are kept, no new one is granted until under the limit.
        await api.SeedAsync(accountId, a => a with { Subscription = a.Subscription! with { Status = SubscriptionStatus.Canceled, EndedAt = DateTimeOffset.UtcNow.AddSeconds(-1) } });
        (await TakeAsync(accountId, "p6")).ShouldBeProblem(HttpStatusCode.PaymentRequired);
        Assert.Equal(6, HeldOf(await EntitlementsAsync(accountId), "projects"));
        for (var i = 0; i < 6; i++)
        {
            (await api.ServiceAsync(HttpMethod.Delete, $"/api/allocations/projects/p{i}?accountId={accountId}")).ShouldBe(HttpStatusCode.OK);
        }

        (await TakeAsync(accountId, "p6")).ShouldBe(HttpStatusCode.OK);
        (await TakeAsync(accountId, "p7")).ShouldBeProblem(HttpStatusCode.PaymentRequired);
    }

    [Fact]
    public async Task An_allocation_id_with_a_percent_escape_in_it_is_released_by_its_escaped_path_and_frees_the_unit()
    {
        var accountId = await api.RegisterAsync(); // FREE: 1 project
        (await TakeAsync(accountId, "x%41")).ShouldBe(HttpStatusCode.OK);
        (await TakeAsync(accountId, "other")).ShouldBeProblem(HttpStatusCode.PaymentRequired);

        // x%2541 on the wire: the function must see x%41, not the A of a second decoding.
        var released = (await api.ServiceAsync(HttpMethod.Delete, $"/api/allocations/projects/{Uri.EscapeDataString("x%41")}?accountId={accountId}")).ShouldBe(HttpStatusCode.OK);

        Assert.True(released.GetProperty("changed").GetBoolean());
        Assert.Equal(0, released.GetProperty("held").GetInt64());
        (await TakeAsync(accountId, "other")).ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_annual_plan_gets_its_monthly_quota_every_month()
    {
        var accountId = await api.RegisterAsync();
        var yearStart = DateTimeOffset.UtcNow.AddDays(-40);
        await api.SeedAsync(accountId, a => SeededStates.Subscribed(a, SubscriptionStatus.Active, yearStart, planCode: "BASIC", interval: BillingInterval.Year));

        var entitlements = await EntitlementsAsync(accountId);

        var period = entitlements.GetProperty("period");
        Assert.Equal(yearStart.AddMonths(1).ToUnixTimeSeconds(), period.GetProperty("start").GetDateTimeOffset().ToUnixTimeSeconds());
        Assert.Equal(yearStart.AddMonths(2).ToUnixTimeSeconds(), period.GetProperty("end").GetDateTimeOffset().ToUnixTimeSeconds());
        Assert.Equal(500, LimitOf(entitlements, "agent_runs"));
        Assert.Equal(500, (await RecordAsync(accountId, "agent_runs", 500)).ShouldBe(HttpStatusCode.OK).GetProperty("used").GetInt64());
    }

    [Fact]
    public async Task Thresholds_notify_once_each_at_eighty_and_one_hundred_percent()
    {
        var accountId = await api.RegisterAsync();

        (await RecordAsync(accountId, "agent_runs", 15)).ShouldBe(HttpStatusCode.OK);
        Assert.Empty(await NotificationsOfAsync(accountId));
        (await RecordAsync(accountId, "agent_runs", 1)).ShouldBe(HttpStatusCode.OK); // 16 of 20 = 80%
        (await RecordAsync(accountId, "agent_runs", 2)).ShouldBe(HttpStatusCode.OK);
        (await RecordAsync(accountId, "agent_runs", 2)).ShouldBe(HttpStatusCode.OK); // 20 of 20 = 100%
        (await RecordAsync(accountId, "agent_runs", 1)).ShouldBeProblem(HttpStatusCode.PaymentRequired);

        var notifications = await NotificationsOfAsync(accountId);
        Assert.Equal([80, 100], notifications.Select(n => n.GetProperty("threshold").GetInt32()).Order());
        var eighty = notifications.Single(n => n.GetProperty("threshold").GetInt32() == 80);
        Assert.Equal("usage.threshold_reached", eighty.GetProperty("type").GetString());
        Assert.Equal("agent_runs", eighty.GetProperty("meter").GetString());
        Assert.Equal(16, eighty.GetProperty("used").GetInt64());
        Assert.Equal(20, eighty.GetProperty("limit").GetInt64());
        Assert.True(eighty.GetProperty("hardLimit").GetBoolean());
        Assert.Equal("FREE", eighty.GetProperty("plan").GetString());
        Assert.Equal(2, notifications.Select(n => n.GetProperty("id").GetString()).Distinct().Count());
    }

    /// <summary>
    /// A new account set up by <paramref name="setup"/> before a moment <paramref name="window"/> after its registration
    /// (a period's or a grace period's end, which <paramref name="setup"/> is given): when the machine was too busy to have
    /// it done by then (its answers would describe the time after), it starts over with a new account and twice the window.
    /// </summary>
    private async Task<(string AccountId, DateTimeOffset End, T Result)> BeforeItEndsAsync<T>(TimeSpan window, Func<string, DateTimeOffset, Task<T>> setup)
    {
        for (var attempt = 1; ; attempt++, window *= 2)
        {
            var accountId = await api.RegisterAsync();
            var end = DateTimeOffset.UtcNow + window;
            var result = await setup(accountId, end);
            if (DateTimeOffset.UtcNow < end)
            {
                return (accountId, end, result);
            }

            Assert.True(attempt < 4, $"The setup took longer than {window.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s, four times in a row.");
        }
    }

    private Task<ApiResponse> RecordAsync(string accountId, string meter, long quantity) =>
        api.ServiceAsync(HttpMethod.Post, "/api/usage", $$"""{"accountId":"{{accountId}}","meter":"{{meter}}","quantity":{{quantity}},"idempotencyKey":"{{Guid.NewGuid()}}"}""");

    private Task<ApiResponse> TakeAsync(string accountId, string allocationId) =>
        api.ServiceAsync(HttpMethod.Post, "/api/allocations/projects", $$"""{"accountId":"{{accountId}}","allocationId":"{{allocationId}}"}""");

    private async Task<JsonElement> EntitlementsAsync(string accountId) =>
        (await api.GetAsync("/api/billing/entitlements", api.Token(accountId))).ShouldBe(HttpStatusCode.OK);

    private static long? LimitOf(JsonElement entitlements, string meter) =>
        entitlements.GetProperty("meters").EnumerateArray().Single(m => m.GetProperty("meter").GetString() == meter).GetProperty("limit").GetInt64();

    private static long HeldOf(JsonElement entitlements, string meter) =>
        entitlements.GetProperty("meters").EnumerateArray().Single(m => m.GetProperty("meter").GetString() == meter).GetProperty("held").GetInt64();

    /// <summary>The account's notifications: every message of the shared queue is received (briefly hidden) and filtered.</summary>
    private async Task<List<JsonElement>> NotificationsOfAsync(string accountId)
    {
        var found = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (!await api.Notifications.ExistsAsync())
        {
            return [];
        }

        for (var round = 0; round < 50; round++)
        {
            var messages = (await api.Notifications.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(3))).Value;
            if (messages.Length == 0)
            {
                break;
            }

            foreach (var message in messages)
            {
                var json = JsonDocument.Parse(message.Body.ToString()).RootElement.Clone();
                if (json.GetProperty("accountId").GetString() == accountId)
                {
                    found[message.MessageId] = json;
                }
            }
        }

        return [.. found.Values];
    }
}
