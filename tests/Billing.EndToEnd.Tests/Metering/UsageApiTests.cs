using System.Net;
using Billing.EndToEnd.Tests.Accounts;
using Billing.TestSupport;

namespace Billing.EndToEnd.Tests.Metering;

/// <summary>Service authentication, bad input (400/404, nothing recorded), batches, checks and registration through the real app.</summary>
[Collection(BillingApiTestGroup.Name)]
public sealed class UsageApiTests(BillingApiFixture api)
{
    [Fact]
    public async Task Only_service_credentials_may_record_usage()
    {
        var accountId = await api.RegisterAsync();
        var body = Record(accountId, "agent_runs", 1);

        var none = await api.ServiceAsync(HttpMethod.Post, "/api/usage", body, apiKey: null);
        var wrongKey = await api.ServiceAsync(HttpMethod.Post, "/api/usage", body, apiKey: "not-the-key");
        var userToken = await api.ServiceAsync(HttpMethod.Post, "/api/usage", body, apiKey: null, token: api.Token(accountId));
        var adminToken = await api.ServiceAsync(HttpMethod.Post, "/api/usage", body, apiKey: null, token: api.Token(accountId, r => r with { Roles = ["billing.admin"] }));
        var userTokenWithScope = await api.ServiceAsync(HttpMethod.Post, "/api/usage", body, apiKey: null, token: api.Token(accountId, r => r with { Scopes = [ServiceCredentials.Scope], AuthorizedParty = "billing-frontend" }));
        var userTokenOfServiceClient = await api.ServiceAsync(HttpMethod.Post, "/api/usage", body, apiKey: null, token: api.Token(accountId, r => r with { Scopes = [ServiceCredentials.Scope], AuthorizedParty = ServiceCredentials.ClientId, OtherClaims = [("idtyp", "user")] }));
        var entraDelegatedToken = await api.ServiceAsync(HttpMethod.Post, "/api/usage", body, apiKey: null, token: api.Token(accountId, r => r with { AuthorizedParty = ServiceCredentials.ClientId, OtherClaims = [("tid", "72f988bf-86f1-41af-91ab-2d7cd011db47"), ("scp", ServiceCredentials.Scope)] }));
        var serviceToken = await api.ServiceAsync(HttpMethod.Post, "/api/usage", Record(accountId, "agent_runs", 1), apiKey: null, token: api.ServiceToken());

        Assert.Equal("credentials_required", none.ShouldBeProblem(HttpStatusCode.Unauthorized).GetProperty("code").GetString());
        Assert.Equal("invalid_api_key", wrongKey.ShouldBeProblem(HttpStatusCode.Unauthorized).GetProperty("code").GetString());
        userToken.ShouldBeProblem(HttpStatusCode.Forbidden);
        adminToken.ShouldBeProblem(HttpStatusCode.Forbidden);
        Assert.Contains("client 'billing-frontend'", userTokenWithScope.ShouldBeProblem(HttpStatusCode.Forbidden).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("idtyp is 'user'", userTokenOfServiceClient.ShouldBeProblem(HttpStatusCode.Forbidden).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("delegated scopes (scp)", entraDelegatedToken.ShouldBeProblem(HttpStatusCode.Forbidden).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, serviceToken.ShouldBe(HttpStatusCode.OK).GetProperty("used").GetInt64());
        Assert.Equal(1, await UsedAsync(accountId, "agent_runs"));
    }

    [Fact]
    public async Task A_valid_key_cannot_write_usage_for_an_account_that_does_not_exist()
    {
        var ghost = BillingApiFixture.NewAccountId();

        var usage = await api.ServiceAsync(HttpMethod.Post, "/api/usage", Record(ghost, "agent_runs", 1));
        var allocation = await api.ServiceAsync(HttpMethod.Post, "/api/allocations/projects", $$"""{"accountId":"{{ghost}}","allocationId":"p1"}""");
        var check = await api.ServiceAsync(HttpMethod.Post, "/api/usage/check", $$"""{"accountId":"{{ghost}}","meter":"agent_runs","quantity":1}""");

        Assert.Equal("account_not_found", usage.ShouldBeProblem(HttpStatusCode.NotFound).GetProperty("code").GetString());
        allocation.ShouldBeProblem(HttpStatusCode.NotFound);
        check.ShouldBeProblem(HttpStatusCode.NotFound);
        Assert.Empty(await api.PartitionDocumentsOfAsync(ghost));
    }

    [Theory]
    [InlineData("""{"meter":"nope","quantity":1,"idempotencyKey":"k"}""", "meter")]
    [InlineData("""{"meter":"projects","quantity":1,"idempotencyKey":"k"}""", "meter")]
    [InlineData("""{"meter":"agent_runs","quantity":0,"idempotencyKey":"k"}""", "quantity")]
    [InlineData("""{"meter":"agent_runs","quantity":-3,"idempotencyKey":"k"}""", "quantity")]
    [InlineData("""{"meter":"agent_runs","quantity":1.5,"idempotencyKey":"k"}""", "quantity")]
    [InlineData("""{"meter":"agent_runs","quantity":"2","idempotencyKey":"k"}""", "quantity")]
    [InlineData("""{"meter":"agent_runs","quantity":1}""", "idempotencyKey")]
    [InlineData("""{"meter":"agent_runs","quantity":1,"idempotencyKey":"k","occurredAt":"2999-01-01T00:00:00Z"}""", "occurredAt")]
    [InlineData("""{"meter":"agent_runs","quantity":1,"idempotencyKey":"k","occurredAt":"2001-01-01T00:00:00Z"}""", "occurredAt")]
    [InlineData("""{"meter":"agent_runs","quantity":1,"idempotencyKey":"k","occurredAt":"yesterday"}""", "occurredAt")]
    [InlineData("""{"meter":"agent_runs","quantity":1,"idempotencyKey":"k","extra":true}""", "extra")]
    public async Task Bad_input_is_a_400_naming_the_field_and_nothing_is_recorded(string fields, string field)
    {
        var accountId = await api.RegisterAsync();
        var body = $$"""{"accountId":"{{accountId}}",""" + fields[1..];

        var problem = (await api.ServiceAsync(HttpMethod.Post, "/api/usage", body)).ShouldBeProblem(HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.DoesNotContain(await api.PartitionDocumentsOfAsync(accountId), d => d.GetProperty("type").GetString() is "usage" or "usageKey");
    }

    [Fact]
    public async Task Malformed_bodies_and_oversized_batches_are_refused_whole()
    {
        var accountId = await api.RegisterAsync();
        var tooMany = "{\"records\":[" + string.Join(",", Enumerable.Range(0, 101).Select(i => Record(accountId, "agent_runs", 1))) + "]}";

        (await api.ServiceAsync(HttpMethod.Post, "/api/usage", "{not json")).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await api.ServiceAsync(HttpMethod.Post, "/api/usage/batch", tooMany)).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await api.ServiceAsync(HttpMethod.Post, "/api/usage/batch", """{"records":[]}""")).ShouldBeProblem(HttpStatusCode.BadRequest);
        Assert.Equal(0, await UsedAsync(accountId, "agent_runs"));
    }

    [Fact]
    public async Task A_batch_answers_each_record_and_one_bad_record_does_not_sink_the_others()
    {
        var accountId = await api.RegisterAsync();
        var body = "{\"records\":[" + string.Join(",",
            Record(accountId, "agent_runs", 4, "b-1"),
            Record(accountId, "nope", 1, "b-2"),
            Record(accountId, "agent_runs", 50, "b-3"),
            """{"accountId":"x","meter":"agent_runs","quantity":1.5,"idempotencyKey":"b-4"}""",
            Record(accountId, "agent_runs", 4, "b-1"),
            Record(accountId, "tokens", 100, "b-6"),
            Record(accountId, "api_calls", 1, "b-7")) + "]}";

        var batch = (await api.ServiceAsync(HttpMethod.Post, "/api/usage/batch", body)).ShouldBe(HttpStatusCode.OK);

        var results = batch.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal([200, 400, 402, 400, 200, 200, 200], results.Select(r => r.GetProperty("status").GetInt32()));
        Assert.Equal([0, 1, 2, 3, 4, 5, 6], results.Select(r => r.GetProperty("index").GetInt32()));
        Assert.True(results[4].GetProperty("usage").GetProperty("replayed").GetBoolean());
        Assert.Equal("quota_exceeded", results[2].GetProperty("problem").GetProperty("code").GetString());
        Assert.True(results[3].GetProperty("problem").GetProperty("errors").TryGetProperty("quantity", out _));
        var traceIds = results.Where(r => r.GetProperty("status").GetInt32() != 200).Select(r => r.GetProperty("problem").TryGetProperty("traceId", out var id) ? id.GetString() : null).ToList();
        Assert.All(traceIds, id => Assert.False(string.IsNullOrWhiteSpace(id), "a record's problem carries no traceId")); // as every problem answer does
        Assert.Single(traceIds.Distinct()); // the call's
        Assert.Equal(4, batch.GetProperty("recorded").GetInt32()); // not as many as failed, so the two cannot trade places unseen
        Assert.Equal(3, batch.GetProperty("failed").GetInt32());
        Assert.Equal(4, await UsedAsync(accountId, "agent_runs"));
        Assert.Equal(100, await UsedAsync(accountId, "tokens"));
        Assert.Equal(1, await UsedAsync(accountId, "api_calls"));
    }

    [Fact]
    public async Task A_check_changes_nothing_and_the_same_key_for_other_usage_is_a_conflict()
    {
        var accountId = await api.RegisterAsync();
        (await api.ServiceAsync(HttpMethod.Post, "/api/usage", Record(accountId, "agent_runs", 18, "same"))).ShouldBe(HttpStatusCode.OK);

        var fits = (await api.ServiceAsync(HttpMethod.Post, "/api/usage/check", $$"""{"accountId":"{{accountId}}","meter":"agent_runs","quantity":2}""")).ShouldBe(HttpStatusCode.OK);
        var tooMuch = (await api.ServiceAsync(HttpMethod.Post, "/api/usage/check", $$"""{"accountId":"{{accountId}}","meter":"agent_runs","quantity":3}""")).ShouldBe(HttpStatusCode.OK);
        var reused = await api.ServiceAsync(HttpMethod.Post, "/api/usage", Record(accountId, "agent_runs", 1, "same"));

        Assert.True(fits.GetProperty("allowed").GetBoolean());
        Assert.False(tooMuch.GetProperty("allowed").GetBoolean());
        Assert.Equal("BASIC", tooMuch.GetProperty("upgradePlan").GetString());
        Assert.Equal("idempotency_key_reused", reused.ShouldBeProblem(HttpStatusCode.Conflict).GetProperty("code").GetString());
        Assert.Equal(18, await UsedAsync(accountId, "agent_runs"));
    }

    [Fact]
    public async Task Registering_an_account_is_idempotent_and_needs_a_service_credential()
    {
        var accountId = BillingApiFixture.NewAccountId();

        (await api.ServiceAsync(HttpMethod.Put, $"/api/accounts/{accountId}", apiKey: null, token: api.Token(accountId))).ShouldBeProblem(HttpStatusCode.Forbidden);
        var created = (await api.ServiceAsync(HttpMethod.Put, $"/api/accounts/{accountId}")).ShouldBe(HttpStatusCode.Created);
        var again = (await api.ServiceAsync(HttpMethod.Put, $"/api/accounts/{accountId}")).ShouldBe(HttpStatusCode.OK);

        Assert.True(created.GetProperty("created").GetBoolean());
        Assert.False(again.GetProperty("created").GetBoolean());
        Assert.Equal(created.GetProperty("createdAt").GetDateTimeOffset(), again.GetProperty("createdAt").GetDateTimeOffset());
        Assert.Single(await api.AccountDocumentsOfAsync(accountId));
    }

    [Fact]
    public async Task Every_service_operation_refuses_a_users_token_with_403_and_no_credential_with_401()
    {
        var accountId = await api.RegisterAsync();
        var routes = OpenApiContract.SecuredBy("ApiKey", accountId);

        Assert.True(routes.Count >= 7, $"Only {routes.Count} service operations found in the OpenAPI document.");
        foreach (var (method, path) in routes)
        {
            var body = method == HttpMethod.Get || method == HttpMethod.Delete ? null : "{}";
            var user = await api.ServiceAsync(method, path, body, apiKey: null, token: api.Token(accountId));
            var none = await api.ServiceAsync(method, path, body, apiKey: null);

            Assert.True(user.Status == HttpStatusCode.Forbidden, $"{method} {path} with a user's token: {(int)user.Status}");
            Assert.True(none.Status == HttpStatusCode.Unauthorized, $"{method} {path} without a credential: {(int)none.Status}");
        }
    }

    [Fact]
    public async Task The_product_backend_reads_a_registered_accounts_entitlements_as_its_user_does()
    {
        var accountId = await api.RegisterAsync();
        (await api.ServiceAsync(HttpMethod.Post, "/api/allocations/projects", $$"""{"accountId":"{{accountId}}","allocationId":"p1"}""")).ShouldBe(HttpStatusCode.OK);

        var forService = (await api.ServiceAsync(HttpMethod.Get, $"/api/accounts/{accountId}/entitlements")).ShouldBe(HttpStatusCode.OK);
        var forUser = (await api.GetAsync("/api/billing/entitlements", api.Token(accountId))).ShouldBe(HttpStatusCode.OK);
        var ghost = await api.ServiceAsync(HttpMethod.Get, $"/api/accounts/{BillingApiFixture.NewAccountId()}/entitlements");
        var userToken = await api.ServiceAsync(HttpMethod.Get, $"/api/accounts/{accountId}/entitlements", apiKey: null, token: api.Token(accountId));
        var noKey = await api.ServiceAsync(HttpMethod.Get, $"/api/accounts/{accountId}/entitlements", apiKey: null);

        Assert.Equal("free", forService.GetProperty("reason").GetString());
        Assert.Equal(1, forService.GetProperty("meters").EnumerateArray().Single(m => m.GetProperty("meter").GetString() == "projects").GetProperty("held").GetInt64());
        Assert.Equal(Without(forUser, "asOf"), Without(forService, "asOf")); // the same answer, the time of asking aside
        Assert.Equal("account_not_found", ghost.ShouldBeProblem(HttpStatusCode.NotFound).GetProperty("code").GetString());
        userToken.ShouldBeProblem(HttpStatusCode.Forbidden);
        noKey.ShouldBeProblem(HttpStatusCode.Unauthorized);
    }

    private static string Without(System.Text.Json.JsonElement answer, string member) =>
        System.Text.Json.JsonSerializer.Serialize(answer.EnumerateObject().Where(p => p.Name != member).ToDictionary(p => p.Name, p => p.Value));

    private static string Record(string accountId, string meter, long quantity, string? key = null) =>
        $$"""{"accountId":"{{accountId}}","meter":"{{meter}}","quantity":{{quantity}},"idempotencyKey":"{{key ?? Guid.NewGuid().ToString()}}"}""";

    private async Task<long> UsedAsync(string accountId, string meter)
    {
        var period = (await api.GetAsync("/api/billing/usage", api.Token(accountId))).ShouldBe(HttpStatusCode.OK).GetProperty("periods")[0];
        return UsageConcurrencyTests.Meter(period, meter).GetProperty("used").GetInt64();
    }
}
