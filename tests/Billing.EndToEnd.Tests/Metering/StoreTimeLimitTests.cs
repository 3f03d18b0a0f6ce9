using System.Net;
using Billing.Cosmos.Configuration;
using Billing.Cosmos.Documents;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.EndToEnd.Tests.Accounts;
using Billing.TestSupport;

namespace Billing.EndToEnd.Tests.Metering;

/// <summary>
/// A usage record or an allocation whose stored procedure Cosmos DB stops at its bounded execution time (it rolls back:
/// nothing written) is answered as not done, through the real app: 503, never a 500 that "may have been applied", and a
/// batch goes on with its other records. The app stores in a Cosmos server of this class's own, where a test ends the
/// next execution's time just before a given write.
/// </summary>
public sealed class StoreTimeLimitTests(StoreTimeLimitTests.TimeLimitedStoreFixture api) : IClassFixture<StoreTimeLimitTests.TimeLimitedStoreFixture>
{
    [Fact]
    public async Task A_record_stopped_at_the_time_limit_is_refused_as_busy_and_counted_once_when_sent_again()
    {
        var accountId = await api.RegisterAsync();
        await api.EndTimeBeforeNextWriteAsync(accountId, DocumentIds.UsageKey(AccountId.Parse(accountId), "late"));

        var stopped = await api.ServiceAsync(HttpMethod.Post, "/api/usage", Record(accountId, "late", 2));

        Assert.Equal("busy", stopped.ShouldBeProblem(HttpStatusCode.ServiceUnavailable).GetProperty("code").GetString());
        Assert.NotNull(stopped.Header("Retry-After"));
        Assert.Equal(0, await UsedAsync(accountId));
        var again = (await api.ServiceAsync(HttpMethod.Post, "/api/usage", Record(accountId, "late", 2))).ShouldBe(HttpStatusCode.OK);
        Assert.Equal((2, false), (again.GetProperty("used").GetInt64(), again.GetProperty("replayed").GetBoolean()));
    }

    [Fact]
    public async Task A_batch_record_stopped_at_the_time_limit_fails_alone_and_the_records_after_it_are_counted()
    {
        var accountId = await api.RegisterAsync();
        await api.EndTimeBeforeNextWriteAsync(accountId, DocumentIds.UsageKey(AccountId.Parse(accountId), "b2"));

        var batch = (await api.ServiceAsync(HttpMethod.Post, "/api/usage/batch", $$"""{"records":[{{Record(accountId, "b1", 1)}},{{Record(accountId, "b2", 2)}},{{Record(accountId, "b3", 4)}}]}""")).ShouldBe(HttpStatusCode.OK);

        Assert.Equal((2, 1), (batch.GetProperty("recorded").GetInt32(), batch.GetProperty("failed").GetInt32()));
        var results = batch.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal([200, 503, 200], results.Select(r => r.GetProperty("status").GetInt32()));
        Assert.Equal("busy", results[1].GetProperty("problem").GetProperty("code").GetString());
        Assert.Equal(5, results[2].GetProperty("usage").GetProperty("used").GetInt64());
        Assert.Equal(5, await UsedAsync(accountId));
    }

    [Fact]
    public async Task A_take_or_release_stopped_at_the_time_limit_answers_unavailable_and_changes_nothing()
    {
        var accountId = await api.RegisterAsync();
        var counter = DocumentIds.AllocationCounter(AccountId.Parse(accountId), MeterName.Parse("projects"));

        await api.EndTimeBeforeNextWriteAsync(accountId, counter);
        var take = await Take(accountId, "p1");
        var held = await HeldAsync(accountId);
        var taken = (await Take(accountId, "p1")).ShouldBe(HttpStatusCode.OK);
        await api.EndTimeBeforeNextWriteAsync(accountId, counter);
        var release = await api.ServiceAsync(HttpMethod.Delete, $"/api/allocations/projects/p1?accountId={accountId}");

        foreach (var stopped in new[] { take, release })
        {
            Assert.Equal("unavailable", stopped.ShouldBeProblem(HttpStatusCode.ServiceUnavailable).GetProperty("code").GetString());
            Assert.NotNull(stopped.Header("Retry-After"));
        }

        Assert.Empty(held);
        Assert.Equal((true, 1), (taken.GetProperty("changed").GetBoolean(), taken.GetProperty("held").GetInt64()));
        Assert.Equal(["p1"], await HeldAsync(accountId));
        Assert.Equal(0, (await api.ServiceAsync(HttpMethod.Delete, $"/api/allocations/projects/p1?accountId={accountId}")).ShouldBe(HttpStatusCode.OK).GetProperty("held").GetInt64());
    }

    private static string Record(string accountId, string key, long quantity) =>
        $$"""{"accountId":"{{accountId}}","meter":"agent_runs","quantity":{{quantity}},"idempotencyKey":"{{key}}"}""";

    private Task<ApiResponse> Take(string accountId, string allocationId) =>
        api.ServiceAsync(HttpMethod.Post, "/api/allocations/projects", $$"""{"accountId":"{{accountId}}","allocationId":"{{allocationId}}"}""");

    private async Task<long> UsedAsync(string accountId)
    {
        var period = (await api.GetAsync("/api/billing/usage", api.Token(accountId))).ShouldBe(HttpStatusCode.OK).GetProperty("periods")[0];
        return UsageConcurrencyTests.Meter(period, "agent_runs").GetProperty("used").GetInt64();
    }

    /// <summary>The allocation ids of the account's stored units (the app's own documents, read back).</summary>
    private async Task<string[]> HeldAsync(string accountId) =>
        [.. (await api.PartitionDocumentsOfAsync(accountId))
            .Where(d => d.GetProperty("type").GetString() == "allocation")
            .Select(d => d.GetProperty("allocationId").GetString()!)];

    /// <summary>The billing API fixture, its app storing in a Cosmos server of its own started with <c>--test-concurrent-writes</c>.</summary>
    public sealed class TimeLimitedStoreFixture : BillingApiFixture
    {
        private ManagedProcess? _server;
        private HttpClient? _serverHttp;

        /// <summary>Ends the time of the next stored procedure execution on the account's partition just before it writes <paramref name="documentId"/>.</summary>
        public Task EndTimeBeforeNextWriteAsync(string accountId, string documentId) =>
            _serverHttp!.PlanConcurrentWriteAsync(Settings["Billing__Cosmos__DatabaseName"]!, new CosmosOptions().AccountsContainerName, accountId, documentId, [], [], timeUp: true);

        public override async Task DisposeAsync()
        {
            await base.DisposeAsync();
            _serverHttp?.Dispose();
            if (_server is not null)
            {
                await _server.DisposeAsync();
            }
        }

        protected override async Task<string> StoreConnectionStringAsync(LocalEmulators emulators)
        {
            (_server, var connectionString) = await LocalEmulators.StartCosmosServerAsync("--test-concurrent-writes");
            _serverHttp = LocalServerHttp.Client(connectionString);
            return connectionString;
        }
    }
}
