using System.Net;
using Billing.Application.Payments;
using Billing.Domain.Accounts;
using Billing.FunctionApp.Infrastructure.Stripe;
using Billing.FunctionApp.Tests.Support;
using Billing.Stripe;
using Microsoft.Extensions.Logging.Abstractions;

namespace Billing.FunctionApp.Tests.Infrastructure;

public sealed class StripeBillingGatewayTests
{
    private const string CustomerJson = """{"id":"cus_123","object":"customer","metadata":{"account_id":"user-1"}}""";
    private const string SessionJson = """{"id":"cs_test_1","object":"checkout.session","mode":"subscription","url":"https://checkout.stripe.com/c/pay/cs_test_1"}""";
    private const string PortalJson = """{"id":"bps_1","object":"billing_portal.session","url":"https://billing.stripe.com/p/session/bps_1"}""";
    private static readonly AccountId Account = AccountId.Parse("user-1");

    private readonly RecordingStripeHandler _stripe = new();
    private readonly ImmediateTimeProvider _time = new();

    [Fact]
    public async Task Customers_are_created_with_the_account_in_metadata_under_the_given_idempotency_key()
    {
        _stripe.Respond(HttpStatusCode.OK, CustomerJson);

        var id = await Gateway().CreateCustomerAsync(new NewStripeCustomer { AccountId = Account, IdempotencyKey = "customer-create:user-1" }, CancellationToken.None);

        Assert.Equal("cus_123", id);
        var request = Assert.Single(_stripe.Requests);
        Assert.Equal(("POST", "/v1/customers"), (request.Method, request.Path));
        Assert.Equal("customer-create:user-1", request.IdempotencyKey);
        Assert.Equal(new Dictionary<string, string> { ["metadata[account_id]"] = "user-1" }, request.Form);
    }

    [Fact]
    public async Task A_customer_creation_still_in_flight_elsewhere_is_waited_for_with_the_same_key()
    {
        const string inUse = """{"error":{"type":"invalid_request_error","code":"idempotency_key_in_use","message":"There is currently another in-progress request using this Idempotent Key."}}""";
        for (var i = 0; i < 3; i++)
        {
            _stripe.Respond(HttpStatusCode.Conflict, inUse); // the client's own attempt and its two retries
        }

        _stripe.Respond(HttpStatusCode.OK, CustomerJson);

        var id = await Gateway().CreateCustomerAsync(new NewStripeCustomer { AccountId = Account, IdempotencyKey = "customer-create:user-1" }, CancellationToken.None);

        Assert.Equal("cus_123", id);
        Assert.Equal(4, _stripe.Requests.Count);
        Assert.All(_stripe.Requests, r => Assert.Equal("customer-create:user-1", r.IdempotencyKey));
        Assert.Equal([TimeSpan.FromSeconds(1)], _time.Delays);
    }

    [Fact]
    public async Task Checkout_sessions_carry_the_account_three_ways_the_price_the_trial_and_the_urls()
    {
        _stripe.Respond(HttpStatusCode.OK, SessionJson);

        var session = await Gateway().CreateCheckoutSessionAsync(
            new HostedCheckoutRequest
            {
                AccountId = Account,
                CustomerId = "cus_123",
                PriceId = "price_basic_monthly",
                TrialDays = 14,
                SuccessUrl = "https://app.example.com/ok?s={CHECKOUT_SESSION_ID}",
                CancelUrl = "https://app.example.com/billing",
            },
            CancellationToken.None);

        Assert.Equal(new HostedCheckoutSession("cs_test_1", new Uri("https://checkout.stripe.com/c/pay/cs_test_1")), session);
        var request = Assert.Single(_stripe.Requests);
        Assert.Equal("/v1/checkout/sessions", request.Path);
        Assert.Equal("subscription", request.Form["mode"]);
        Assert.Equal("cus_123", request.Form["customer"]);
        Assert.Equal("user-1", request.Form["client_reference_id"]);
        Assert.Equal("user-1", request.Form["metadata[account_id]"]);
        Assert.Equal("user-1", request.Form["subscription_data[metadata][account_id]"]);
        Assert.Equal("14", request.Form["subscription_data[trial_period_days]"]);
        Assert.Equal("price_basic_monthly", request.Form["line_items[0][price]"]);
        Assert.Equal("1", request.Form["line_items[0][quantity]"]);
        Assert.Equal("https://app.example.com/ok?s={CHECKOUT_SESSION_ID}", request.Form["success_url"]);
        Assert.Equal("https://app.example.com/billing", request.Form["cancel_url"]);
        Assert.NotNull(request.IdempotencyKey);
    }

