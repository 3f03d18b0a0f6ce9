using Billing.Stripe;
using Billing.Stripe.Checkout;
using Billing.Stripe.Common;
using Billing.Stripe.Customers;
using Billing.StripeEmulator.Tests.ClientCompatibility.Support;

namespace Billing.StripeEmulator.Tests.ClientCompatibility;

[Collection(SharedEmulator.Name)]
public sealed class CheckoutSessionClientTests(ClientEmulatorFixture fixture) : IAsyncLifetime
{
    private IStripeClient Stripe => fixture.Client;

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_subscription_mode_session_comes_back_open_with_its_url_reference_and_metadata()
    {
        var session = await Stripe.CheckoutSessions.CreateAsync(Subscribe.SessionRequest("price_pro_monthly", "tenant_42", trialDays: 14));

        Assert.StartsWith("cs_test_", session.Id);
        Assert.Equal(StripeObjectTypes.CheckoutSession, session.ObjectType);
        Assert.Equal(CheckoutSessionModes.Subscription, session.Mode);
        Assert.Equal(CheckoutSessionStatuses.Open, session.Status);
        Assert.Equal(CheckoutPaymentStatuses.Unpaid, session.PaymentStatus);
        Assert.Equal(CheckoutUiModes.HostedPage, session.UiMode);
        Assert.Equal(new Uri(fixture.Emulator.ApiBase, $"checkout/{session.Id}").ToString(), session.Url);
        Assert.Equal("tenant_42", session.ClientReferenceId);
        Assert.Equal("tenant_42", session.Metadata!["tenant_id"]);
        Assert.Equal(Subscribe.SuccessUrl, session.SuccessUrl);
        Assert.Equal(Subscribe.CancelUrl, session.CancelUrl);
        Assert.Equal("usd", session.Currency);
        Assert.Equal(4900, session.AmountSubtotal);
        Assert.Equal(4900, session.AmountTotal);
        Assert.Null(session.Customer);
        Assert.Null(session.Subscription);
        Assert.Null(session.LineItems);
        Assert.True(session.ExpiresAt > session.Created);
        Assert.False(session.Livemode);
    }

    [Fact]
    public async Task Get_and_get_with_line_items_read_the_same_session_and_its_priced_lines()
    {
        var created = await Stripe.CheckoutSessions.CreateAsync(Subscribe.SessionRequest("price_basic_yearly", "tenant_7"));

        var plain = await Stripe.CheckoutSessions.GetAsync(created.Id);
        var withLines = await Stripe.CheckoutSessions.GetWithLineItemsAsync(created.Id);

        Assert.Equal(created.Id, plain.Id);
        Assert.Equal(created.Url, plain.Url);
        Assert.Equal(created.ExpiresAt, plain.ExpiresAt);
        Assert.Null(plain.LineItems);
        var line = Assert.Single(withLines.LineItems!.Data);
        Assert.False(withLines.LineItems.HasMore);
        Assert.Equal("item", line.ObjectType);
        Assert.Equal(1, line.Quantity);
        Assert.Equal(19000, line.AmountSubtotal);
        Assert.Equal(19000, line.AmountTotal);
        Assert.Equal("usd", line.Currency);
        Assert.Equal("Basic", line.Description);
        Assert.Equal("price_basic_yearly", line.Price!.Id);
        Assert.Equal(19000, line.Price.UnitAmount);
        Assert.Equal("year", line.Price.Recurring!.Interval);
        Assert.Equal("prod_basic", line.Price.Product!.Id);
        Assert.Contains(fixture.Requests.Exchanges, e => e.Path.EndsWith(created.Id, StringComparison.Ordinal) && e.Query.Contains("expand", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_completed_subscription_session_names_its_customer_subscription_and_invoice()
    {
        var session = await Subscribe.ThroughCheckoutAsync(Stripe, fixture.Emulator, "price_pro_monthly", "tenant_9");

        Assert.Equal(CheckoutSessionStatuses.Complete, session.Status);
        Assert.Equal(CheckoutPaymentStatuses.Paid, session.PaymentStatus);
        Assert.Null(session.Url);
        Assert.StartsWith("cus_", session.Customer!.Id);
        Assert.False(session.Customer.IsExpanded);
        Assert.StartsWith("sub_", session.Subscription!.Id);
        Assert.StartsWith("in_", session.Invoice!.Id);
        Assert.Equal("buyer@example.com", session.CustomerDetails!.Email);
        Assert.Equal("Buyer", session.CustomerDetails.Name);
        Assert.Equal("tenant_9", session.ClientReferenceId);
    }

    [Fact]
    public async Task A_payment_mode_session_for_an_existing_customer_is_paid_with_a_payment_intent()
    {
        var customer = await Stripe.Customers.CreateAsync(new CustomerCreateRequest { Email = "credits@example.com" });
        var session = await Stripe.CheckoutSessions.CreateAsync(new CheckoutSessionCreateRequest
        {
            Mode = CheckoutSessionModes.Payment,
            Customer = customer.Id,
            LineItems = [new() { Price = "price_credits_1000", Quantity = 3 }],
            ClientReferenceId = "tenant_3",
            SuccessUrl = Subscribe.SuccessUrl,
            CancelUrl = Subscribe.CancelUrl,
            Metadata = new Dictionary<string, string> { ["purchase"] = "credits" },
            PaymentIntentData = new() { Description = "3,000 credits", Metadata = new Dictionary<string, string> { ["tenant_id"] = "tenant_3" } },
        });

        Assert.Equal(CheckoutSessionModes.Payment, session.Mode);
        Assert.Equal(3000, session.AmountTotal);
        Assert.Equal(customer.Id, session.Customer!.Id);

        await Subscribe.CompleteAsync(fixture.Emulator, session.Id);
        var paid = await Stripe.CheckoutSessions.GetWithLineItemsAsync(session.Id);

        Assert.Equal(CheckoutSessionStatuses.Complete, paid.Status);
        Assert.Equal(CheckoutPaymentStatuses.Paid, paid.PaymentStatus);
        Assert.StartsWith("pi_", paid.PaymentIntent!.Id);
        Assert.Null(paid.Subscription);
        Assert.Equal("credits", paid.Metadata!["purchase"]);
        var line = Assert.Single(paid.LineItems!.Data);
        Assert.Equal(3, line.Quantity);
        Assert.Equal(3000, line.AmountTotal);
        Assert.Equal("one_time", line.Price!.Type);
        Assert.Null(line.Price.Recurring);
    }
}
