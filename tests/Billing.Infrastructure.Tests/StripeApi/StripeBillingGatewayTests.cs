using System.Net;
using Billing.Application.Credits;
using Billing.Application.Payments;
using Billing.Domain.Accounts;
using Billing.Domain.Pricing;
using Billing.Infrastructure.StripeApi;
using Billing.Infrastructure.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Billing.Infrastructure.Tests.StripeApi;

public sealed class StripeBillingGatewayTests
{
    private const string CustomerJson = """{"id":"cus_123","object":"customer","metadata":{"account_id":"user-1"}}""";
    private const string SessionJson = """{"id":"cs_test_1","object":"checkout.session","mode":"subscription","url":"https://checkout.stripe.com/c/pay/cs_test_1","expires_at":1796900000}""";
    private const string PortalJson = """{"id":"bps_1","object":"billing_portal.session","url":"https://billing.stripe.com/p/session/bps_1"}""";
    private const string Secretish = "raw-body-marker-4242";
    private static readonly AccountId Account = AccountId.Parse("user-1");

    private readonly StubStripeHandler _stripe = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Customers_are_created_with_the_account_in_metadata_under_the_given_idempotency_key()
    {
        _stripe.Respond(HttpStatusCode.OK, CustomerJson);

        var id = await Gateway().CreateCustomerAsync(new NewStripeCustomer { AccountId = Account, IdempotencyKey = "customer-create:user-1" }, CancellationToken.None);

        Assert.Equal("cus_123", id);
        var request = Assert.Single(_stripe.Requests);
        Assert.Equal(("POST", "/v1/customers"), (request.Method, request.Path));
        Assert.Equal("customer-create:user-1", request.IdempotencyKey);
        Assert.Equal("Bearer " + TestStripe.SecretKey, request.Authorization);
        Assert.Equal(new Dictionary<string, string> { ["metadata[account_id]"] = "user-1" }, request.Form);
    }

    [Fact]
    public async Task A_server_error_is_retried_by_Stripe_net_under_the_same_idempotency_key()
    {
        _stripe.Respond(HttpStatusCode.InternalServerError, """{"error":{"type":"api_error","message":"boom"}}""");
        _stripe.Respond(HttpStatusCode.OK, CustomerJson);

        var id = await Gateway().CreateCustomerAsync(new NewStripeCustomer { AccountId = Account, IdempotencyKey = "customer-create:user-1" }, CancellationToken.None);

        Assert.Equal("cus_123", id);
        Assert.Equal(2, _stripe.Requests.Count);
        Assert.All(_stripe.Requests, r => Assert.Equal("customer-create:user-1", r.IdempotencyKey));
    }

    [Fact]
    public async Task A_customer_creation_still_in_flight_elsewhere_is_waited_for_with_the_same_key()
    {
        const string inUse = """{"error":{"type":"invalid_request_error","code":"idempotency_key_in_use","message":"There is currently another in-progress request using this Idempotent Key."}}""";
        for (var i = 0; i < 3; i++)
        {
            _stripe.Respond(HttpStatusCode.Conflict, inUse); // Stripe.net's own attempt and its two retries
        }

        _stripe.Respond(HttpStatusCode.OK, CustomerJson);

        var creation = Gateway().CreateCustomerAsync(new NewStripeCustomer { AccountId = Account, IdempotencyKey = "customer-create:user-1" }, CancellationToken.None);
        while (!creation.IsCompleted)
        {
            await Task.Delay(20);
            _time.Advance(TimeSpan.FromMilliseconds(250)); // the gateway's own 1 s wait runs on the injected clock
        }

        Assert.Equal("cus_123", await creation);
        Assert.Equal(4, _stripe.Requests.Count);
        Assert.All(_stripe.Requests, r => Assert.Equal("customer-create:user-1", r.IdempotencyKey));
    }

    [Fact]
    public async Task A_customer_creation_in_flight_elsewhere_is_waited_for_four_times_then_its_conflict_is_the_answer()
    {
        const string inUse = """{"error":{"type":"invalid_request_error","code":"idempotency_key_in_use","message":"There is currently another in-progress request using this Idempotent Key."}}""";
        for (var i = 0; i < 4; i++)
        {
            _stripe.Respond(HttpStatusCode.Conflict, inUse);
        }

        var creation = Gateway(maxNetworkRetries: 0).CreateCustomerAsync(new NewStripeCustomer { AccountId = Account, IdempotencyKey = "customer-create:user-1" }, CancellationToken.None);
        while (!creation.IsCompleted)
        {
            await Task.Delay(20);
            _time.Advance(TimeSpan.FromMilliseconds(250));
        }

        var failure = await Assert.ThrowsAsync<PaymentProviderException>(() => creation);
        Assert.True(failure.IsTransient); // a request still in flight elsewhere: worth trying again later
        Assert.Equal(4, _stripe.Requests.Count);
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

        Assert.Equal(new HostedCheckoutSession("cs_test_1", new Uri("https://checkout.stripe.com/c/pay/cs_test_1"), DateTimeOffset.FromUnixTimeSeconds(1_796_900_000)), session); // Stripe's expires_at: when the open Checkout stops being payable
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
        Assert.DoesNotContain(request.Form.Keys, k => k.StartsWith("payment_method_types", StringComparison.Ordinal));
        Assert.NotNull(request.IdempotencyKey);
    }

