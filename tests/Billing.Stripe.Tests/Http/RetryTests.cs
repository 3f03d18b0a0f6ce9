using System.Net;
using Billing.Stripe.Customers;
using Billing.Stripe.Errors;
using Billing.Stripe.Tests.Support;

namespace Billing.Stripe.Tests.Http;

/// <summary>Retries replayed from scripted responses, with sleeping switched off and the delays recorded.</summary>
public sealed class RetryTests
{
    private static readonly CustomerCreateRequest Create = new() { Email = "ada@example.com" };

    [Fact]
    public async Task A_409_is_retried_once_then_succeeds_with_the_same_idempotency_key()
    {
        var handler = new StubHttpMessageHandler()
            .Respond(HttpStatusCode.Conflict, StripeJsonBodies.Error("invalid_request_error", "Conflict", "lock_timeout"))
            .Respond(HttpStatusCode.OK, StripeJsonBodies.Customer);
        var delay = new RecordingRetryDelay();

        var customer = await TestStripe.Client(handler, delay).Customers.CreateAsync(Create);

        Assert.Equal("cus_123", customer.Id);
        Assert.Equal(2, handler.Requests.Count);
        var keys = handler.Requests.Select(r => r.Header("Idempotency-Key")).Distinct().ToList();
        Assert.Single(keys);
        Assert.False(string.IsNullOrWhiteSpace(keys[0]));
        Assert.Equal([TimeSpan.FromMilliseconds(500)], delay.Delays);
    }

    [Fact]
    public async Task Three_500s_make_three_attempts_then_a_typed_error_with_bounded_delays()
    {
        var handler = new StubHttpMessageHandler();
        for (var i = 0; i < 3; i++)
        {
            handler.Respond(HttpStatusCode.InternalServerError, StripeJsonBodies.Error("api_error", "Something went wrong " + i), ("Request-Id", "req_" + i));
        }

        var delay = new RecordingRetryDelay();

        var error = await Assert.ThrowsAsync<StripeApiException>(() => TestStripe.Client(handler, delay).Customers.CreateAsync(Create));

        Assert.Equal(3, handler.Requests.Count);
        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal("api_error", error.ErrorType);
        Assert.Equal("req_2", error.RequestId);
        Assert.Single(handler.Requests.Select(r => r.Header("Idempotency-Key")).Distinct());
        Assert.Equal(2, delay.Delays.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(500), delay.Delays[0]); // 500 ms * jitter is lifted to the 500 ms floor
        Assert.InRange(delay.Delays[1], TimeSpan.FromMilliseconds(750), TimeSpan.FromMilliseconds(999.999)); // 1 s * [0.75, 1)
    }

    [Fact]
    public async Task Stripe_should_retry_false_means_a_single_attempt_even_for_a_500()
    {
        var handler = new StubHttpMessageHandler()
            .Respond(HttpStatusCode.InternalServerError, StripeJsonBodies.Error("api_error", "No"), ("Stripe-Should-Retry", "false"))
            .Respond(HttpStatusCode.OK, StripeJsonBodies.Customer);
        var delay = new RecordingRetryDelay();

        await Assert.ThrowsAsync<StripeApiException>(() => TestStripe.Client(handler, delay).Customers.CreateAsync(Create));

        Assert.Single(handler.Requests);
        Assert.Empty(delay.Delays);
    }

