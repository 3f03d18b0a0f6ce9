using System.Net;
using Billing.Domain.Plans;
using Billing.Domain.Subscriptions;

namespace Billing.EndToEnd.Tests.Accounts;

/// <summary>GET /api/billing/plans and GET /api/billing/subscription through the real server.</summary>
[Collection(BillingApiTestGroup.Name)]
public sealed class PlansAndSubscriptionTests(BillingApiFixture api)
{
    [Fact]
    public async Task The_plan_catalog_is_public()
    {
        var response = await api.GetAsync("/api/billing/plans", token: null);

        var plans = response.ShouldBe(HttpStatusCode.OK).GetProperty("plans").EnumerateArray().ToList();
        Assert.Equal(["FREE", "TRIAL", "BASIC", "PRO", "ENTERPRISE"], plans.Select(p => p.GetProperty("code").GetString()));
        var pro = plans.Single(p => p.GetProperty("code").GetString() == "PRO");
        Assert.Equal("paid", pro.GetProperty("kind").GetString());
        Assert.Equal(["month", "year"], pro.GetProperty("intervals").EnumerateArray().Select(i => i.GetString()));

        // Prices as the emulator's Stripe has them (its appsettings.json): 49.00 a month, 490.00 a year.
        Assert.True(response.Json.GetProperty("pricesAvailable").GetBoolean());
        Assert.Equal(
            [("month", 4_900L, "usd"), ("year", 49_000L, "usd")],
            pro.GetProperty("prices").EnumerateArray().Select(p => (p.GetProperty("interval").GetString(), p.GetProperty("amount").GetInt64(), p.GetProperty("currency").GetString())));
        Assert.Empty(plans.Single(p => p.GetProperty("code").GetString() == "FREE").GetProperty("prices").EnumerateArray());

        // What else is on sale (appsettings.Development.json's Billing:Purchases): the pack's price, credit and lifetime, the add-on's meter and units.
        var packs = response.Json.GetProperty("creditPacks").EnumerateArray().ToList();
        Assert.Equal(["CREDITS_10", "CREDITS_50"], packs.Select(p => p.GetProperty("code").GetString()));
        Assert.Equal(5_000, packs[1].GetProperty("price").GetProperty("amount").GetInt64());
        Assert.Equal(5_500, packs[1].GetProperty("credit").GetProperty("amount").GetInt64());
        Assert.Equal(365L * 86_400, packs[1].GetProperty("expiresAfterSeconds").GetInt64());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, packs[0].GetProperty("expiresAfterSeconds").ValueKind);
        var projects = response.Json.GetProperty("addOns").EnumerateArray().Single(a => a.GetProperty("code").GetString() == "EXTRA_PROJECTS_5");
        Assert.Equal(("projects", "allocation", 5L, 1_500L), (projects.GetProperty("meter").GetString(), projects.GetProperty("meterKind").GetString(), projects.GetProperty("units").GetInt64(), projects.GetProperty("price").GetProperty("amount").GetInt64()));
        var runs = pro.GetProperty("meters").EnumerateArray().Single(m => m.GetProperty("meter").GetString() == "agent_runs");
        Assert.Equal("overage", runs.GetProperty("enforcement").GetString());
        Assert.Equal(2, runs.GetProperty("overage").GetProperty("unitAmount").GetInt64());
        Assert.Equal(14, plans.Single(p => p.GetProperty("code").GetString() == "BASIC").GetProperty("trialDays").GetInt32());
        Assert.StartsWith("public", response.Header("Cache-Control"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_user_gets_the_free_plan_and_the_read_writes_nothing()
    {
        var accountId = BillingApiFixture.NewAccountId();

        var response = await api.GetAsync("/api/billing/subscription", api.Token(accountId));

        var body = response.ShouldBe(HttpStatusCode.OK);
        Assert.Equal(accountId, body.GetProperty("accountId").GetString());
        Assert.Equal("FREE", body.GetProperty("plan").GetProperty("code").GetString());
        Assert.Equal("free", body.GetProperty("source").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, body.GetProperty("status").ValueKind);
        Assert.True(body.GetProperty("trial").GetProperty("available").GetBoolean());
        Assert.False(body.GetProperty("portalAvailable").GetBoolean());
        var usage = body.GetProperty("usage").EnumerateArray().ToDictionary(u => u.GetProperty("meter").GetString()!, u => u);
        Assert.Equal(20, usage["agent_runs"].GetProperty("limit").GetInt64());
        Assert.Equal(0, usage["agent_runs"].GetProperty("used").GetInt64());
        Assert.Equal(10_000, usage["tokens"].GetProperty("limit").GetInt64());
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero), body.GetProperty("period").GetProperty("start").GetDateTimeOffset());
        Assert.Equal("no-store", response.Header("Cache-Control"));
        Assert.Empty(await api.AccountDocumentsOfAsync(accountId));
        Assert.Empty(await api.StripeCustomersOfAsync(accountId));
    }

    [Fact]
    public async Task A_subscription_stored_by_webhooks_is_shown_with_its_period_cancellation_and_overage_meters()
    {
        var accountId = BillingApiFixture.NewAccountId();
        var start = DateTimeOffset.UtcNow.AddDays(-3);
        await api.SeedAsync(accountId, a => SeededStates.Subscribed(a, SubscriptionStatus.Active, start, "PRO", BillingInterval.Year, cancelAtPeriodEnd: true));

        var body = (await api.GetAsync("/api/billing/subscription", api.Token(accountId))).ShouldBe(HttpStatusCode.OK);

        Assert.Equal("PRO", body.GetProperty("plan").GetProperty("code").GetString());
        Assert.Equal("subscription", body.GetProperty("source").GetString());
        Assert.Equal("active", body.GetProperty("status").GetString());
        Assert.True(body.GetProperty("cancelAtPeriodEnd").GetBoolean());
        Assert.Equal(start.AddMonths(1).ToUnixTimeSeconds(), body.GetProperty("period").GetProperty("end").GetDateTimeOffset().ToUnixTimeSeconds()); // an annual plan's usage period is monthly
        Assert.Equal(start.AddYears(1).ToUnixTimeSeconds(), body.GetProperty("subscription").GetProperty("currentPeriodEnd").GetDateTimeOffset().ToUnixTimeSeconds());
        Assert.Equal(start.AddYears(1).ToUnixTimeSeconds(), body.GetProperty("planEndsAt").GetDateTimeOffset().ToUnixTimeSeconds());
        Assert.Equal("year", body.GetProperty("subscription").GetProperty("interval").GetString());
        Assert.True(body.GetProperty("portalAvailable").GetBoolean());
        Assert.False(body.GetProperty("trial").GetProperty("available").GetBoolean());
        var runs = body.GetProperty("usage").EnumerateArray().Single(u => u.GetProperty("meter").GetString() == "agent_runs");
        Assert.Equal("overage", runs.GetProperty("enforcement").GetString());
        Assert.Equal(5_000, runs.GetProperty("limit").GetInt64());
        Assert.Equal(0, runs.GetProperty("overageCharge").GetProperty("amount").GetInt64());
        Assert.Equal("usd", runs.GetProperty("overageCharge").GetProperty("currency").GetString());
    }
}
