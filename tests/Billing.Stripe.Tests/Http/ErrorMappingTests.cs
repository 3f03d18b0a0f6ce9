using System.Net;
using Billing.Stripe.Errors;
using Billing.Stripe.Tests.Support;

namespace Billing.Stripe.Tests.Http;

public sealed class ErrorMappingTests
{
    [Fact]
    public async Task A_card_error_carries_type_code_decline_code_message_doc_url_and_request_id()
    {
        var handler = new StubHttpMessageHandler().Respond(
            HttpStatusCode.PaymentRequired,
            StripeJsonBodies.Error("card_error", "Your card has insufficient funds.", "card_declined", "insufficient_funds"),
            ("Request-Id", "req_card_1"));

        var error = await Assert.ThrowsAsync<StripeApiException>(() => TestStripe.Client(handler).Invoices.PayAsync("in_1"));

        Assert.Equal(HttpStatusCode.PaymentRequired, error.StatusCode);
        Assert.Equal(StripeErrorTypes.CardError, error.ErrorType);
        Assert.Equal("card_declined", error.Code);
        Assert.Equal("insufficient_funds", error.DeclineCode);
        Assert.Equal("Your card has insufficient funds.", error.Message);
        Assert.Equal("https://docs.stripe.com/error-codes/card_declined", error.DocUrl);
        Assert.Equal("req_card_1", error.RequestId);
        Assert.Null(error.Param);
    }

    [Fact]
    public async Task An_invalid_request_error_carries_the_offending_param()
    {
        var handler = new StubHttpMessageHandler().Respond(
            HttpStatusCode.BadRequest,
            StripeJsonBodies.Error("invalid_request_error", "No such price: 'price_nope'", "resource_missing", param: "line_items[0][price]"),
            ("Request-Id", "req_inv_1"));

        var error = await Assert.ThrowsAsync<StripeApiException>(
            () => TestStripe.Client(handler).CheckoutSessions.CreateAsync(new() { Mode = "subscription", LineItems = [new() { Price = "price_nope" }] }));

        Assert.Equal(StripeErrorTypes.InvalidRequestError, error.Error.Type);
        Assert.Equal("resource_missing", error.Error.Code);
        Assert.Equal("line_items[0][price]", error.Param);
        Assert.Equal("req_inv_1", error.RequestId);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
    }

    [Fact]
    public async Task An_idempotency_error_is_typed()
    {
        var handler = new StubHttpMessageHandler().Respond(HttpStatusCode.BadRequest, StripeJsonBodies.Error("idempotency_error", "Keys for idempotent requests can only be used with the same parameters they were first used with."));

        var error = await Assert.ThrowsAsync<StripeApiException>(() => TestStripe.Client(handler).Invoices.CreateAsync(new() { Customer = "cus_1" }));

        Assert.Equal(StripeErrorTypes.IdempotencyError, error.ErrorType);
    }

    [Fact]
    public async Task A_non_json_error_body_becomes_an_invalid_response_error_with_the_raw_body()
    {
        var handler = new StubHttpMessageHandler().Respond(HttpStatusCode.BadGateway, "<html><body>502 Bad Gateway</body></html>", ("Request-Id", "req_gw"));

        var error = await Assert.ThrowsAsync<StripeInvalidResponseException>(
            () => TestStripe.Client(handler, configure: o => o.MaxNetworkRetries = 0).Customers.GetAsync("cus_1"));

        Assert.Equal("<html><body>502 Bad Gateway</body></html>", error.RawBody);
        Assert.Equal(HttpStatusCode.BadGateway, error.StatusCode);
        Assert.Equal("req_gw", error.RequestId);
    }

    [Theory]
    [InlineData("""{"message":"no error object"}""")]
    [InlineData("""{"error":"a string"}""")]
    [InlineData("")]
    public async Task A_json_body_without_an_error_object_is_an_invalid_response(string body)
    {
        var handler = new StubHttpMessageHandler().Respond(HttpStatusCode.BadRequest, body);

        var error = await Assert.ThrowsAsync<StripeInvalidResponseException>(() => TestStripe.Client(handler).Customers.GetAsync("cus_1"));

        Assert.Equal(body, error.RawBody);
    }

    [Fact]
    public async Task A_success_body_that_does_not_parse_is_an_invalid_response()
    {
        var handler = new StubHttpMessageHandler().Respond(HttpStatusCode.OK, "not json");

        var error = await Assert.ThrowsAsync<StripeInvalidResponseException>(() => TestStripe.Client(handler).Customers.GetAsync("cus_1"));

        Assert.Equal("not json", error.RawBody);
        Assert.Equal(HttpStatusCode.OK, error.StatusCode);
    }
}
