using System.Diagnostics;
using System.Net;
using Billing.Domain.Accounts;
using Billing.Infrastructure.StripeApi;
using Billing.Infrastructure.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Billing.Infrastructure.Tests.StripeApi;

/// <summary>
/// The handler on its own, with a fake inner handler: timing is asserted only as lower bounds (a budget can only make
/// things slower) or with a budget so small (one request an hour) that nothing depends on the machine's speed.
/// </summary>
public sealed class StripeRequestBudgetHandlerTests
{
    private const double OneAnHour = 1.0 / 3600;

    [Fact]
    public async Task Requests_within_the_burst_go_at_once_and_the_next_one_waits_instead_of_being_refused()
    {
        using var budget = new StripeRequestBudget(OneAnHour, burst: 2);
        var inner = new CountingHandler();
        using var client = Client(budget, inner);

        using var first = await client.GetAsync(new Uri("http://stripe.test/v1/a"));
        using var second = await client.GetAsync(new Uri("http://stripe.test/v1/b"));
        using var cancel = new CancellationTokenSource();
        var third = client.GetAsync(new Uri("http://stripe.test/v1/c"), cancel.Token);
        await Task.Delay(300);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
        Assert.False(third.IsCompleted);
        Assert.Equal(2, inner.Count);
        Assert.Equal(1, budget.Waiting);
    }

    [Fact]
    public async Task A_waiting_request_honours_its_cancellation_token_and_is_never_sent()
    {
        using var budget = new StripeRequestBudget(OneAnHour, burst: 1);
        var inner = new CountingHandler();
        using var client = Client(budget, inner);
        using var first = await client.GetAsync(new Uri("http://stripe.test/v1/a"));
        using var cancel = new CancellationTokenSource();

        var waiting = client.GetAsync(new Uri("http://stripe.test/v1/b"), cancel.Token);
        await Task.Delay(100);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(1, inner.Count);
        Assert.Equal(0, budget.Waiting);
    }

    [Fact]
    public async Task Many_waiters_are_all_served_none_refused_at_the_budgets_pace()
    {
        using var budget = new StripeRequestBudget(requestsPerSecond: 20, burst: 1);
        var inner = new CountingHandler();
        using var client = Client(budget, inner);
        var started = Stopwatch.GetTimestamp();

        var requests = Enumerable.Range(0, 10).Select(i => client.GetAsync(new Uri($"http://stripe.test/v1/{i}"))).ToList();
        var responses = await Task.WhenAll(requests);

        var elapsed = Stopwatch.GetElapsedTime(started);
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"/v1/{i}").Order(), inner.Paths.Order()); // each sent once (in the order granted, give or take the thread pool)
        Assert.True(elapsed >= TimeSpan.FromSeconds(0.4), $"10 requests at 20 per second with a burst of 1 took {elapsed}; at least 9 × 50 ms expected.");
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Stripe_net_retries_spend_the_budget_too()
    {
        using var budget = new StripeRequestBudget(OneAnHour, burst: 3);
        var stripe = new StubStripeHandler();
        stripe.Respond(HttpStatusCode.InternalServerError, """{"error":{"type":"api_error","message":"boom"}}""");
        stripe.Respond(HttpStatusCode.TooManyRequests, """{"error":{"type":"invalid_request_error","code":"rate_limit","message":"slow down"}}""");
        stripe.Respond(HttpStatusCode.OK, """{"id":"cus_123","object":"customer","metadata":{}}""");
        using var handler = new StripeRequestBudgetHandler(budget) { InnerHandler = stripe };
        var gateway = new StripeBillingGateway(TestStripe.Clients(handler), TimeProvider.System, NullLogger<StripeBillingGateway>.Instance);
        var full = budget.AvailableNow;

        // A 500 and Stripe.net's retry of it (a 429 without Stripe-Should-Retry: true is not retried): two attempts.
        var refused = await Assert.ThrowsAsync<Billing.Application.Payments.PaymentProviderException>(() =>
            gateway.CreateCustomerAsync(new() { AccountId = AccountId.Parse("user-1"), IdempotencyKey = "customer-create:user-1" }, CancellationToken.None));
        var afterRetry = budget.AvailableNow;
        var created = await gateway.CreateCustomerAsync(new() { AccountId = AccountId.Parse("user-2"), IdempotencyKey = "customer-create:user-2" }, CancellationToken.None);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var next = gateway.CreateCustomerAsync(new() { AccountId = AccountId.Parse("user-3"), IdempotencyKey = "customer-create:user-3" }, cancel.Token);

        Assert.Equal((3, 1), (full, afterRetry));
        Assert.True(refused.IsTransient);
        Assert.Equal("cus_123", created);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next); // the budget is spent: it waited until its token gave up
        Assert.Equal(3, stripe.Requests.Count);
        Assert.Equal(["customer-create:user-1", "customer-create:user-1", "customer-create:user-2"], stripe.Requests.Select(r => r.IdempotencyKey));
    }

    private static HttpClient Client(StripeRequestBudget budget, HttpMessageHandler inner) =>
        new(new StripeRequestBudgetHandler(budget) { InnerHandler = inner });

    private sealed class CountingHandler : HttpMessageHandler
    {
        private readonly List<string> _paths = [];

        public int Count
        {
            get
            {
                lock (_paths)
                {
                    return _paths.Count;
                }
            }
        }

        public IReadOnlyList<string> Paths
        {
            get
            {
                lock (_paths)
                {
                    return [.. _paths];
                }
            }
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (_paths)
            {
                _paths.Add(request.RequestUri!.AbsolutePath);
            }

            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
    }
}
