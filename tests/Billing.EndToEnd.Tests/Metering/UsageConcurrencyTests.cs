using System.Net;
using System.Text.Json;
using Billing.Domain.Subscriptions;
using Billing.EndToEnd.Tests.Accounts;

namespace Billing.EndToEnd.Tests.Metering;

/// <summary>
/// Through the real app on the Cosmos server: 64 parallel callers never push a hard limit past L, and duplicated
/// idempotency keys or allocation ids mixed in are counted once.
/// </summary>
[Collection(BillingApiTestGroup.Name)]
public sealed class UsageConcurrencyTests(BillingApiFixture api)
{
    private const int Callers = 64;
    private const int Duplicates = 16;

    /// <summary>The development catalog's free plan: 20 agent runs per period, hard limit.</summary>
    private const int FreeAgentRuns = 20;

    [Fact]
    public async Task Sixty_four_parallel_callers_consume_exactly_the_hard_limit_and_count_each_key_once()
    {
        var accountId = await api.RegisterAsync();
        // 64 distinct keys plus a second send of the first 16, all released at once.
        var keys = Enumerable.Range(0, Callers).Select(i => $"run-{i}").Concat(Enumerable.Range(0, Duplicates).Select(i => $"run-{i}")).ToList();
        using var start = new ManualResetEventSlim();
        var calls = keys.Select(key => Task.Run(async () =>
        {
            start.Wait();
            var response = await api.ServiceAsync(HttpMethod.Post, "/api/usage", $$"""{"accountId":"{{accountId}}","meter":"agent_runs","quantity":1,"idempotencyKey":"{{key}}"}""");
            return (key, response);
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(calls);

        var counted = results.Where(r => r.response.Status == HttpStatusCode.OK && !r.response.Json.GetProperty("replayed").GetBoolean()).ToList();
        Assert.Equal(FreeAgentRuns, counted.Count);
        Assert.Equal(FreeAgentRuns, counted.Select(r => r.key).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, FreeAgentRuns).Select(i => (long)i), counted.Select(r => r.response.Json.GetProperty("used").GetInt64()).Order());

        // A replay answers exactly what its key's first call answered, and only keys that were counted replay.
        var firstAnswers = counted.ToDictionary(r => r.key, r => r.response.Json);
        foreach (var (key, response) in results.Where(r => r.response.Status == HttpStatusCode.OK && r.response.Json.GetProperty("replayed").GetBoolean()))
        {
            Assert.True(firstAnswers.TryGetValue(key, out var first), $"{key} replayed without having been counted");
            Assert.Equal(first.GetProperty("used").GetInt64(), response.Json.GetProperty("used").GetInt64());
            Assert.Equal(first.GetProperty("remaining").GetInt64(), response.Json.GetProperty("remaining").GetInt64());
        }

        foreach (var (_, response) in results.Where(r => r.response.Status != HttpStatusCode.OK))
        {
            var problem = response.ShouldBeProblem(HttpStatusCode.PaymentRequired);
            Assert.Equal("quota_exceeded", problem.GetProperty("code").GetString());
            Assert.Equal("agent_runs", problem.GetProperty("meter").GetString());
            Assert.Equal(FreeAgentRuns, problem.GetProperty("limit").GetInt64());
            Assert.Equal("FREE", problem.GetProperty("plan").GetString());
            Assert.Equal("BASIC", problem.GetProperty("upgradePlan").GetString());
        }

        var usage = await api.GetAsync("/api/billing/usage", api.Token(accountId));
        Assert.Equal(FreeAgentRuns, Meter(usage.ShouldBe(HttpStatusCode.OK).GetProperty("periods")[0], "agent_runs").GetProperty("used").GetInt64());

        // Refused calls leave nothing behind: only the counted keys are remembered.
        var documents = await api.PartitionDocumentsOfAsync(accountId);
        Assert.Equal(FreeAgentRuns, documents.Count(d => d.GetProperty("type").GetString() == "usageKey"));
        Assert.All(documents.Where(d => d.GetProperty("type").GetString() == "usageKey"), d => Assert.True(d.TryGetProperty("counted", out _)));
    }

    [Fact]
    public async Task Sixty_four_parallel_takes_hold_exactly_the_allocation_limit_and_each_id_once()
    {
        var accountId = await api.RegisterAsync();
        await api.SeedAsync(accountId, a => SeededStates.Subscribed(a, SubscriptionStatus.Active, DateTimeOffset.UtcNow.AddDays(-3), planCode: "BASIC"));
        const int limit = 5; // BASIC: 5 projects
        var ids = Enumerable.Range(0, Callers).Select(i => $"project-{i}").Concat(Enumerable.Range(0, Duplicates).Select(i => $"project-{i}")).ToList();
        using var start = new ManualResetEventSlim();
        var calls = ids.Select(id => Task.Run(async () =>
        {
            start.Wait();
            return (id, response: await api.ServiceAsync(HttpMethod.Post, "/api/allocations/projects", $$"""{"accountId":"{{accountId}}","allocationId":"{{id}}"}"""));
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(calls);

        var taken = results.Where(r => r.response.Status == HttpStatusCode.OK && r.response.Json.GetProperty("changed").GetBoolean()).ToList();
        Assert.Equal(limit, taken.Count);
        Assert.Equal(limit, taken.Select(r => r.id).Distinct().Count());
        Assert.All(results.Where(r => r.response.Status == HttpStatusCode.OK && !r.response.Json.GetProperty("changed").GetBoolean()), r => Assert.Contains(r.id, taken.Select(t => t.id)));
        Assert.All(results.Where(r => r.response.Status != HttpStatusCode.OK), r => Assert.Equal("quota_exceeded", r.response.ShouldBeProblem(HttpStatusCode.PaymentRequired).GetProperty("code").GetString()));

        var entitlements = (await api.GetAsync("/api/billing/entitlements", api.Token(accountId))).ShouldBe(HttpStatusCode.OK);
        var projects = entitlements.GetProperty("meters").EnumerateArray().Single(m => m.GetProperty("meter").GetString() == "projects");
        Assert.Equal(limit, projects.GetProperty("held").GetInt64());
        Assert.Equal(limit, (await api.PartitionDocumentsOfAsync(accountId)).Count(d => d.GetProperty("type").GetString() == "allocation"));

        // Releasing one frees a unit for a new id; releasing it again changes nothing.
        var released = (await api.ServiceAsync(HttpMethod.Delete, $"/api/allocations/projects/{taken[0].id}?accountId={accountId}")).ShouldBe(HttpStatusCode.OK);
        Assert.True(released.GetProperty("changed").GetBoolean());
        Assert.Equal(limit - 1, released.GetProperty("held").GetInt64());
        var again = (await api.ServiceAsync(HttpMethod.Delete, $"/api/allocations/projects/{taken[0].id}?accountId={accountId}")).ShouldBe(HttpStatusCode.OK);
        Assert.False(again.GetProperty("changed").GetBoolean());
        (await api.ServiceAsync(HttpMethod.Post, "/api/allocations/projects", $$"""{"accountId":"{{accountId}}","allocationId":"project-new"}""")).ShouldBe(HttpStatusCode.OK);
    }

    internal static JsonElement Meter(JsonElement period, string meter) =>
        period.GetProperty("meters").EnumerateArray().Single(m => m.GetProperty("meter").GetString() == meter);
}
