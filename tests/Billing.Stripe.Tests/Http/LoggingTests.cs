using System.Net;
using Billing.Stripe.Customers;
using Billing.Stripe.Tests.Support;

namespace Billing.Stripe.Tests.Http;

public sealed class LoggingTests
{
    [Fact]
    public async Task Logs_name_path_status_and_retries_but_never_the_key_the_query_or_bodies()
    {
        var logger = new ListLogger<StripeClient>();
        var handler = new StubHttpMessageHandler()
            .Throw(new HttpRequestException("boom"))
            .Respond(HttpStatusCode.ServiceUnavailable, "{}")
            .Respond(HttpStatusCode.PaymentRequired, StripeJsonBodies.Error("card_error", "Declined", "card_declined", "do_not_honor"), ("Request-Id", "req_log"))
            .Respond(HttpStatusCode.BadRequest, StripeJsonBodies.Error("invalid_request_error", "Bad query", "parameter_invalid_string", param: "query"), ("Request-Id", "req_search"));
        var client = new StripeClient(
            new HttpClient(handler),
            new StripeClientOptions { SecretKey = TestStripe.SecretKey, ApiBase = TestStripe.ApiBase },
            logger,
            new RecordingRetryDelay());

        await Assert.ThrowsAsync<Billing.Stripe.Errors.StripeApiException>(() => client.Customers.CreateAsync(new CustomerCreateRequest { Email = "secret-person@example.com" }));
        await Assert.ThrowsAsync<Billing.Stripe.Errors.StripeApiException>(() => client.Customers.SearchAsync(new CustomerSearchRequest { Query = "email:'hidden@example.com'" }));

        var all = string.Join(Environment.NewLine, logger.Lines);
        Assert.Contains("/v1/customers", all, StringComparison.Ordinal);
        Assert.Contains("retrying", all, StringComparison.Ordinal);
        Assert.Contains("req_log", all, StringComparison.Ordinal);
        Assert.Contains("card_declined", all, StringComparison.Ordinal);
        Assert.Contains("/v1/customers/search", all, StringComparison.Ordinal);
        Assert.Contains("req_search", all, StringComparison.Ordinal);
        Assert.DoesNotContain(TestStripe.SecretKey, all, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-person", all, StringComparison.Ordinal);
        Assert.DoesNotContain("hidden@example.com", all, StringComparison.Ordinal);
    }
}
