using Billing.Stripe;
using Billing.Stripe.Checkout;
using Billing.Stripe.Common;
using Billing.Stripe.Customers;
using Billing.Stripe.Events;
using Billing.Stripe.InvoiceItems;
using Billing.Stripe.Invoices;
using Billing.Stripe.Prices;
using Billing.Stripe.Subscriptions;
using Billing.StripeEmulator.Tests.ClientCompatibility.Support;

namespace Billing.StripeEmulator.Tests.ClientCompatibility;

/// <summary>Every optional parameter the client can encode is accepted by the emulator (it rejects unknown
/// parameters as Stripe does), so a product change that starts sending one does not break local runs.</summary>
[Collection(SharedEmulator.Name)]
public sealed class RequestParameterTests(ClientEmulatorFixture fixture) : IAsyncLifetime
{
    private IStripeClient Stripe => fixture.Client;

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_subscription_checkout_with_every_parameter_is_accepted()
    {
        var customer = await Stripe.Customers.CreateAsync(new CustomerCreateRequest
        {
            Email = "all@example.com",
            Name = "All Params",
            Description = "every field",
            Phone = "+15555550100",
            Metadata = new Dictionary<string, string> { ["tenant_id"] = "t_all" },
        });

        var session = await Stripe.CheckoutSessions.CreateAsync(new CheckoutSessionCreateRequest
        {
            Mode = CheckoutSessionModes.Subscription,
            Customer = customer.Id,
            LineItems = [new() { Price = "price_pro_monthly", Quantity = 2 }],
            ClientReferenceId = "t_all",
            SuccessUrl = Subscribe.SuccessUrl,
            CancelUrl = Subscribe.CancelUrl,
            UiMode = CheckoutUiModes.HostedPage,
            Metadata = new Dictionary<string, string> { ["tenant_id"] = "t_all" },
            SubscriptionData = new()
            {
                TrialPeriodDays = 7,
                TrialSettings = new() { EndBehavior = new() { MissingPaymentMethod = "cancel" } },
                Metadata = new Dictionary<string, string> { ["tenant_id"] = "t_all" },
                Description = "Pro for t_all",
                ProrationBehavior = ProrationBehaviors.CreateProrations,
                BillingMode = new() { Type = "classic" },
            },
            AllowPromotionCodes = true,
            PaymentMethodCollection = "always",
            ExpiresAt = DateTimeOffset.UtcNow.AddHours(2),
            Locale = "auto",
            Expand = ["customer"],
        });

        Assert.Equal(9800, session.AmountTotal);
        Assert.Equal(customer.Id, session.Customer!.Expanded!.Id);
    }

    [Fact]
    public async Task A_subscription_update_with_every_parameter_is_accepted()
    {
        var checkout = await Subscribe.ThroughCheckoutAsync(Stripe, fixture.Emulator, "price_basic_monthly", "t_upd", trialDays: 30);
        var subscription = await Stripe.Subscriptions.GetAsync(checkout.Subscription!.Id);

        var updated = await Stripe.Subscriptions.UpdateAsync(subscription.Id, new SubscriptionUpdateRequest
        {
            Items = [new() { Id = subscription.Items!.Data[0].Id, Price = "price_pro_monthly", Quantity = 3, Metadata = new Dictionary<string, string> { ["seat_plan"] = "pro" } }],
            ProrationBehavior = ProrationBehaviors.None,
            ProrationDate = DateTimeOffset.UtcNow,
            CancelAtPeriodEnd = false,
            PaymentBehavior = PaymentBehaviors.AllowIncomplete,
            TrialEnd = subscription.TrialEnd!.Value.AddDays(-10),
            Metadata = new Dictionary<string, string> { ["plan"] = "pro" },
            Expand = ["latest_invoice"],
        });

        var item = Assert.Single(updated.Items!.Data);
        Assert.Equal(3, item.Quantity);
        Assert.Equal("pro", item.Metadata!["seat_plan"]);
        Assert.Equal(subscription.TrialEnd.Value.AddDays(-10), updated.TrialEnd);
        Assert.True(updated.LatestInvoice!.IsExpanded);
    }

    [Fact]
    public async Task Invoice_and_list_requests_with_every_parameter_are_accepted()
    {
        var customer = (await Stripe.Customers.CreateAsync(new CustomerCreateRequest { Email = "lists@example.com" })).Id;
        var product = (await Stripe.Prices.GetAsync("price_credits_1000")).Product!.Id;
        var now = DateTimeOffset.UtcNow;

        var item = await Stripe.InvoiceItems.CreateAsync(new InvoiceItemCreateRequest
        {
            Customer = customer,
            PriceData = new() { Currency = "usd", Product = product, UnitAmount = 250, TaxBehavior = "exclusive" },
            Quantity = 4,
            Period = new() { Start = now.AddDays(-1), End = now },
            Description = "4 extra seats",
            Discountable = false,
            Metadata = new Dictionary<string, string> { ["kind"] = "seats" },
        });
        var invoice = await Stripe.Invoices.CreateAsync(new InvoiceCreateRequest
        {
            Customer = customer,
            AutoAdvance = false,
            CollectionMethod = CollectionMethods.SendInvoice,
            DaysUntilDue = 14,
            Currency = "usd",
            Description = "Seats",
            PendingInvoiceItemsBehavior = PendingInvoiceItemsBehaviors.Include,
            Metadata = new Dictionary<string, string> { ["run"] = "r" },
            Expand = ["customer"],
        });
        var finalized = await Stripe.Invoices.FinalizeAsync(invoice.Id, new InvoiceFinalizeRequest { AutoAdvance = false, Expand = ["customer"] });
        var paid = await Stripe.Invoices.PayAsync(invoice.Id, new InvoicePayRequest { OffSession = true, PaymentMethod = "pm_card_visa", Expand = ["customer"] });
        var invoices = await Stripe.Invoices.ListAsync(new InvoiceListRequest
        {
            Customer = customer,
            Status = InvoiceStatuses.Paid,
            CollectionMethod = CollectionMethods.SendInvoice,
            Created = new StripeDateRange { Gte = now.AddHours(-1), Lt = now.AddHours(1) },
            Limit = 10,
            Expand = ["data.customer"],
        });
        var prices = await Stripe.Prices.ListAsync(new PriceListRequest
        {
            LookupKeys = ["price_pro_monthly"],
            Active = true,
            Product = "prod_pro",
            Currency = "usd",
            Type = "recurring",
            Created = new StripeDateRange { Lte = now.AddHours(1) },
            Limit = 5,
            Expand = ["data.product"],
        });
        var events = await Stripe.Events.ListAsync(new EventListRequest { Types = [StripeEventTypes.InvoicePaid], DeliverySuccess = false, Created = new StripeDateRange { Gt = now.AddHours(-1) }, Limit = 3 });

        Assert.Equal(1000, item.Amount);
        Assert.Equal(CollectionMethods.SendInvoice, invoice.CollectionMethod);
        Assert.Equal(CollectionMethods.SendInvoice, finalized.CollectionMethod);
        Assert.InRange(finalized.DueDate!.Value - finalized.StatusTransitions!.FinalizedAt!.Value, TimeSpan.FromDays(14), TimeSpan.FromDays(14));
        Assert.Equal(InvoiceStatuses.Paid, paid.Status);
        Assert.Equal(paid.Id, Assert.Single(invoices.Data).Id);
        Assert.True(invoices.Data[0].Customer!.IsExpanded);
        Assert.True(Assert.Single(prices.Data).Product!.IsExpanded);
        Assert.All(events.Data, e => Assert.Equal(StripeEventTypes.InvoicePaid, e.Type));
    }
}