    [Fact]
    public async Task Payment_sessions_sell_one_price_and_name_the_account_and_the_purchase_with_its_terms_on_the_session_and_its_payment()
    {
        _stripe.Respond(HttpStatusCode.OK, SessionJson);

        var session = await Gateway().CreatePaymentCheckoutSessionAsync(
            new HostedPaymentRequest
            {
                AccountId = Account,
                CustomerId = "cus_123",
                PriceId = "price_credits_10",
                Terms = new PurchaseTerms { Kind = "credit_pack", Code = "CREDITS_10", Credit = new Money(1_000, Currency.Parse("usd")), ExpiresAfter = TimeSpan.FromDays(30), Price = new Money(900, Currency.Parse("usd")) },
                SuccessUrl = "https://app.example.com/ok",
                CancelUrl = "https://app.example.com/billing",
            },
            CancellationToken.None);

        Assert.Equal(("cs_test_1", DateTimeOffset.FromUnixTimeSeconds(1_796_900_000)), (session.SessionId, session.ExpiresAt));
        var request = Assert.Single(_stripe.Requests);
        Assert.Equal("/v1/checkout/sessions", request.Path);
        Assert.Equal("payment", request.Form["mode"]);
        Assert.Equal("cus_123", request.Form["customer"]);
        Assert.Equal("user-1", request.Form["client_reference_id"]);
        Assert.Equal("price_credits_10", request.Form["line_items[0][price]"]);
        foreach (var prefix in new[] { "metadata", "payment_intent_data[metadata]" })
        {
            Assert.Equal("user-1", request.Form[$"{prefix}[account_id]"]);
            Assert.Equal("credit_pack", request.Form[$"{prefix}[purchase]"]);
            Assert.Equal("CREDITS_10", request.Form[$"{prefix}[purchase_code]"]);
            Assert.Equal(("1000", "usd", "30.00:00:00"), (request.Form[$"{prefix}[grant_credit]"], request.Form[$"{prefix}[grant_currency]"], request.Form[$"{prefix}[grant_expires_after]"]));
            Assert.Equal(("900", "usd"), (request.Form[$"{prefix}[purchase_amount]"], request.Form[$"{prefix}[purchase_currency]"]));
        }

        Assert.DoesNotContain(request.Form.Keys, k => k.StartsWith("subscription_data", StringComparison.Ordinal));
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
    public async Task Stripe_refusals_become_permanent_provider_errors_without_the_body()
    {
        _stripe.Respond(HttpStatusCode.NotFound, $$$"""{"error":{"type":"invalid_request_error","code":"resource_missing","param":"customer","message":"No such customer: 'cus_gone' {{{Secretish}}}"}}""", "req_404");

        var failure = await Assert.ThrowsAsync<PaymentProviderException>(() =>
            Gateway().CreatePortalSessionAsync(new HostedPortalRequest { CustomerId = "cus_gone", ReturnUrl = "https://a.example/" }, CancellationToken.None));

        Assert.False(failure.IsTransient);
        Assert.Equal("Could not create the portal session: Stripe answered 404 invalid_request_error/resource_missing (request req_404).", failure.Message);
        Assert.Null(failure.InnerException);
        Assert.Single(_stripe.Requests);
    }

    [Fact]
    public async Task A_declined_card_is_a_permanent_failure_naming_the_decline_code()
    {
        _stripe.Respond(HttpStatusCode.PaymentRequired, $$$"""{"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds","message":"Your card has insufficient funds. {{{Secretish}}}"}}""", "req_402");

        var failure = await Assert.ThrowsAsync<PaymentProviderException>(() => CreateCustomer());

        Assert.False(failure.IsTransient);
        Assert.Contains("402 card_error/card_declined, decline code insufficient_funds (request req_402)", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secretish, failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stripe_outages_become_transient_provider_errors_without_the_body()
    {
        for (var i = 0; i < 3; i++)
        {
            _stripe.Respond(HttpStatusCode.InternalServerError, $$$"""{"error":{"type":"api_error","message":"boom {{{Secretish}}}"}}""");
        }

        var failure = await Assert.ThrowsAsync<PaymentProviderException>(() =>
            Gateway().CreateCheckoutSessionAsync(
                new HostedCheckoutRequest { AccountId = Account, CustomerId = "cus_1", PriceId = "price_1", SuccessUrl = "https://a.example/s", CancelUrl = "https://a.example/c" },
                CancellationToken.None));

        Assert.True(failure.IsTransient);
        Assert.Equal(3, _stripe.Requests.Count);
        Assert.Contains("500 api_error/", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secretish, failure.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Stripe saves what a keyed POST answered once the endpoint began executing, a 500 included, and replays it for
    /// every request under that key for at least 24 hours (<c>Idempotent-Replayed: true</c>, <c>Original-Request</c>:
    /// https://docs.stripe.com/api/idempotent_requests, https://docs.stripe.com/error-low-level). A Checkout's key
    /// changes only with the account, which a failed start does not write: without more, one Stripe 500 would refuse
    /// that Checkout for a day.
    /// </summary>
    [Fact]
    public async Task A_checkout_failure_replayed_under_its_key_is_tried_once_more_under_a_key_derived_from_the_failed_request()
    {
        var replayed = new Dictionary<string, string> { ["Idempotent-Replayed"] = "true", ["Original-Request"] = "req_failed" };
        for (var i = 0; i < 3; i++)
        {
            _stripe.Respond(HttpStatusCode.InternalServerError, """{"error":{"type":"api_error","message":"An unknown error occurred"}}""", "req_replay", replayed);
        }

        _stripe.Respond(HttpStatusCode.OK, SessionJson);

        var session = await Gateway().CreateCheckoutSessionAsync(
            new HostedCheckoutRequest { AccountId = Account, CustomerId = "cus_1", PriceId = "price_1", SuccessUrl = "https://a.example/s", CancelUrl = "https://a.example/c", IdempotencyKey = "checkout-create:user-1#0:price_1:0:abc:v3" },
            CancellationToken.None);

        Assert.Equal("cs_test_1", session.SessionId);
        Assert.Equal(
            ["checkout-create:user-1#0:price_1:0:abc:v3", "checkout-create:user-1#0:price_1:0:abc:v3", "checkout-create:user-1#0:price_1:0:abc:v3", "checkout-create:user-1#0:price_1:0:abc:v3:after:req_failed"],
            _stripe.Requests.Select(r => r.IdempotencyKey));
    }

    [Fact]
    public async Task A_customer_creation_failure_replayed_under_its_key_is_tried_once_more_under_a_key_derived_from_the_failed_request()
    {
        var replayed = new Dictionary<string, string> { ["Idempotent-Replayed"] = "true", ["Original-Request"] = "req_failed" };
        for (var i = 0; i < 3; i++)
        {
            _stripe.Respond(HttpStatusCode.InternalServerError, """{"error":{"type":"api_error","message":"An unknown error occurred"}}""", "req_replay", replayed);
        }

        _stripe.Respond(HttpStatusCode.OK, CustomerJson);

        var id = await Gateway().CreateCustomerAsync(new NewStripeCustomer { AccountId = Account, IdempotencyKey = "customer-create:user-1" }, CancellationToken.None);

        Assert.Equal("cus_123", id);
        Assert.Equal("customer-create:user-1:after:req_failed", _stripe.Requests[^1].IdempotencyKey);
    }

    [Theory]
    [InlineData(238, false)] // "{key}:after:req_failed" is 255 characters: Stripe's limit, sent as it is
    [InlineData(239, true)] // 256: Stripe would refuse it, and the escape from the replayed failure with it
    public async Task A_derived_key_longer_than_stripes_255_characters_is_sent_as_its_sha256(int keyLength, bool hashed)
    {
        var key = "customer-create:" + new string('a', keyLength - "customer-create:".Length);
        _stripe.Respond(HttpStatusCode.InternalServerError, """{"error":{"type":"api_error","message":"An unknown error occurred"}}""", "req_replay", new Dictionary<string, string> { ["Idempotent-Replayed"] = "true", ["Original-Request"] = "req_failed" });
        _stripe.Respond(HttpStatusCode.OK, CustomerJson);

        await Gateway(maxNetworkRetries: 0).CreateCustomerAsync(new NewStripeCustomer { AccountId = Account, IdempotencyKey = key }, CancellationToken.None);

        var derived = key + ":after:req_failed";
        var expected = hashed ? "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(derived))) : derived;
        Assert.Equal([key, expected], _stripe.Requests.Select(r => r.IdempotencyKey));
    }

    [Fact]
    public async Task A_failure_Stripe_says_is_not_a_replay_is_not_sent_again_under_another_key()
    {
        // A fresh failure may have done its work at Stripe: under a new key a second customer could be created.
        _stripe.Respond(HttpStatusCode.InternalServerError, """{"error":{"type":"api_error","message":"An unknown error occurred"}}""", "req_fresh", new Dictionary<string, string> { ["Idempotent-Replayed"] = "false", ["Original-Request"] = "req_fresh" });

        await Assert.ThrowsAsync<PaymentProviderException>(() => Gateway(maxNetworkRetries: 0).CreateCustomerAsync(new NewStripeCustomer { AccountId = Account, IdempotencyKey = "customer-create:user-1" }, CancellationToken.None));

        Assert.Equal(["customer-create:user-1"], _stripe.Requests.Select(r => r.IdempotencyKey));
    }

    [Fact]
    public async Task A_replayed_failure_under_the_derived_key_is_escaped_once_more_and_a_third_is_the_answer()
    {
        const string error = """{"error":{"type":"api_error","message":"An unknown error occurred"}}""";
        static Dictionary<string, string> ReplayOf(string request) => new() { ["Idempotent-Replayed"] = "true", ["Original-Request"] = request };
        _stripe.Respond(HttpStatusCode.InternalServerError, error, "req_r1", ReplayOf("req_a"));
        _stripe.Respond(HttpStatusCode.InternalServerError, error, "req_r2", ReplayOf("req_b"));
        _stripe.Respond(HttpStatusCode.OK, CustomerJson);
        _stripe.Respond(HttpStatusCode.InternalServerError, error, "req_r3", ReplayOf("req_c"));
        _stripe.Respond(HttpStatusCode.InternalServerError, error, "req_r4", ReplayOf("req_d"));
        _stripe.Respond(HttpStatusCode.InternalServerError, error, "req_r5", ReplayOf("req_e"));

        var id = await Gateway(maxNetworkRetries: 0).CreateCustomerAsync(new NewStripeCustomer { AccountId = Account, IdempotencyKey = "customer-create:user-1" }, CancellationToken.None);
        var failure = await Assert.ThrowsAsync<PaymentProviderException>(() => Gateway(maxNetworkRetries: 0).CreateCustomerAsync(new NewStripeCustomer { AccountId = Account, IdempotencyKey = "customer-create:user-2" }, CancellationToken.None));

        Assert.Equal("cus_123", id);
        Assert.True(failure.IsTransient);
        Assert.Equal(
            ["customer-create:user-1", "customer-create:user-1:after:req_a", "customer-create:user-1:after:req_b",
             "customer-create:user-2", "customer-create:user-2:after:req_c", "customer-create:user-2:after:req_d"],
            _stripe.Requests.Select(r => r.IdempotencyKey));
    }

    [Fact]
    public async Task A_failure_that_is_not_a_replay_is_not_sent_again_under_another_key()
    {
        for (var i = 0; i < 3; i++)
        {
            _stripe.Respond(HttpStatusCode.InternalServerError, """{"error":{"type":"api_error","message":"An unknown error occurred"}}""");
        }

        await Assert.ThrowsAsync<PaymentProviderException>(() =>
            Gateway().CreateCheckoutSessionAsync(
                new HostedCheckoutRequest { AccountId = Account, CustomerId = "cus_1", PriceId = "price_1", SuccessUrl = "https://a.example/s", CancelUrl = "https://a.example/c", IdempotencyKey = "checkout-create:k" },
                CancellationToken.None));

        Assert.Equal(3, _stripe.Requests.Count);
        Assert.All(_stripe.Requests, r => Assert.Equal("checkout-create:k", r.IdempotencyKey));
    }

    [Fact]
    public async Task An_answer_that_is_not_a_Stripe_error_is_classified_by_status_without_the_body()
    {
        _stripe.Respond(HttpStatusCode.BadRequest, $"<html>{Secretish}</html>");

        var failure = await Assert.ThrowsAsync<PaymentProviderException>(() => CreateCustomer());

        Assert.False(failure.IsTransient);
        Assert.Contains("400 with a body that is not a Stripe error", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secretish, failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_connection_is_a_transient_unavailable_failure()
    {
        for (var i = 0; i < 3; i++)
        {
            _stripe.Fail(new HttpRequestException("Connection refused (127.0.0.1:1)", new System.Net.Sockets.SocketException(111)));
        }

        var failure = await Assert.ThrowsAsync<PaymentProviderException>(() => CreateCustomer());

        Assert.True(failure.IsTransient);
        Assert.Equal("Could not create the Stripe customer: Stripe could not be reached.", failure.Message);
        Assert.IsType<HttpRequestException>(failure.InnerException);
        Assert.Equal(3, _stripe.Requests.Count);
    }

    [Fact]
    public async Task A_timeout_is_transient_but_the_callers_cancellation_stays_a_cancellation()
    {
        _stripe.Fail(new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 80 seconds elapsing.", new TimeoutException()));

        var timeout = await Assert.ThrowsAsync<PaymentProviderException>(() => Gateway(maxNetworkRetries: 0).CreateCustomerAsync(
            new NewStripeCustomer { AccountId = Account, IdempotencyKey = "k" }, CancellationToken.None));
        Assert.True(timeout.IsTransient);
        Assert.Contains("did not answer in time", timeout.Message, StringComparison.Ordinal);

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Gateway().CreateCustomerAsync(
            new NewStripeCustomer { AccountId = Account, IdempotencyKey = "k" }, cancelled.Token));
    }

    [Fact]
    public async Task A_duplicate_s_refund_after_a_failed_one_is_a_new_request_for_the_rest_under_a_key_naming_the_refunds_seen()
    {
        RespondDuplicatePayment("""{"object":"list","data":[{"id":"re_1","object":"refund","amount":1900,"currency":"usd","status":"failed"}],"has_more":false}""");
        _stripe.Respond(HttpStatusCode.OK, """{"id":"re_2","object":"refund","amount":1900,"currency":"usd","status":"succeeded"}""");

        var refunded = await Gateway().RefundLatestInvoicePaymentAsync("sub_dup", "duplicate-refund:sub_dup", CancellationToken.None);

        Assert.Equal(1900, refunded?.MinorUnits);
        var refund = _stripe.Requests[^1];
        Assert.Equal(("POST", "/v1/refunds", "1900"), (refund.Method, refund.Path, refund.Form["amount"]));
        Assert.Equal(("duplicate", "sub_dup"), (refund.Form["reason"], refund.Form["metadata[subscription_id]"])); // why, and of which subscription, in the Dashboard
        Assert.Equal("duplicate-refund:sub_dup:1:0", refund.IdempotencyKey); // not the key whose answer was the failed refund
    }

    [Fact]
    public async Task A_duplicate_s_payment_refunded_in_part_already_is_refunded_only_for_the_rest_and_one_refunded_in_full_not_again()
    {
        RespondDuplicatePayment("""{"object":"list","data":[{"id":"re_1","object":"refund","amount":500,"currency":"usd","status":"succeeded"}],"has_more":false}""");
        _stripe.Respond(HttpStatusCode.OK, """{"id":"re_2","object":"refund","amount":1400,"currency":"usd","status":"succeeded"}""");

        var rest = await Gateway().RefundLatestInvoicePaymentAsync("sub_dup", "duplicate-refund:sub_dup", CancellationToken.None);

        Assert.Equal(1900, rest?.MinorUnits);
        var refund = _stripe.Requests[^1];
        Assert.Equal(("POST", "/v1/refunds", "1400"), (refund.Method, refund.Path, refund.Form["amount"]));
        Assert.Equal("duplicate-refund:sub_dup:1:500", refund.IdempotencyKey);
        var listing = _stripe.Requests[2]; // the refunds already made of the invoice's payment, by its PaymentIntent
        Assert.Equal(("GET", "/v1/refunds"), (listing.Method, listing.Path));
        Assert.Contains("payment_intent=pi_1", listing.Query, StringComparison.Ordinal);

        await AssertRefundedWithoutANewRefundAsync("""{"object":"list","data":[{"id":"re_1","object":"refund","amount":500,"currency":"usd","status":"succeeded"},{"id":"re_2","object":"refund","amount":1400,"currency":"usd","status":"pending"}],"has_more":false}""", 1900);
    }

    [Fact]
    public async Task A_duplicate_s_refund_awaiting_the_customer_s_action_stands_as_the_charge_s_reading_counts_it_and_is_not_made_again()
    {
        // Stripe: a refund of a payment method without native refunds (Konbini, a bank transfer) waits in requires_action
        // for the customer's details; it ends succeeded, or canceled when its instructions expire or the merchant cancels
        // it. Like a pending one it stands until then (GetChargeAsync counts both): a second refund of the same amount
        // would refund twice or be refused for the amount, failing the duplicate's resolution on every delivery.
        RespondDuplicatePayment("""{"object":"list","data":[],"has_more":false}""");
        _stripe.Respond(HttpStatusCode.OK, """{"id":"re_1","object":"refund","amount":1900,"currency":"usd","status":"requires_action"}""");

        var created = await Gateway().RefundLatestInvoicePaymentAsync("sub_dup", "duplicate-refund:sub_dup", CancellationToken.None);

        Assert.Equal(1900, created?.MinorUnits);
        await AssertRefundedWithoutANewRefundAsync("""{"object":"list","data":[{"id":"re_1","object":"refund","amount":1900,"currency":"usd","status":"requires_action"}],"has_more":false}""", 1900);
    }

    /// <summary>The duplicate's refund asked again with <paramref name="refunds"/> already standing: counted, and no new refund made.</summary>
    private async Task AssertRefundedWithoutANewRefundAsync(string refunds, long refunded)
    {
        var requests = _stripe.Requests.Count;
        RespondDuplicatePayment(refunds);

        var again = await Gateway().RefundLatestInvoicePaymentAsync("sub_dup", "duplicate-refund:sub_dup", CancellationToken.None);

        Assert.Equal(refunded, again?.MinorUnits);
        Assert.Equal(requests + 3, _stripe.Requests.Count); // the subscription, the invoice, its refunds: no new refund
        Assert.DoesNotContain(_stripe.Requests.Skip(requests), r => r.Method == "POST");
    }

    [Fact]
    public async Task A_duplicate_s_refund_Stripe_refuses_for_another_reason_than_a_chargeback_is_a_failure_not_nothing_left_to_refund()
    {
        // Only charge_disputed means the money goes back another way; any other refusal (here a refund the listing did not
        // show yet) must fail the resolution, or the duplicate is canceled with its payment kept.
        RespondDuplicatePayment("""{"object":"list","data":[],"has_more":false}""");
        _stripe.Respond(HttpStatusCode.BadRequest, """{"error":{"type":"invalid_request_error","code":"charge_already_refunded","message":"Charge ch_1 has already been refunded."}}""");

        var failure = await Assert.ThrowsAsync<PaymentProviderException>(() => Gateway().RefundLatestInvoicePaymentAsync("sub_dup", "duplicate-refund:sub_dup", CancellationToken.None));

        Assert.False(failure.IsTransient);
        Assert.Contains("400 invalid_request_error/charge_already_refunded", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_duplicate_s_refund_is_counted_in_the_currency_of_its_invoice()
    {
        RespondDuplicatePayment("""{"object":"list","data":[],"has_more":false}""", currency: "eur");
        _stripe.Respond(HttpStatusCode.OK, """{"id":"re_1","object":"refund","amount":1900,"currency":"eur","status":"succeeded"}""");

        var refunded = await Gateway().RefundLatestInvoicePaymentAsync("sub_dup", "duplicate-refund:sub_dup", CancellationToken.None);

        Assert.Equal(new Money(1_900, Currency.Parse("eur")), refunded);
    }

    [Fact]
    public async Task A_refund_that_failed_at_once_is_not_counted_as_refunded()
    {
        RespondDuplicatePayment("""{"object":"list","data":[],"has_more":false}""");
        _stripe.Respond(HttpStatusCode.OK, """{"id":"re_1","object":"refund","amount":1900,"currency":"usd","status":"failed"}""");

        var refunded = await Gateway().RefundLatestInvoicePaymentAsync("sub_dup", "duplicate-refund:sub_dup", CancellationToken.None);

        Assert.Equal(0, refunded?.MinorUnits);
        Assert.Equal("duplicate-refund:sub_dup:0:0", _stripe.Requests[^1].IdempotencyKey);
    }

    [Fact]
    public async Task A_charge_counts_only_refunds_that_stand_and_disputes_open_or_lost()
    {
        const string Charge = """{"id":"ch_1","object":"charge","amount":1000,"amount_refunded":1000,"customer":"cus_1","disputed":true,"refunded":true}""";
        const string Refunds = """{"object":"list","data":[{"id":"re_1","object":"refund","amount":300,"status":"failed"},{"id":"re_2","object":"refund","amount":200,"status":"canceled"},{"id":"re_3","object":"refund","amount":100,"status":"pending"},{"id":"re_4","object":"refund","amount":50,"status":"requires_action"},{"id":"re_5","object":"refund","amount":5,"status":"succeeded"}],"has_more":false}""";
        _stripe.Respond(HttpStatusCode.OK, Charge);
        _stripe.Respond(HttpStatusCode.OK, Refunds);
        _stripe.Respond(HttpStatusCode.OK, """{"object":"list","data":[{"id":"du_1","object":"dispute","status":"won"},{"id":"du_2","object":"dispute","status":"warning_closed"}],"has_more":false}""");
        _stripe.Respond(HttpStatusCode.OK, Charge);
        _stripe.Respond(HttpStatusCode.OK, """{"object":"list","data":[],"has_more":false}""");
        _stripe.Respond(HttpStatusCode.OK, """{"object":"list","data":[{"id":"du_3","object":"dispute","status":"needs_response"}],"has_more":false}""");

        var won = await Gateway().GetChargeAsync("ch_1", CancellationToken.None);
        var open = await Gateway().GetChargeAsync("ch_1", CancellationToken.None);

        Assert.Equal(new ChargeStanding("cus_1", 155, Disputed: false), won); // not the charge's amount_refunded and disputed
        Assert.Equal(new ChargeStanding("cus_1", 0, Disputed: true), open);
        Assert.Equal("/v1/refunds", _stripe.Requests[1].Path);
        Assert.Contains("charge=ch_1", _stripe.Requests[1].Query, StringComparison.Ordinal);
        Assert.Equal("/v1/disputes", _stripe.Requests[2].Path);
        Assert.Contains("charge=ch_1", _stripe.Requests[2].Query, StringComparison.Ordinal);
    }

    /// <summary>The duplicate subscription's latest invoice, paid 1,900 cents by pi_1, and then the given refunds of pi_1.</summary>
    private void RespondDuplicatePayment(string refunds, string currency = "usd")
    {
        _stripe.Respond(HttpStatusCode.OK, """{"id":"sub_dup","object":"subscription","latest_invoice":"in_1","status":"active"}""");
        _stripe.Respond(HttpStatusCode.OK, $$$"""{"id":"in_1","object":"invoice","amount_paid":1900,"currency":"{{{currency}}}","payments":{"object":"list","data":[{"id":"inpay_1","object":"invoice_payment","status":"paid","payment":{"type":"payment_intent","payment_intent":"pi_1"}}],"has_more":false}}""");
        _stripe.Respond(HttpStatusCode.OK, refunds);
    }

    private Task<string> CreateCustomer() =>
        Gateway().CreateCustomerAsync(new NewStripeCustomer { AccountId = Account, IdempotencyKey = "customer-create:user-1" }, CancellationToken.None);

    [Fact]
    public async Task A_session_that_completed_between_the_read_and_the_expire_is_no_longer_payable_and_that_is_enough()
    {
        const string notOpen = """{"error":{"type":"invalid_request_error","message":"Only Checkout Sessions with a status in [\"open\"] can be expired. This Checkout Session has a status of `complete`."}}""";
        _stripe.Respond(HttpStatusCode.OK, """{"id":"cs_test_1","object":"checkout.session","status":"open"}""");
        _stripe.Respond(HttpStatusCode.BadRequest, notOpen); // no error code: Stripe documents none for this
        _stripe.Respond(HttpStatusCode.OK, """{"id":"cs_test_1","object":"checkout.session","status":"complete"}""");

        var expiry = await Gateway().ExpireCheckoutSessionAsync("cs_test_1", CancellationToken.None);

        Assert.Equal(CheckoutSessionExpiry.Completed, expiry); // paid: its subscription exists in Stripe
        Assert.Equal(
            [("GET", "/v1/checkout/sessions/cs_test_1"), ("POST", "/v1/checkout/sessions/cs_test_1/expire"), ("GET", "/v1/checkout/sessions/cs_test_1")],
            _stripe.Requests.Select(r => (r.Method, r.Path)));
    }

    [Fact]
    public async Task An_expire_refused_for_a_session_still_open_is_a_stripe_error()
    {
        _stripe.Respond(HttpStatusCode.OK, """{"id":"cs_test_1","object":"checkout.session","status":"open"}""");
        _stripe.Respond(HttpStatusCode.BadRequest, """{"error":{"type":"invalid_request_error","message":"Something else."}}""");
        _stripe.Respond(HttpStatusCode.OK, """{"id":"cs_test_1","object":"checkout.session","status":"open"}""");

        var failure = await Assert.ThrowsAsync<PaymentProviderException>(() => Gateway().ExpireCheckoutSessionAsync("cs_test_1", CancellationToken.None));

        Assert.False(failure.IsTransient);
        Assert.Equal(3, _stripe.Requests.Count);
    }

    /// <summary>Stripe's answer to a cancel of a subscription canceled already (as to an unknown id), though a read still finds it.</summary>
    private const string NoSuchDuplicate = """{"error":{"type":"invalid_request_error","code":"resource_missing","param":"id","message":"No such subscription: 'sub_dup'"}}""";

    [Fact]
    public async Task A_duplicate_is_canceled_at_once_without_proration_or_a_final_invoice_under_the_given_key()
    {
        _stripe.Respond(HttpStatusCode.OK, """{"id":"sub_dup","object":"subscription","status":"active","customer":"cus_1"}""");
        _stripe.Respond(HttpStatusCode.OK, """{"id":"sub_dup","object":"subscription","status":"canceled","customer":"cus_1"}""");

        await Gateway().CancelSubscriptionAsync("sub_dup", "duplicate-cancel:sub_dup", CancellationToken.None);

        var cancel = _stripe.Requests[1];
        Assert.Equal(("DELETE", "/v1/subscriptions/sub_dup"), (cancel.Method, cancel.Path));
        Assert.Equal("duplicate-cancel:sub_dup", cancel.IdempotencyKey);
        Assert.Equal("?invoice_now=false&prorate=false", cancel.Query);
    }

    [Theory]
    [InlineData("canceled")]
    [InlineData("incomplete_expired")]
    public async Task A_subscription_that_already_ended_is_not_canceled_again(string status)
    {
        _stripe.Respond(HttpStatusCode.OK, $$"""{"id":"sub_dup","object":"subscription","status":"{{status}}","customer":"cus_1"}""");

        await Gateway().CancelSubscriptionAsync("sub_dup", "duplicate-cancel:sub_dup", CancellationToken.None);

        Assert.Equal([("GET", "/v1/subscriptions/sub_dup")], _stripe.Requests.Select(r => (r.Method, r.Path)));
    }

    [Fact]
    public async Task A_duplicate_canceled_between_the_read_and_the_cancel_is_canceled_and_that_is_enough()
    {
        // The customer cancels it in the portal meanwhile: Stripe answers a cancel of a canceled subscription 404 "No such
        // subscription" (resource_missing about the id), though a read still finds it, canceled.
        _stripe.Respond(HttpStatusCode.OK, """{"id":"sub_dup","object":"subscription","status":"active","customer":"cus_1"}""");
        _stripe.Respond(HttpStatusCode.NotFound, NoSuchDuplicate);
        _stripe.Respond(HttpStatusCode.OK, """{"id":"sub_dup","object":"subscription","status":"canceled","customer":"cus_1"}""");

        await Gateway().CancelSubscriptionAsync("sub_dup", "duplicate-cancel:sub_dup", CancellationToken.None);

        Assert.Equal(
            [("GET", "/v1/subscriptions/sub_dup"), ("DELETE", "/v1/subscriptions/sub_dup"), ("GET", "/v1/subscriptions/sub_dup")],
            _stripe.Requests.Select(r => (r.Method, r.Path)));
    }

    [Fact]
    public async Task A_cancel_answered_no_such_subscription_for_one_still_live_is_a_stripe_error()
    {
        _stripe.Respond(HttpStatusCode.OK, """{"id":"sub_dup","object":"subscription","status":"active","customer":"cus_1"}""");
        _stripe.Respond(HttpStatusCode.NotFound, NoSuchDuplicate);
        _stripe.Respond(HttpStatusCode.OK, """{"id":"sub_dup","object":"subscription","status":"active","customer":"cus_1"}""");

        var failure = await Assert.ThrowsAsync<PaymentProviderException>(() => Gateway().CancelSubscriptionAsync("sub_dup", "duplicate-cancel:sub_dup", CancellationToken.None));

        Assert.False(failure.IsTransient);
    }

    [Theory]
    [InlineData("complete", CheckoutSessionExpiry.Completed)]
    [InlineData("expired", CheckoutSessionExpiry.Expired)]
    public async Task A_session_no_longer_open_is_not_expired_again_and_says_whether_it_was_paid(string status, CheckoutSessionExpiry expected)
    {
        _stripe.Respond(HttpStatusCode.OK, $$"""{"id":"cs_test_1","object":"checkout.session","status":"{{status}}"}""");

        var expiry = await Gateway().ExpireCheckoutSessionAsync("cs_test_1", CancellationToken.None);

        Assert.Equal(expected, expiry);
        Assert.Equal(("GET", "/v1/checkout/sessions/cs_test_1"), (Assert.Single(_stripe.Requests).Method, _stripe.Requests[0].Path));
    }

    [Fact]
    public async Task A_duplicate_without_a_latest_invoice_refunds_nothing_and_reads_no_invoice()
    {
        _stripe.Respond(HttpStatusCode.OK, """{"id":"sub_dup","object":"subscription","status":"active"}""");

        var refunded = await Gateway().RefundLatestInvoicePaymentAsync("sub_dup", "duplicate-refund:sub_dup", CancellationToken.None);

        Assert.Null(refunded);
        Assert.Equal(("GET", "/v1/subscriptions/sub_dup"), (Assert.Single(_stripe.Requests).Method, _stripe.Requests[0].Path));
    }

    [Theory]
    [InlineData("0", "paid")] // a trial's or a 100%-discounted invoice: nothing was paid
    [InlineData("1900", "open")] // a payment attempt that has not paid
    public async Task A_duplicate_whose_latest_invoice_was_not_paid_refunds_nothing(string amountPaid, string paymentStatus)
    {
        _stripe.Respond(HttpStatusCode.OK, """{"id":"sub_dup","object":"subscription","latest_invoice":"in_1","status":"active"}""");
        _stripe.Respond(HttpStatusCode.OK, $$$"""{"id":"in_1","object":"invoice","amount_paid":{{{amountPaid}}},"currency":"usd","payments":{"object":"list","data":[{"id":"inpay_1","object":"invoice_payment","status":"{{{paymentStatus}}}","payment":{"type":"payment_intent","payment_intent":"pi_1"}}],"has_more":false}}""");

        var refunded = await Gateway().RefundLatestInvoicePaymentAsync("sub_dup", "duplicate-refund:sub_dup", CancellationToken.None);

        Assert.Null(refunded);
        Assert.Equal(2, _stripe.Requests.Count); // the subscription and its invoice: no refund listed nor made
        Assert.DoesNotContain(_stripe.Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task A_charge_Stripe_does_not_know_reads_as_none()
    {
        _stripe.Respond(HttpStatusCode.NotFound, """{"error":{"type":"invalid_request_error","code":"resource_missing","param":"id","message":"No such charge: 'ch_1'"}}""");

        Assert.Null(await Gateway().GetChargeAsync("ch_1", CancellationToken.None));
        Assert.Single(_stripe.Requests);
    }

    [Fact]
    public async Task An_open_session_is_expired_in_Stripe()
    {
        _stripe.Respond(HttpStatusCode.OK, """{"id":"cs_test_1","object":"checkout.session","status":"open"}""");
        _stripe.Respond(HttpStatusCode.OK, """{"id":"cs_test_1","object":"checkout.session","status":"expired"}""");

        var expiry = await Gateway().ExpireCheckoutSessionAsync("cs_test_1", CancellationToken.None);

        Assert.Equal(CheckoutSessionExpiry.Expired, expiry);
        Assert.Equal([("GET", "/v1/checkout/sessions/cs_test_1"), ("POST", "/v1/checkout/sessions/cs_test_1/expire")], _stripe.Requests.Select(r => (r.Method, r.Path)));
    }

    [Fact]
    public async Task A_session_Stripe_does_not_know_is_no_longer_payable()
    {
        _stripe.Respond(HttpStatusCode.NotFound, """{"error":{"type":"invalid_request_error","code":"resource_missing","param":"session","message":"No such checkout.session: 'cs_test_1'"}}""");

        var expiry = await Gateway().ExpireCheckoutSessionAsync("cs_test_1", CancellationToken.None);

        Assert.Equal(CheckoutSessionExpiry.Expired, expiry);
        Assert.DoesNotContain(_stripe.Requests, r => r.Method == "POST");
    }

    private StripeBillingGateway Gateway(int maxNetworkRetries = 2) =>
        new(TestStripe.Clients(_stripe, maxNetworkRetries), _time, NullLogger<StripeBillingGateway>.Instance);
}
