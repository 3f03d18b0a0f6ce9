using System.Net;

namespace Billing.EndToEnd.Tests.Accounts;

/// <summary>Malformed or unacceptable requests answer 400 (or 413/415) problem details and write nothing, neither in Cosmos nor in Stripe.</summary>
[Collection(BillingApiTestGroup.Name)]
public sealed class ValidationTests(BillingApiFixture api)
{
    public static TheoryData<string, string, string> BadCheckouts => new()
    {
        { "malformed JSON", """{"plan":"PRO","interval":""", "$" },
        { "not an object", """["PRO","month"]""", "$" },
        { "empty body", "", "$" },
        { "unknown plan", """{"plan":"PLATINUM","interval":"month"}""", "plan" },
        { "free plan", """{"plan":"FREE","interval":"month"}""", "plan" },
        { "missing plan", """{"interval":"month"}""", "plan" },
        { "bad interval", """{"plan":"PRO","interval":"weekly"}""", "interval" },
        { "interval not sold", """{"plan":"ENTERPRISE","interval":"year"}""", "interval" },
        { "wrong type", """{"plan":"PRO","interval":12}""", "interval" },
        { "duplicate field", """{"plan":"PRO","plan":"BASIC","interval":"month"}""", "plan" },
        { "unknown field", """{"plan":"PRO","interval":"month","quantity":5}""", "quantity" },
        { "foreign success url", """{"plan":"PRO","interval":"month","successUrl":"https://evil.example.com/thanks"}""", "successUrl" },
        { "relative cancel url", """{"plan":"PRO","interval":"month","cancelUrl":"/billing"}""", "cancelUrl" },
        { "script url", """{"plan":"PRO","interval":"month","successUrl":"javascript:alert(1)"}""", "successUrl" },
        { "other port", """{"plan":"PRO","interval":"month","successUrl":"http://localhost:3001/ok"}""", "successUrl" },
        { "user info trick", """{"plan":"PRO","interval":"month","cancelUrl":"http://localhost:3000@evil.example.com/"}""", "cancelUrl" },
    };

    [Fact]
    public async Task A_problem_names_the_trace_of_its_request_and_a_callers_traceparent_carries_over()
    {
        var accountId = BillingApiFixture.NewAccountId();
        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/billing/checkout", UriKind.Relative))
        {
            Content = new StringContent("""{"plan":"PLATINUM","interval":"month"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", api.Token(accountId));
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-{Convert.ToHexStringLower(BitConverter.GetBytes(42L))}-01");
        using var answered = await api.App.Http.SendAsync(request);

        var traced = (await ApiResponse.ReadAsync(answered)).ShouldBeProblem(HttpStatusCode.BadRequest);
        var untraced = (await api.PostAsync("/api/billing/checkout", api.Token(accountId), """{"plan":"PLATINUM","interval":"month"}""")).ShouldBeProblem(HttpStatusCode.BadRequest);

        Assert.Matches($"^00-{traceId}-[0-9a-f]{{16}}-0[01]$", traced.GetProperty("traceId").GetString());
        Assert.True(traced.GetProperty("errors").TryGetProperty("plan", out _), traced.ToString()); // still the validation problem
        Assert.DoesNotContain(traceId, untraced.GetProperty("traceId").GetString(), StringComparison.Ordinal);
        await AssertNothingWrittenAsync(accountId);
    }

    [Theory]
    [MemberData(nameof(BadCheckouts))]
    public async Task A_bad_checkout_answers_400_with_the_field_and_writes_nothing(string why, string json, string field)
    {
        var accountId = BillingApiFixture.NewAccountId();

        var problem = (await api.PostAsync("/api/billing/checkout", api.Token(accountId), json)).ShouldBeProblem(HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages), $"{why}: no error for '{field}' in {problem}");
        Assert.NotEmpty(messages.EnumerateArray());
        await AssertNothingWrittenAsync(accountId);
    }

    [Theory]
    [InlineData("""{"returnUrl":"https://evil.example.com/"}""", "returnUrl")]
    [InlineData("""{"returnUrl":"localhost:3000/billing"}""", "returnUrl")]
    [InlineData("""{"return_url":"http://localhost:3000/"}""", "return_url")]
    [InlineData("""{"returnUrl":""", "$")]
    public async Task A_bad_portal_request_answers_400_even_for_an_account_with_a_customer(string json, string field)
    {
        var accountId = BillingApiFixture.NewAccountId();
        var token = api.Token(accountId);
        (await api.PostAsync("/api/billing/checkout", token, """{"plan":"PRO","interval":"month"}""")).ShouldBe(HttpStatusCode.OK);

        var problem = (await api.PostAsync("/api/billing/portal", token, json)).ShouldBeProblem(HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task A_trial_request_with_fields_answers_400_and_starts_nothing()
    {
        var accountId = BillingApiFixture.NewAccountId();

        var problem = (await api.PostAsync("/api/billing/trial", api.Token(accountId), """{"days":365}""")).ShouldBeProblem(HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty("days", out _));
        await AssertNothingWrittenAsync(accountId);
    }

    [Fact]
    public async Task A_body_that_is_not_json_answers_415_and_writes_nothing()
    {
        var accountId = BillingApiFixture.NewAccountId();

        var response = await api.SendAsync(HttpMethod.Post, "/api/billing/checkout", api.Token(accountId), "plan=PRO&interval=month", "application/x-www-form-urlencoded");

        response.ShouldBeProblem(HttpStatusCode.UnsupportedMediaType);
        await AssertNothingWrittenAsync(accountId);
    }

    [Fact]
    public async Task A_huge_body_answers_413_and_writes_nothing()
    {
        var accountId = BillingApiFixture.NewAccountId();
        var json = $$"""{"plan":"PRO","interval":"month","successUrl":"http://localhost:3000/{{new string('a', 20_000)}}"}""";

        (await api.PostAsync("/api/billing/checkout", api.Token(accountId), json)).ShouldBeProblem(HttpStatusCode.RequestEntityTooLarge);
        await AssertNothingWrittenAsync(accountId);
    }

    private async Task AssertNothingWrittenAsync(string accountId)
    {
        Assert.Empty(await api.AccountDocumentsOfAsync(accountId));
        Assert.Empty(await api.StripeCustomersOfAsync(accountId));
        Assert.Empty(await api.CustomerLinksOfAsync(accountId));
    }
}
