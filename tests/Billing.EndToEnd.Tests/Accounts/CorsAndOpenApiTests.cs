using System.Net;

namespace Billing.EndToEnd.Tests.Accounts;

/// <summary>CORS (host configuration: Host.CORS locally), health with every dependency up, and the OpenAPI document at /api/openapi/v1.json.</summary>
[Collection(BillingApiTestGroup.Name)]
public sealed class CorsAndOpenApiTests(BillingApiFixture api)
{
    [Theory]
    [InlineData("/api/billing/checkout", "POST")]
    [InlineData("/api/billing/subscription", "GET")]
    public async Task A_preflight_from_an_allowed_origin_is_granted(string path, string method)
    {
        var response = await PreflightAsync(path, BillingApiFixture.AllowedOrigin, method);

        Assert.Equal(HttpStatusCode.NoContent, response.Status);
        Assert.Equal(BillingApiFixture.AllowedOrigin, response.Header("Access-Control-Allow-Origin"));
        Assert.Contains(method, response.Header("Access-Control-Allow-Methods"), StringComparison.Ordinal);
        Assert.Contains("Authorization", response.Header("Access-Control-Allow-Headers"), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("https://evil.example.com")]
    [InlineData("http://localhost:3001")]
    [InlineData("null")]
    public async Task A_preflight_from_another_origin_gets_no_cors_grant(string origin)
    {
        var response = await PreflightAsync("/api/billing/checkout", origin, "POST");

        Assert.Null(response.Header("Access-Control-Allow-Origin"));
        Assert.Null(response.Header("Access-Control-Allow-Methods"));
    }

    [Fact]
    public async Task Actual_responses_carry_the_grant_only_for_allowed_origins_including_errors()
    {
        var allowed = await api.SendAsync(HttpMethod.Get, "/api/billing/subscription", api.Token(BillingApiFixture.NewAccountId()), origin: BillingApiFixture.AllowedOrigin);
        var unauthorized = await api.SendAsync(HttpMethod.Get, "/api/billing/subscription", token: null, origin: BillingApiFixture.AllowedOrigin);
        var other = await api.SendAsync(HttpMethod.Get, "/api/billing/plans", token: null, origin: "https://evil.example.com");

        Assert.Equal(BillingApiFixture.AllowedOrigin, allowed.Header("Access-Control-Allow-Origin"));
        Assert.Equal(BillingApiFixture.AllowedOrigin, unauthorized.Header("Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.Status);
        Assert.Null(other.Header("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Every_answer_of_a_function_tells_browsers_not_to_sniff_its_content_type()
    {
        var account = BillingApiFixture.NewAccountId();
        var answers = new Dictionary<string, ApiResponse>
        {
            ["user data"] = await api.GetAsync("/api/billing/subscription", api.Token(account)),
            ["anonymous catalog"] = await api.GetAsync("/api/billing/plans", token: null),
            ["openapi"] = await api.GetAsync("/api/openapi/v1.json", token: null),
            ["health"] = await api.GetAsync("/api/health", token: null),
            ["401 refusal"] = await api.GetAsync("/api/billing/subscription", token: null),
            ["400 refusal"] = await api.PostAsync("/api/billing/checkout", api.Token(account), """{"plan":"PRO"}"""),
            ["service refusal"] = await api.ServiceAsync(HttpMethod.Post, "/api/usage", "{}", apiKey: "not-a-key"),
            ["unsigned webhook"] = await api.PostAsync("/api/stripe/webhook", token: null, """{"id":"evt_1"}"""),
        };

        foreach (var (name, answer) in answers)
        {
            Assert.True(answer.Header("X-Content-Type-Options") == "nosniff", $"{name} ({(int)answer.Status}) has X-Content-Type-Options '{answer.Header("X-Content-Type-Options")}'");
        }
    }

    [Fact]
    public async Task Health_reports_queues_cosmos_and_stripe_healthy()
    {
        // Each check has 2 s; on a loaded 2-core machine a first Stripe call can exceed that once.
        ApiResponse response = null!;
        await Support.Eventually.UntilAsync(async () => (response = await api.GetAsync("/api/health", token: null)).Status == HttpStatusCode.OK, "health to be 200");
        var health = response.Json;

        Assert.Equal("healthy", health.GetProperty("status").GetString());
        foreach (var dependency in new[] { "queues", "cosmos", "stripe" })
        {
            Assert.Equal("healthy", health.GetProperty("checks").GetProperty(dependency).GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_every_endpoint_its_bodies_problems_and_the_bearer_scheme()
    {
        var document = (await api.GetAsync("/api/openapi/v1.json", token: null)).ShouldBe(HttpStatusCode.OK);

        var paths = document.GetProperty("paths");
        var expected = new Dictionary<string, string>
        {
            ["/api/billing/plans"] = "get",
            ["/api/billing/subscription"] = "get",
            ["/api/billing/checkout"] = "post",
            ["/api/billing/portal"] = "post",
            ["/api/billing/trial"] = "post",
        };
        foreach (var (path, method) in expected)
        {
            var operation = paths.GetProperty(path).GetProperty(method);
            Assert.True(operation.GetProperty("responses").TryGetProperty("200", out _), path);
            var secured = operation.TryGetProperty("security", out var security) && security.GetArrayLength() > 0;
            Assert.Equal(path != "/api/billing/plans", secured);
            if (secured)
            {
                Assert.True(operation.GetProperty("responses").TryGetProperty("401", out _), path);
                Assert.True(operation.GetProperty("responses").TryGetProperty("403", out _), path);
            }
        }

        var checkout = paths.GetProperty("/api/billing/checkout").GetProperty("post");
        Assert.True(checkout.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        foreach (var status in new[] { "400", "409" })
        {
            Assert.True(checkout.GetProperty("responses").GetProperty(status).GetProperty("content").TryGetProperty("application/problem+json", out _), status);
        }

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.Equal(["interval", "plan"], schemas.GetProperty("CheckoutRequest").GetProperty("required").EnumerateArray().Select(r => r.GetString()).Order());
        Assert.True(schemas.TryGetProperty("SubscriptionResponse", out _));
    }

    private async Task<ApiResponse> PreflightAsync(string path, string origin, string method)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, new Uri(path, UriKind.Relative));
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        using var response = await api.App.Http.SendAsync(request);
        return await ApiResponse.ReadAsync(response);
    }
}
