using System.Net;
using Billing.StripeEmulator.Tests.Infrastructure;

namespace Billing.StripeEmulator.Tests;

public sealed class CustomersTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>, IAsyncLifetime
{
    private StripeApiClient Stripe => emulator.Stripe;

    public Task InitializeAsync() => emulator.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Create_returns_a_stripe_shaped_customer_with_request_id_and_version_headers()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var result = await Stripe.PostAsync("/v1/customers", ("email", "jane@example.com"), ("name", "Jane"), ("metadata[user_id]", "u_42"));

        Assert.Equal(HttpStatusCode.OK, result.Status);
        var customer = result.Body;
        Assert.StartsWith("cus_", customer.Str("id"));
        Assert.Equal("customer", customer.Str("object"));
        Assert.False(customer.Bool("livemode"));
        Assert.Equal("jane@example.com", customer.Str("email"));
        Assert.Equal("Jane", customer.Str("name"));
        Assert.Equal("u_42", customer["metadata"]!.Str("user_id"));
        Assert.InRange(customer.Number("created"), before - 5, before + 60);
        Assert.StartsWith("req_", result.Header("Request-Id"));
        Assert.Equal("2026-10-28.endive", result.Header("Stripe-Version"));

        var fetched = (await Stripe.GetAsync($"/v1/customers/{customer.Str("id")}")).EnsureOk().Body;
        Assert.Equal(customer.ToJsonString(), fetched.ToJsonString());
    }

    [Fact]
    public async Task Unknown_id_is_404_resource_missing_naming_the_id()
    {
        var result = await Stripe.GetAsync("/v1/customers/cus_doesnotexist");

        Assert.Equal(HttpStatusCode.NotFound, result.Status);
        Assert.Equal("invalid_request_error", result.Error.Str("type"));
        Assert.Equal("resource_missing", result.Error.Str("code"));
        Assert.Equal("id", result.Error.Str("param"));
        Assert.Contains("cus_doesnotexist", result.Error.Str("message"));
        Assert.StartsWith("https://docs.stripe.com/error-codes/resource-missing", result.Error.Str("doc_url"));
        Assert.StartsWith("req_", result.Header("Request-Id"));
    }

    [Fact]
    public async Task Missing_or_invalid_api_key_is_401()
    {
        var missing = await Stripe.WithKey(string.Empty).GetAsync("/v1/customers");
        var invalid = await Stripe.WithKey("pk_test_publishable").PostAsync("/v1/customers", ("email", "a@example.com"));

        Assert.Equal(HttpStatusCode.Unauthorized, missing.Status);
        Assert.Contains("You did not provide an API key", missing.Error.Str("message"));
        Assert.Equal(HttpStatusCode.Unauthorized, invalid.Status);
        Assert.Equal("invalid_request_error", invalid.Error.Str("type"));
        Assert.Contains("Invalid API Key provided", invalid.Error.Str("message"));
        var list = (await Stripe.GetAsync("/v1/customers")).EnsureOk().Body;
        Assert.Empty(list.Data());
    }

    [Fact]
    public async Task Unknown_and_missing_parameters_are_400_with_stripe_codes()
    {
        var unknown = await Stripe.PostAsync("/v1/customers", ("email", "a@example.com"), ("favourite_colour", "blue"));
        var missing = await Stripe.PostAsync("/v1/invoices", ("auto_advance", "false"));
        var badInteger = await Stripe.GetAsync("/v1/invoices?limit=lots");

        Assert.Equal(HttpStatusCode.BadRequest, unknown.Status);
        Assert.Equal("parameter_unknown", unknown.Error.Str("code"));
        Assert.Equal("favourite_colour", unknown.Error.Str("param"));
        Assert.Equal(HttpStatusCode.BadRequest, missing.Status);
        Assert.Equal("parameter_missing", missing.Error.Str("code"));
        Assert.Equal("customer", missing.Error.Str("param"));
        Assert.Equal("parameter_invalid_integer", badInteger.Error.Str("code"));
    }

    [Fact]
    public async Task Unrecognized_url_is_404_invalid_request()
    {
        var result = await Stripe.GetAsync("/v1/transfers/tr_123");

        Assert.Equal(HttpStatusCode.NotFound, result.Status);
        Assert.Contains("Unrecognized request URL", result.Error.Str("message"));
    }

    [Fact]
    public async Task Search_matches_metadata_and_email_clauses()
    {
        var first = await Flows.CreateCustomerAsync(Stripe, "first@example.com", ("metadata[user_id]", "u1"));
        var second = await Flows.CreateCustomerAsync(Stripe, "second@example.com", ("metadata[user_id]", "u2"));
        await Flows.CreateCustomerAsync(Stripe, "third@example.com", ("metadata[user_id]", "u3"));

        var byMetadata = (await Stripe.GetAsync("/v1/customers/search?query=" + Uri.EscapeDataString("metadata['user_id']:'u2'"))).EnsureOk().Body;
        var byEmail = (await Stripe.GetAsync("/v1/customers/search?query=" + Uri.EscapeDataString("email:'FIRST@example.com'"))).EnsureOk().Body;
        var either = (await Stripe.GetAsync("/v1/customers/search?query=" + Uri.EscapeDataString("email:'first@example.com' OR metadata['user_id']:'u2'"))).EnsureOk().Body;
        var both = (await Stripe.GetAsync("/v1/customers/search?query=" + Uri.EscapeDataString("email:'first@example.com' AND metadata['user_id']:'u2'"))).EnsureOk().Body;
        var invalid = await Stripe.GetAsync("/v1/customers/search?query=" + Uri.EscapeDataString("colour:'blue'"));

        Assert.Equal("search_result", byMetadata.Str("object"));
        Assert.Equal([second], byMetadata.Data().Select(c => c!.Str("id")));
        Assert.Equal([first], byEmail.Data().Select(c => c!.Str("id")));
        Assert.Equal([second, first], either.Data().Select(c => c!.Str("id")));
        Assert.Empty(both.Data());
        Assert.False(byMetadata.Bool("has_more"));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.Status);
        Assert.Equal("query", invalid.Error.Str("param"));
    }

    [Fact]
    public async Task Search_pages_with_next_page()
    {
        for (var i = 0; i < 3; i++)
        {
            await Flows.CreateCustomerAsync(Stripe, $"page{i}@example.com", ("metadata[team]", "t1"));
        }

        var query = "/v1/customers/search?limit=2&query=" + Uri.EscapeDataString("metadata['team']:'t1'");
        var page1 = (await Stripe.GetAsync(query)).EnsureOk().Body;
        var page2 = (await Stripe.GetAsync(query + "&page=" + Uri.EscapeDataString(page1.Str("next_page")))).EnsureOk().Body;

        Assert.Equal(2, page1.Data().Count);
        Assert.True(page1.Bool("has_more"));
        Assert.Single(page2.Data());
        Assert.False(page2.Bool("has_more"));
        Assert.Null(page2["next_page"]);
    }

    [Fact]
    public async Task Update_raises_customer_updated_with_previous_attributes()
    {
        var id = await Flows.CreateCustomerAsync(Stripe, "old@example.com");

        var updated = (await Stripe.PostAsync($"/v1/customers/{id}", ("email", "new@example.com"), ("metadata[plan]", "pro"))).EnsureOk().Body;
        var deliveries = await emulator.Receiver.WaitForTypesAsync("customer.updated");

        Assert.Equal("new@example.com", updated.Str("email"));
        var previous = deliveries.Single(d => d.Type == "customer.updated").Event!["data"]!["previous_attributes"]!;
        Assert.Equal("old@example.com", previous.Str("email"));
        Assert.True(previous["metadata"]!.AsObject().ContainsKey("plan"));
        Assert.Null(previous["metadata"]!["plan"]);
    }

    [Fact]
    public async Task Listing_by_email_matches_the_case_exactly_as_Stripe_does()
    {
        // Stripe's `email` list filter is case-sensitive (openapi spec3, GET /v1/customers: "A case-sensitive filter").
        var customer = await Flows.CreateCustomerAsync(Stripe, "Jane.Doe@Example.com");

        var otherCase = (await Stripe.GetAsync("/v1/customers?email=jane.doe@example.com")).EnsureOk().Body.Data();
        var sameCase = (await Stripe.GetAsync("/v1/customers?email=Jane.Doe@Example.com")).EnsureOk().Body.Data();

        Assert.Empty(otherCase);
        Assert.Equal(customer, Assert.Single(sameCase)!.Str("id"));
    }
}
