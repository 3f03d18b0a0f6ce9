using System.Net;
using Billing.Application.Payments;
using Billing.Application.Subscriptions;
using Billing.Domain.Accounts;
using Billing.Domain.Subscriptions;
using Billing.Infrastructure.StripeApi;
using Billing.Infrastructure.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Billing.Infrastructure.Tests.StripeApi;

public sealed class StripeSubscriptionSourceTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private readonly StubStripeHandler _stripe = new();
    private readonly FakeTimeProvider _time = new(Now);

    [Fact]
    public async Task A_subscription_is_read_and_dated_when_the_read_began()
    {
        _stripe.Respond(HttpStatusCode.OK, Subscription("sub_1", "active"));

        var snapshot = await Source().GetSubscriptionAsync("sub_1", CancellationToken.None);

        Assert.NotNull(snapshot);
        Assert.Equal(("sub_1", "cus_1", SubscriptionStatus.Active, Now), (snapshot.SubscriptionId, snapshot.CustomerId, snapshot.Status, snapshot.AsOf));
        Assert.Equal(("GET", "/v1/subscriptions/sub_1"), (_stripe.Requests[0].Method, _stripe.Requests[0].Path));
    }

    [Fact]
    public async Task An_unknown_subscription_is_null()
    {
        _stripe.Respond(HttpStatusCode.NotFound, """{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such subscription: 'sub_x'"}}""");

        Assert.Null(await Source().GetSubscriptionAsync("sub_x", CancellationToken.None));
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound, """{"error":{"type":"invalid_request_error","message":"Unrecognized request URL (GET: /v1/subscriptions/sub_1)."}}""", false)]
    [InlineData(HttpStatusCode.NotFound, "<html><body>Not Found</body></html>", false)]
    [InlineData(HttpStatusCode.NotFound, """{"error":{"type":"invalid_request_error","code":"resource_missing","param":"expand[0]","message":"No such object to expand."}}""", false)] // missing, but not the subscription
    [InlineData(HttpStatusCode.Forbidden, """{"error":{"type":"invalid_request_error","message":"The provided key does not have the required permissions."}}""", false)]
    [InlineData(HttpStatusCode.InternalServerError, """{"error":{"type":"api_error","message":"Something went wrong."}}""", true)]
    public async Task Only_stripes_no_such_subscription_is_null_a_404_that_does_not_say_so_is_a_failure_like_the_rest(HttpStatusCode status, string body, bool transient)
    {
        _stripe.Respond(status, body);

        var failure = await Assert.ThrowsAsync<PaymentProviderException>(() => Source(maxNetworkRetries: 0).GetSubscriptionAsync("sub_1", CancellationToken.None));

        Assert.Equal(transient, failure.IsTransient);
    }

    /// <summary>
    /// Stripe refusing the key itself (401: invalid, revoked or rolled; 403: a restricted key without the permission)
    /// refuses every call until someone sets the key right, so it is an error for the deployment's alert. Any other
    /// refusal is about one request (a missing object, a declined card, a bad parameter), and a 5xx is retried: warnings.
    /// </summary>
    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, "invalid_request_error", LogLevel.Error)]
    [InlineData(HttpStatusCode.Forbidden, "invalid_request_error", LogLevel.Error)]
    [InlineData(HttpStatusCode.BadRequest, "invalid_request_error", LogLevel.Warning)]
    [InlineData(HttpStatusCode.PaymentRequired, "card_error", LogLevel.Warning)]
    [InlineData(HttpStatusCode.InternalServerError, "api_error", LogLevel.Warning)]
    public async Task A_refused_key_is_logged_as_an_error_for_an_operator_and_other_refusals_as_warnings(HttpStatusCode status, string type, LogLevel expected)
    {
        var log = new FakeLogger<StripeSubscriptionSource>();
        _stripe.Respond(status, "{\"error\":{\"type\":\"" + type + "\",\"message\":\"Refused.\"}}");

        await Assert.ThrowsAsync<PaymentProviderException>(() => Source(maxNetworkRetries: 0, log).GetSubscriptionAsync("sub_1", CancellationToken.None));

        var refused = Assert.Single(log.Collector.GetSnapshot());
        Assert.Equal(expected, refused.Level);
        Assert.Contains($"Stripe refused to read the subscription: {(int)status}", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Other_failures_are_provider_errors_whose_message_can_be_stored()
    {
        _stripe.Respond(HttpStatusCode.Unauthorized, """{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: sk_test_***ests"}}""");

        var failure = await Assert.ThrowsAsync<PaymentProviderException>(() => Source().GetSubscriptionAsync("sub_1", CancellationToken.None));

        Assert.False(failure.IsTransient);
        Assert.DoesNotContain("sk_test", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_customer_is_read_a_deleted_one_as_deleted_and_only_stripes_no_such_customer_is_null()
    {
        _stripe.Respond(HttpStatusCode.OK, """{"id":"cus_1","object":"customer","email":"a@example.com"}""");
        _stripe.Respond(HttpStatusCode.OK, """{"id":"cus_2","object":"customer","deleted":true}""");
        _stripe.Respond(HttpStatusCode.NotFound, """{"error":{"type":"invalid_request_error","code":"resource_missing","param":"id","message":"No such customer: 'cus_x'"}}""");

        var live = await Source().GetCustomerAsync("cus_1", CancellationToken.None);
        var deleted = await Source().GetCustomerAsync("cus_2", CancellationToken.None);
        var unknown = await Source().GetCustomerAsync("cus_x", CancellationToken.None);

        Assert.Equal(new StripeCustomerSnapshot("cus_1", Deleted: false), live);
        Assert.Equal(new StripeCustomerSnapshot("cus_2", Deleted: true), deleted);
        Assert.Null(unknown);
        Assert.Equal(("GET", "/v1/customers/cus_1"), (_stripe.Requests[0].Method, _stripe.Requests[0].Path));
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound, """{"error":{"type":"invalid_request_error","message":"Unrecognized request URL (GET: /v1/customers/cus_1)."}}""", false)]
    [InlineData(HttpStatusCode.NotFound, "<html><body>Not Found</body></html>", false)]
    [InlineData(HttpStatusCode.Unauthorized, """{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: sk_test_***ests"}}""", false)]
    [InlineData(HttpStatusCode.InternalServerError, """{"error":{"type":"api_error","message":"Something went wrong."}}""", true)]
    public async Task A_customer_read_that_stripe_does_not_answer_with_no_such_customer_is_a_failure(HttpStatusCode status, string body, bool transient)
    {
        _stripe.Respond(status, body);

        var failure = await Assert.ThrowsAsync<PaymentProviderException>(() => Source(maxNetworkRetries: 0).GetCustomerAsync("cus_1", CancellationToken.None));

        Assert.Equal(transient, failure.IsTransient);
        Assert.DoesNotContain("sk_test", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_customers_subscriptions_are_listed_across_pages_including_ended_ones_on_request()
    {
        _stripe.Respond(HttpStatusCode.OK, $$"""{"object":"list","url":"/v1/subscriptions","has_more":true,"data":[{{Subscription("sub_1", "active")}}]}""");
        _stripe.Respond(HttpStatusCode.OK, $$"""{"object":"list","url":"/v1/subscriptions","has_more":false,"data":[{{Subscription("sub_2", "canceled")}}]}""");

        var snapshots = await Source().ListCustomerSubscriptionsAsync("cus_1", includeEnded: true, CancellationToken.None);

        Assert.Equal(["sub_1", "sub_2"], snapshots.Select(s => s.SubscriptionId));
        Assert.Contains("customer=cus_1", _stripe.Requests[0].Query, StringComparison.Ordinal);
        Assert.Contains("status=all", _stripe.Requests[0].Query, StringComparison.Ordinal);
        Assert.Contains("starting_after=sub_1", _stripe.Requests[1].Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_ended_ones_no_status_filter_is_sent()
    {
        _stripe.Respond(HttpStatusCode.OK, """{"object":"list","url":"/v1/subscriptions","has_more":false,"data":[]}""");

        Assert.Empty(await Source().ListCustomerSubscriptionsAsync("cus_1", includeEnded: false, CancellationToken.None));
        Assert.DoesNotContain("status=", _stripe.Requests[0].Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_customer_is_found_by_its_account_metadata_skipping_deleted_ones()
    {
        _stripe.Respond(HttpStatusCode.OK, """{"object":"search_result","url":"/v1/customers/search","has_more":false,"data":[{"id":"cus_gone","object":"customer","deleted":true},{"id":"cus_7","object":"customer","metadata":{"account_id":"it's"}}]}""");

        var id = await Source().FindCustomerIdAsync(AccountId.Parse("it's"), CancellationToken.None);

        Assert.Equal("cus_7", id);
        var request = Assert.Single(_stripe.Requests);
        Assert.Equal("/v1/customers/search", request.Path);
        Assert.Contains("metadata['account_id']:'it\\'s'", Uri.UnescapeDataString(request.Query.Replace('+', ' ')), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_customer_whose_account_metadata_differs_from_the_account_id_is_not_taken_for_it()
    {
        // Account ids are case-sensitive; the search's match is Stripe's, so a customer it returns for another
        // account (USER-1 for user-1) or without the metadata must not be adopted by a re-sync.
        _stripe.Respond(HttpStatusCode.OK, """{"object":"search_result","url":"/v1/customers/search","has_more":false,"data":[{"id":"cus_upper","object":"customer","metadata":{"account_id":"USER-1"}},{"id":"cus_bare","object":"customer","metadata":{}},{"id":"cus_1","object":"customer","metadata":{"account_id":"user-1"}}]}""");

        Assert.Equal("cus_1", await Source().FindCustomerIdAsync(AccountId.Parse("user-1"), CancellationToken.None));

        _stripe.Respond(HttpStatusCode.OK, """{"object":"search_result","url":"/v1/customers/search","has_more":false,"data":[{"id":"cus_upper","object":"customer","metadata":{"account_id":"USER-1"}}]}""");

        Assert.Null(await Source().FindCustomerIdAsync(AccountId.Parse("user-1"), CancellationToken.None));
    }

    private StripeSubscriptionSource Source(int maxNetworkRetries = 2, ILogger<StripeSubscriptionSource>? logger = null) =>
        new(TestStripe.Clients(_stripe, maxNetworkRetries), _time, logger ?? NullLogger<StripeSubscriptionSource>.Instance);

    private static string Subscription(string id, string status) =>
        $$$"""{"id":"{{{id}}}","object":"subscription","customer":"cus_1","status":"{{{status}}}","cancel_at_period_end":false,"items":{"object":"list","data":[]}}""";
}
