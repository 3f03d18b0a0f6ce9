using System.Net;
using Billing.Domain.Subscriptions;

namespace Billing.EndToEnd.Tests.Accounts;

/// <summary>POST /api/billing/trial: once per account, ever.</summary>
[Collection(BillingApiTestGroup.Name)]
public sealed class TrialTests(BillingApiFixture api)
{
    [Fact]
    public async Task The_trial_starts_once_and_the_second_request_gets_409()
    {
        var accountId = BillingApiFixture.NewAccountId();
        var token = api.Token(accountId);

        var started = (await api.PostAsync("/api/billing/trial", token)).ShouldBe(HttpStatusCode.OK);
        var again = (await api.PostAsync("/api/billing/trial", token, "{}")).ShouldBeProblem(HttpStatusCode.Conflict);

        Assert.Equal("TRIAL", started.GetProperty("plan").GetString());
        var startedAt = started.GetProperty("startedAt").GetDateTimeOffset();
        Assert.Equal(TimeSpan.FromDays(14), started.GetProperty("endsAt").GetDateTimeOffset() - startedAt);
        Assert.InRange(startedAt, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal("trial_already_used", again.GetProperty("code").GetString());

        var view = (await api.GetAsync("/api/billing/subscription", token)).ShouldBe(HttpStatusCode.OK);
        Assert.Equal("TRIAL", view.GetProperty("plan").GetProperty("code").GetString());
        Assert.Equal("localTrial", view.GetProperty("source").GetString());
        Assert.True(view.GetProperty("trial").GetProperty("local").GetProperty("running").GetBoolean());
        Assert.False(view.GetProperty("trial").GetProperty("available").GetBoolean());
        Assert.Equal(200, view.GetProperty("usage").EnumerateArray().Single(u => u.GetProperty("meter").GetString() == "agent_runs").GetProperty("limit").GetInt64());
    }

    [Fact]
    public async Task After_the_trial_ended_by_time_the_account_is_free_again_and_a_new_trial_gets_409()
    {
        var accountId = BillingApiFixture.NewAccountId();
        var seeded = await api.SeedAsync(accountId, a => SeededStates.WithPastLocalTrial(a, TimeSpan.FromDays(20)));

        var problem = (await api.PostAsync("/api/billing/trial", api.Token(accountId))).ShouldBeProblem(HttpStatusCode.Conflict);
        var view = (await api.GetAsync("/api/billing/subscription", api.Token(accountId))).ShouldBe(HttpStatusCode.OK);

        Assert.Equal("trial_already_used", problem.GetProperty("code").GetString());
        Assert.Equal("FREE", view.GetProperty("plan").GetProperty("code").GetString());
        Assert.False(view.GetProperty("trial").GetProperty("local").GetProperty("running").GetBoolean());
        Assert.Equal(seeded.Version, Assert.Single(await api.AccountDocumentsOfAsync(accountId)).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task After_cancelling_a_subscription_that_had_a_trial_a_new_trial_gets_409()
    {
        var accountId = BillingApiFixture.NewAccountId();
        var start = DateTimeOffset.UtcNow.AddDays(-30);
        await api.SeedAsync(accountId, a => SeededStates.Subscribed(a, SubscriptionStatus.Canceled, start, "BASIC", trialStart: start, endedAt: start.AddDays(10)));

        var problem = (await api.PostAsync("/api/billing/trial", api.Token(accountId))).ShouldBeProblem(HttpStatusCode.Conflict);

        Assert.Equal("trial_already_used", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task No_trial_while_a_subscription_is_live()
    {
        var accountId = BillingApiFixture.NewAccountId();
        await api.SeedAsync(accountId, a => SeededStates.Subscribed(a, SubscriptionStatus.Active, DateTimeOffset.UtcNow.AddDays(-2)));

        var problem = (await api.PostAsync("/api/billing/trial", api.Token(accountId))).ShouldBeProblem(HttpStatusCode.Conflict);

        Assert.Equal("subscription_live", problem.GetProperty("code").GetString());
    }
}