    [Fact]
    public async Task Stripe_should_retry_true_retries_a_status_that_is_otherwise_final()
    {
        var handler = new StubHttpMessageHandler()
            .Respond(HttpStatusCode.BadRequest, StripeJsonBodies.Error("invalid_request_error", "Try again"), ("Stripe-Should-Retry", "true"))
            .Respond(HttpStatusCode.OK, StripeJsonBodies.Customer);

        await TestStripe.Client(handler).Customers.CreateAsync(Create);

        Assert.Equal(2, handler.Requests.Count);
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.PaymentRequired)]
    [InlineData(HttpStatusCode.NotFound)]
    public async Task Client_errors_and_429_are_not_retried(HttpStatusCode status)
    {
        var handler = new StubHttpMessageHandler()
            .Respond(status, StripeJsonBodies.Error("invalid_request_error", "No"))
            .Respond(HttpStatusCode.OK, StripeJsonBodies.Customer);

        var error = await Assert.ThrowsAsync<StripeApiException>(() => TestStripe.Client(handler).Customers.GetAsync("cus_123"));

        Assert.Equal(status, error.StatusCode);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task A_network_failure_is_retried()
    {
        var handler = new StubHttpMessageHandler()
            .Throw(new HttpRequestException("Connection refused"))
            .Respond(HttpStatusCode.OK, StripeJsonBodies.Customer);

        var customer = await TestStripe.Client(handler).Customers.GetAsync("cus_123");

        Assert.Equal("cus_123", customer.Id);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task A_timed_out_attempt_is_retried_with_the_same_idempotency_key()
    {
        var handler = new StubHttpMessageHandler().Hang().Respond(HttpStatusCode.OK, StripeJsonBodies.Customer);
        var delay = new RecordingRetryDelay();

        var customer = await TestStripe.Client(handler, delay, o => o.Timeout = TimeSpan.FromMilliseconds(100)).Customers.CreateAsync(Create);

        Assert.Equal("cus_123", customer.Id);
        Assert.Equal(2, handler.Requests.Count);
        Assert.Single(handler.Requests.Select(r => r.Header("Idempotency-Key")).Distinct());
        Assert.Single(delay.Delays);
    }

    [Fact]
    public async Task Timeouts_on_every_attempt_end_in_a_connection_error_marked_as_timeout()
    {
        var handler = new StubHttpMessageHandler().Hang().Hang().Hang();

        var error = await Assert.ThrowsAsync<StripeConnectionException>(
            () => TestStripe.Client(handler, configure: o => o.Timeout = TimeSpan.FromMilliseconds(50)).Customers.GetAsync("cus_123"));

        Assert.True(error.IsTimeout);
        Assert.Null(error.StatusCode);
        Assert.Equal(3, handler.Requests.Count);
    }

    [Fact]
    public async Task Caller_cancellation_during_a_request_is_not_retried()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new StubHttpMessageHandler().Hang(started).Respond(HttpStatusCode.OK, StripeJsonBodies.Customer);
        var delay = new RecordingRetryDelay();
        using var cts = new CancellationTokenSource();

        var call = TestStripe.Client(handler, delay).Customers.CreateAsync(Create, cancellationToken: cts.Token);
        await started.Task;
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Single(handler.Requests);
        Assert.Empty(delay.Delays);
    }

    [Fact]
    public async Task Caller_cancellation_while_waiting_to_retry_stops_the_retries()
    {
        using var cts = new CancellationTokenSource();
        var handler = new StubHttpMessageHandler()
            .Respond(HttpStatusCode.ServiceUnavailable, StripeJsonBodies.Error("api_error", "Busy"))
            .Respond(HttpStatusCode.OK, StripeJsonBodies.Customer);
        var delay = new RecordingRetryDelay { OnDelay = cts.Cancel };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => TestStripe.Client(handler, delay).Customers.GetAsync("cus_123", cancellationToken: cts.Token));

        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task MaxNetworkRetries_zero_means_one_attempt()
    {
        var handler = new StubHttpMessageHandler()
            .Respond(HttpStatusCode.Conflict, StripeJsonBodies.Error("invalid_request_error", "Conflict"))
            .Respond(HttpStatusCode.OK, StripeJsonBodies.Customer);

        await Assert.ThrowsAsync<StripeApiException>(() => TestStripe.Client(handler, configure: o => o.MaxNetworkRetries = 0).Customers.CreateAsync(Create));

        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task A_caller_supplied_idempotency_key_is_sent_as_is_on_every_attempt()
    {
        var handler = new StubHttpMessageHandler()
            .Respond(HttpStatusCode.BadGateway, "<html>bad gateway</html>")
            .Respond(HttpStatusCode.OK, StripeJsonBodies.Customer);

        await TestStripe.Client(handler).Customers.CreateAsync(Create, new StripeRequestOptions { IdempotencyKey = "customer:tenant_42:create" });

        Assert.All(handler.Requests, r => Assert.Equal("customer:tenant_42:create", r.Header("Idempotency-Key")));
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task Each_call_gets_its_own_generated_idempotency_key()
    {
        var handler = new StubHttpMessageHandler().Respond(HttpStatusCode.OK, StripeJsonBodies.Customer).Respond(HttpStatusCode.OK, StripeJsonBodies.Customer);
        var client = TestStripe.Client(handler);

        await client.Customers.CreateAsync(Create);
        await client.Customers.CreateAsync(Create);

        Assert.NotEqual(handler.Requests[0].Header("Idempotency-Key"), handler.Requests[1].Header("Idempotency-Key"));
    }

    [Fact]
    public async Task A_blank_idempotency_key_is_rejected_before_sending()
    {
        var handler = new StubHttpMessageHandler();

        await Assert.ThrowsAsync<ArgumentException>(() => TestStripe.Client(handler).Customers.CreateAsync(Create, new StripeRequestOptions { IdempotencyKey = " " }));

        Assert.Empty(handler.Requests);
    }
}