    [Fact]
    public async Task A_checkout_without_trial_sends_no_trial_parameter()
    {
        _stripe.Respond(HttpStatusCode.OK, SessionJson);

        await Gateway().CreateCheckoutSessionAsync(
            new HostedCheckoutRequest { AccountId = Account, CustomerId = "cus_123", PriceId = "price_pro_monthly", SuccessUrl = "https://a.example/s", CancelUrl = "https://a.example/c" },
            CancellationToken.None);

        Assert.DoesNotContain("subscription_data[trial_period_days]", Assert.Single(_stripe.Requests).Form.Keys);
    }

    [Fact]
    public async Task Portal_sessions_are_for_the_customer_and_return_url()
    {
        _stripe.Respond(HttpStatusCode.OK, PortalJson);

        var session = await Gateway().CreatePortalSessionAsync(new HostedPortalRequest { CustomerId = "cus_123", ReturnUrl = "https://app.example.com/account" }, CancellationToken.None);

        Assert.Equal(new Uri("https://billing.stripe.com/p/session/bps_1"), session.Url);
        var request = Assert.Single(_stripe.Requests);
        Assert.Equal("/v1/billing_portal/sessions", request.Path);
        Assert.Equal(new Dictionary<string, string> { ["customer"] = "cus_123", ["return_url"] = "https://app.example.com/account" }, request.Form);
    }

    [Fact]
    public async Task Stripe_refusals_become_permanent_provider_errors_without_secrets()
    {
        _stripe.Respond(HttpStatusCode.BadRequest, """{"error":{"type":"invalid_request_error","code":"resource_missing","param":"customer","message":"No such customer: 'cus_gone'"}}""");

        var failure = await Assert.ThrowsAsync<PaymentProviderException>(() =>
            Gateway().CreatePortalSessionAsync(new HostedPortalRequest { CustomerId = "cus_gone", ReturnUrl = "https://a.example/" }, CancellationToken.None));

        Assert.False(failure.IsTransient);
        Assert.Contains("400 invalid_request_error/resource_missing", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk_test", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stripe_outages_become_transient_provider_errors()
    {
        const string error = """{"error":{"type":"api_error","message":"boom"}}""";
        for (var i = 0; i < 3; i++)
        {
            _stripe.Respond(HttpStatusCode.InternalServerError, error);
        }

        var failure = await Assert.ThrowsAsync<PaymentProviderException>(() =>
            Gateway().CreateCheckoutSessionAsync(
                new HostedCheckoutRequest { AccountId = Account, CustomerId = "cus_1", PriceId = "price_1", SuccessUrl = "https://a.example/s", CancelUrl = "https://a.example/c" },
                CancellationToken.None));

        Assert.True(failure.IsTransient);
    }

    private StripeBillingGateway Gateway()
    {
        var client = new StripeClient(
            new HttpClient(_stripe) { BaseAddress = new Uri("https://api.stripe.test/") },
            new StripeClientOptions { SecretKey = "sk_test_gateway", ApiBase = new Uri("https://api.stripe.test/") },
            retryDelay: new NoRetryDelay());
        return new StripeBillingGateway(client, _time, NullLogger<StripeBillingGateway>.Instance);
    }

    private sealed class NoRetryDelay : IStripeRetryDelay
    {
        public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
