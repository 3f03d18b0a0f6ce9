using System.Net;
using Billing.Stripe.Common;
using Billing.Stripe.Customers;
using Billing.Stripe.Tests.Support;

namespace Billing.Stripe.Tests.Http;

public sealed class RequestTests
{
    [Fact]
    public async Task A_post_carries_auth_version_idempotency_key_and_a_form_body()
    {
        var handler = new StubHttpMessageHandler().Respond(HttpStatusCode.OK, StripeJsonBodies.Customer);

        await TestStripe.Client(handler).Customers.CreateAsync(new CustomerCreateRequest { Email = "ada@example.com", Metadata = new Dictionary<string, string> { ["tenant_id"] = "t_1" } });

        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://stripe.test/v1/customers", request.Uri.AbsoluteUri);
        Assert.Equal("Bearer " + TestStripe.SecretKey, request.Header("Authorization"));
        Assert.Equal("2026-07-29.dahlia", request.Header("Stripe-Version"));
        Assert.Equal(StripeApiVersion.Current, request.Header("Stripe-Version"));
        Assert.NotNull(request.Header("Idempotency-Key"));
        Assert.Equal("application/x-www-form-urlencoded", request.ContentType);
        Assert.Equal("email=ada%40example.com&metadata[tenant_id]=t_1", request.Body);
    }

    [Fact]
    public async Task A_get_puts_parameters_in_the_query_and_sends_no_idempotency_key()
    {
        var handler = new StubHttpMessageHandler().Respond(HttpStatusCode.OK, StripeJsonBodies.Customer);

        await TestStripe.Client(handler).Customers.GetAsync("cus_123", RetrieveRequest.Expanding("test_clock"));

        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Get, request.Method);
        Assert.Equal("/v1/customers/cus_123", request.Uri.AbsolutePath);
        Assert.Equal("?expand[0]=test_clock", Uri.UnescapeDataString(request.Uri.Query));
        Assert.Null(request.Header("Idempotency-Key"));
        Assert.Null(request.Body);
        Assert.Equal("2026-07-29.dahlia", request.Header("Stripe-Version"));
    }

    [Fact]
    public async Task A_delete_puts_parameters_in_the_query()
    {
        var handler = new StubHttpMessageHandler().Respond(HttpStatusCode.OK, """{"id":"sub_1","object":"subscription","status":"canceled"}""");

        var subscription = await TestStripe.Client(handler).Subscriptions.CancelAsync("sub_1", new() { InvoiceNow = true, Prorate = false });

        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Delete, request.Method);
        Assert.Equal("?invoice_now=true&prorate=false", request.Uri.Query);
        Assert.Equal("canceled", subscription.Status);
    }

    [Fact]
    public async Task Ids_are_escaped_as_one_path_segment()
    {
        var handler = new StubHttpMessageHandler().Respond(HttpStatusCode.OK, StripeJsonBodies.Customer);

        await TestStripe.Client(handler).Customers.GetAsync("cus_1/../../v1/charges");

        Assert.Equal("/v1/customers/cus_1%2F..%2F..%2Fv1%2Fcharges", handler.Requests[0].Uri.AbsolutePath);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public async Task A_blank_id_is_rejected_before_sending(string id)
    {
        var handler = new StubHttpMessageHandler();

        await Assert.ThrowsAsync<ArgumentException>(() => TestStripe.Client(handler).Subscriptions.GetAsync(id));

        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task An_api_base_with_a_path_prefix_is_honoured()
    {
        var handler = new StubHttpMessageHandler().Respond(HttpStatusCode.OK, StripeJsonBodies.Customer);

        await TestStripe.Client(handler, configure: o => o.ApiBase = new Uri("http://127.0.0.1:12111/stripe")).Customers.GetAsync("cus_123");

        Assert.Equal("http://127.0.0.1:12111/stripe/v1/customers/cus_123", handler.Requests[0].Uri.AbsoluteUri);
    }
}
