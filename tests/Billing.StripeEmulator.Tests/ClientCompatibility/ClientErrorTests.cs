using System.Net;
using Billing.Stripe;
using Billing.Stripe.Customers;
using Billing.Stripe.Errors;
using Billing.Stripe.Events;
using Billing.Stripe.InvoiceItems;
using Billing.Stripe.Invoices;
using Billing.StripeEmulator.Tests.ClientCompatibility.Support;

namespace Billing.StripeEmulator.Tests.ClientCompatibility;

[Collection(SharedEmulator.Name)]
public sealed class ClientErrorTests(ClientEmulatorFixture fixture) : IAsyncLifetime
{
    private IStripeClient Stripe => fixture.Client;

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task An_unknown_id_is_a_typed_404_resource_missing_with_param_and_request_id()
    {
        var error = await Assert.ThrowsAsync<StripeApiException>(() => Stripe.Customers.GetAsync("cus_doesnotexist"));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal(StripeErrorTypes.InvalidRequestError, error.ErrorType);
        Assert.Equal("resource_missing", error.Code);
        Assert.Equal("id", error.Param);
        Assert.Null(error.DeclineCode);
        Assert.Contains("cus_doesnotexist", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("https://docs.stripe.com/error-codes/resource-missing", error.DocUrl);
        Assert.StartsWith("req_", error.RequestId);
        Assert.Single(fixture.Requests.Exchanges);
    }

    [Fact]
    public async Task Every_kind_of_resource_answers_404_for_an_unknown_id()
    {
        var failures = new List<Func<Task>>
        {
            () => Stripe.CheckoutSessions.GetAsync("cs_test_missing"),
            () => Stripe.Subscriptions.GetAsync("sub_missing"),
            () => Stripe.Subscriptions.UpdateAsync("sub_missing", new() { CancelAtPeriodEnd = true }),
            () => Stripe.Subscriptions.CancelAsync("sub_missing"),
            () => Stripe.Prices.GetAsync("price_missing"),
            () => Stripe.Invoices.GetAsync("in_missing"),
            () => Stripe.Invoices.FinalizeAsync("in_missing"),
            () => Stripe.Invoices.PayAsync("in_missing"),
            () => Stripe.Events.GetAsync("evt_missing"),
        };

        foreach (var call in failures)
        {
            var error = await Assert.ThrowsAsync<StripeApiException>(call);
            Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
            Assert.Equal("resource_missing", error.Code);
        }

        Assert.Equal(failures.Count, fixture.Requests.Exchanges.Count);
    }

    [Fact]
    public async Task An_unknown_id_given_as_a_parameter_is_a_400_naming_the_parameter()
    {
        var error = await Assert.ThrowsAsync<StripeApiException>(() =>
            Stripe.CheckoutSessions.CreateAsync(Subscribe.SessionRequest("price_missing", "tenant_x")));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("resource_missing", error.Code);
        Assert.Equal("line_items[0][price]", error.Param);
    }

    [Fact]
    public async Task A_key_the_emulator_does_not_accept_is_a_typed_401()
    {
        using var http = new HttpClient();
        var liveKeyClient = new StripeClient(http, new StripeClientOptions { SecretKey = "sk_live_not_for_the_emulator", ApiBase = fixture.Emulator.ApiBase });

        var error = await Assert.ThrowsAsync<StripeApiException>(() => liveKeyClient.Prices.GetAsync("price_pro_monthly"));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal(StripeErrorTypes.InvalidRequestError, error.ErrorType);
        Assert.DoesNotContain("not_for_the_emulator", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_idempotency_key_with_the_same_parameters_returns_the_same_object()
    {
        var request = new CustomerCreateRequest { Email = "once@example.com", Metadata = new Dictionary<string, string> { ["tenant_id"] = "t_once" } };
        var options = new StripeRequestOptions { IdempotencyKey = "customer:t_once:create" };

        var first = await Stripe.Customers.CreateAsync(request, options);
        var second = await Stripe.Customers.CreateAsync(request, options);
        var found = await Stripe.Customers.SearchAsync(new CustomerSearchRequest { Query = "email:'once@example.com'" });
        var created = await Stripe.Events.ListAsync(new EventListRequest { Type = StripeEventTypes.CustomerCreated });

        Assert.Equal(first.Id, second.Id);
        Assert.Equal(first.Created, second.Created);
        Assert.Equal(first.Id, Assert.Single(found.Data).Id);
        Assert.Single(created.Data);
        Assert.All(fixture.Requests.Exchanges.Where(e => e.Method == HttpMethod.Post), e => Assert.Equal("customer:t_once:create", e.IdempotencyKey));
    }

    [Fact]
    public async Task The_same_idempotency_key_with_other_parameters_is_an_idempotency_error_not_retried()
    {
        var options = new StripeRequestOptions { IdempotencyKey = "customer:t_reuse:create" };
        await Stripe.Customers.CreateAsync(new CustomerCreateRequest { Email = "first@example.com" }, options);
        fixture.Requests.Clear();

        var error = await Assert.ThrowsAsync<StripeApiException>(() =>
            Stripe.Customers.CreateAsync(new CustomerCreateRequest { Email = "second@example.com" }, options));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal(StripeErrorTypes.IdempotencyError, error.ErrorType);
        Assert.StartsWith("req_", error.RequestId);
        Assert.Single(fixture.Requests.Exchanges);
        var none = await Stripe.Customers.SearchAsync(new CustomerSearchRequest { Query = "email:'second@example.com'" });
        Assert.Empty(none.Data);
    }

    [Fact]
    public async Task Generated_idempotency_keys_differ_per_call_so_two_creates_make_two_objects()
    {
        var request = new CustomerCreateRequest { Email = "twice@example.com" };

        var first = await Stripe.Customers.CreateAsync(request);
        var second = await Stripe.Customers.CreateAsync(request);

        Assert.NotEqual(first.Id, second.Id);
        var keys = fixture.Requests.Exchanges.Select(e => e.IdempotencyKey).ToList();
        Assert.Equal(2, keys.Distinct().Count());
        Assert.All(keys, key => Assert.False(string.IsNullOrEmpty(key)));
        Assert.All(fixture.Requests.Exchanges, e => Assert.Equal(StripeApiVersion.Current, e.StripeVersion));
    }

    [Fact]
    public async Task A_declined_card_is_a_402_card_error_with_a_decline_code_and_the_invoice_stays_open()
    {
        var invoice = await OpenInvoiceAsync("declined@example.com", "failing");

        var error = await Assert.ThrowsAsync<StripeApiException>(() => Stripe.Invoices.PayAsync(invoice.Id));
        var after = await Stripe.Invoices.GetAsync(invoice.Id);
        var customer = await Stripe.Customers.GetAsync(invoice.Customer!.Id);

        Assert.Equal(HttpStatusCode.PaymentRequired, error.StatusCode);
        Assert.Equal(StripeErrorTypes.CardError, error.ErrorType);
        Assert.Equal("card_declined", error.Code);
        Assert.Equal("generic_decline", error.DeclineCode);
        Assert.StartsWith("req_", error.RequestId);
        Assert.Equal(InvoiceStatuses.Open, after.Status);
        Assert.Equal(1900, after.AmountRemaining);
        Assert.Equal(1, after.AttemptCount);
        Assert.True(customer.Delinquent);
    }

    [Fact]
    public async Task A_charge_that_needs_authentication_is_a_402_card_error_requiring_action()
    {
        var invoice = await OpenInvoiceAsync("sca@example.com", "requires_action");

        var error = await Assert.ThrowsAsync<StripeApiException>(() => Stripe.Invoices.PayAsync(invoice.Id));

        Assert.Equal(HttpStatusCode.PaymentRequired, error.StatusCode);
        Assert.Equal(StripeErrorTypes.CardError, error.ErrorType);
        Assert.Equal("invoice_payment_intent_requires_action", error.Code);
    }

    private async Task<StripeInvoice> OpenInvoiceAsync(string email, string paymentBehavior)
    {
        var customer = (await Stripe.Customers.CreateAsync(new CustomerCreateRequest { Email = email })).Id;
        await fixture.Emulator.ControlAsync($"/_emulator/customers/{customer}/payment_method", new Dictionary<string, string> { ["behavior"] = paymentBehavior });
        await Stripe.InvoiceItems.CreateAsync(new InvoiceItemCreateRequest { Customer = customer, Amount = 1900, Currency = "usd" });
        var draft = await Stripe.Invoices.CreateAsync(new InvoiceCreateRequest { Customer = customer, PendingInvoiceItemsBehavior = PendingInvoiceItemsBehaviors.Include });
        return await Stripe.Invoices.FinalizeAsync(draft.Id);
    }
}
