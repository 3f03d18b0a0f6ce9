using System.Net;
using Billing.StripeEmulator.Tests.Infrastructure;

namespace Billing.StripeEmulator.Tests;

public sealed class IdempotencyTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>, IAsyncLifetime
{
    private StripeApiClient Stripe => emulator.Stripe;

    public Task InitializeAsync() => emulator.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Same_key_and_parameters_replays_the_first_response()
    {
        var first = await Stripe.PostIdempotentAsync("/v1/customers", "create-customer-1", ("email", "jane@example.com"), ("metadata[a]", "1"));
        var second = await Stripe.PostIdempotentAsync("/v1/customers", "create-customer-1", ("metadata[a]", "1"), ("email", "jane@example.com"));

        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Equal(first.Id, second.Id);
        Assert.Equal(first.Body.ToJsonString(), second.Body.ToJsonString());
        Assert.Null(first.Header("Idempotent-Replayed"));
        Assert.Equal("true", second.Header("Idempotent-Replayed"));
        Assert.Single((await Stripe.GetAsync("/v1/customers")).EnsureOk().Body.Data());

        var events = (await Stripe.GetAsync("/v1/events?type=customer.created")).EnsureOk().Body.Data();
        var created = Assert.Single(events);
        Assert.Equal("create-customer-1", created!["request"]!.Str("idempotency_key"));
        Assert.StartsWith("req_", created["request"]!.Str("id"));
    }

    [Fact]
    public async Task Same_key_with_other_parameters_is_an_idempotency_error()
    {
        await Stripe.PostIdempotentAsync("/v1/customers", "key-2", ("email", "jane@example.com"));

        var result = await Stripe.PostIdempotentAsync("/v1/customers", "key-2", ("email", "john@example.com"));

        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
        Assert.Equal("idempotency_error", result.Error.Str("type"));
        Assert.Contains("same parameters", result.Error.Str("message"));
        Assert.Single((await Stripe.GetAsync("/v1/customers")).EnsureOk().Body.Data());
    }

    [Fact]
    public async Task A_key_is_bound_to_the_endpoint_it_was_first_used_on()
    {
        var customer = (await Stripe.PostIdempotentAsync("/v1/customers", "key-3", ("email", "jane@example.com"))).EnsureOk().Id;

        var result = await Stripe.PostIdempotentAsync($"/v1/customers/{customer}", "key-3", ("email", "jane@example.com"));

        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
        Assert.Equal("idempotency_error", result.Error.Str("type"));
        Assert.Contains("same endpoint", result.Error.Str("message"));
    }

    [Fact]
    public async Task Keys_are_scoped_per_secret_key()
    {
        var first = await Stripe.PostIdempotentAsync("/v1/customers", "shared-key", ("email", "jane@example.com"));
        var other = await Stripe.WithKey("sk_test_another_account").PostIdempotentAsync("/v1/customers", "shared-key", ("email", "jane@example.com"));

        Assert.NotEqual(first.EnsureOk().Id, other.EnsureOk().Id);
        Assert.Null(other.Header("Idempotent-Replayed"));
    }

    [Fact]
    public async Task Ten_concurrent_requests_with_one_key_create_one_customer()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ =>
            Stripe.PostIdempotentAsync("/v1/customers", "concurrent-key", ("email", "race@example.com"))));

        Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.Single(results.Select(r => r.Id).Distinct());
        Assert.Equal(9, results.Count(r => r.Header("Idempotent-Replayed") == "true"));
        var customers = (await Stripe.GetAsync("/v1/customers?email=race@example.com")).EnsureOk().Body.Data();
        Assert.Single(customers);
    }

    [Fact]
    public async Task A_validation_failure_does_not_use_up_the_key()
    {
        var invalid = await Stripe.PostIdempotentAsync("/v1/customers", "key-validation", ("email", "not-an-email"));
        var valid = await Stripe.PostIdempotentAsync("/v1/customers", "key-validation", ("email", "ok@example.com"));

        Assert.Equal(HttpStatusCode.BadRequest, invalid.Status);
        Assert.Equal("email_invalid", invalid.Error.Str("code"));
        Assert.Equal(HttpStatusCode.OK, valid.Status);
        Assert.Null(valid.Header("Idempotent-Replayed"));
    }

    [Fact]
    public async Task A_card_error_is_saved_and_replayed()
    {
        var customer = await Flows.CreateCustomerAsync(Stripe);
        await Stripe.ControlAsync($"/_emulator/customers/{customer}/payment_method", ("behavior", "failing"));
        await Stripe.PostAsync("/v1/invoiceitems", ("customer", customer), ("amount", "700"), ("currency", "usd"));
        var invoice = (await Stripe.PostAsync("/v1/invoices", ("customer", customer), ("pending_invoice_items_behavior", "include"))).EnsureOk().Id;

        var first = await Stripe.PostIdempotentAsync($"/v1/invoices/{invoice}/pay", "pay-once");
        await Stripe.ControlAsync($"/_emulator/customers/{customer}/payment_method", ("behavior", "succeeding"));
        var replay = await Stripe.PostIdempotentAsync($"/v1/invoices/{invoice}/pay", "pay-once");

        Assert.Equal(HttpStatusCode.PaymentRequired, first.Status);
        Assert.Equal(HttpStatusCode.PaymentRequired, replay.Status);
        Assert.Equal("true", replay.Header("Idempotent-Replayed"));
        var stored = (await Stripe.GetAsync($"/v1/invoices/{invoice}")).EnsureOk().Body;
        Assert.Equal(1, stored.Number("attempt_count"));
        Assert.Equal("open", stored.Str("status"));
    }
}
