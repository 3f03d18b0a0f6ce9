using Billing.Stripe;
using Billing.Stripe.Common;
using Billing.Stripe.Invoices;
using Billing.Stripe.Subscriptions;
using Billing.StripeEmulator.Tests.ClientCompatibility.Support;

namespace Billing.StripeEmulator.Tests.ClientCompatibility;

[Collection(SharedEmulator.Name)]
public sealed class SubscriptionClientTests(ClientEmulatorFixture fixture) : IAsyncLifetime
{
    private IStripeClient Stripe => fixture.Client;

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_trialing_subscription_reads_its_trial_period_from_the_items_and_metadata()
    {
        var session = await Subscribe.ThroughCheckoutAsync(Stripe, fixture.Emulator, "price_pro_monthly", "tenant_t", trialDays: 14);

        var subscription = await Stripe.Subscriptions.GetAsync(session.Subscription!.Id, RetrieveRequest.Expanding("latest_invoice"));

        Assert.Equal(StripeObjectTypes.Subscription, subscription.ObjectType);
        Assert.Equal(StripeSubscriptionStatuses.Trialing, subscription.Status);
        Assert.Equal(session.Customer!.Id, subscription.Customer!.Id);
        Assert.Equal("usd", subscription.Currency);
        Assert.Equal(TimeSpan.FromDays(14), subscription.TrialEnd - subscription.TrialStart);
        Assert.Equal(new StripePeriod { Start = subscription.TrialStart!.Value, End = subscription.TrialEnd!.Value }, subscription.CurrentPeriod);
        Assert.Equal("tenant_t", subscription.Metadata!["tenant_id"]);
        Assert.Equal("price_pro_monthly", subscription.Metadata["plan"]);
        Assert.False(subscription.CancelAtPeriodEnd);
        var item = Assert.Single(subscription.Items!.Data);
        Assert.StartsWith("si_", item.Id);
        Assert.Equal(StripeObjectTypes.SubscriptionItem, item.ObjectType);
        Assert.Equal("price_pro_monthly", item.Price!.Id);
        Assert.Equal(4900, item.Price.UnitAmount);
        Assert.Equal("month", item.Price.Recurring!.Interval);
        Assert.Equal(1, item.Quantity);
        Assert.Equal(subscription.Id, item.Subscription);
        var firstInvoice = subscription.LatestInvoice!.Expanded!;
        Assert.Equal(session.Invoice!.Id, firstInvoice.Id);
        Assert.Equal(InvoiceStatuses.Paid, firstInvoice.Status);
        Assert.Equal(0, firstInvoice.AmountPaid);
        Assert.Equal("subscription_create", firstInvoice.BillingReason);
    }

    [Fact]
    public async Task An_active_subscription_has_a_one_month_period_on_its_item()
    {
        var session = await Subscribe.ThroughCheckoutAsync(Stripe, fixture.Emulator, "price_basic_monthly");

        var subscription = await Stripe.Subscriptions.GetAsync(session.Subscription!.Id);

        Assert.Equal(StripeSubscriptionStatuses.Active, subscription.Status);
        Assert.Null(subscription.TrialStart);
        Assert.Null(subscription.TrialEnd);
        var period = subscription.CurrentPeriod!;
        Assert.Equal(subscription.StartDate, period.Start);
        Assert.Equal(period.Start.AddMonths(1), period.End);
        Assert.False(subscription.LatestInvoice!.IsExpanded);
        Assert.Equal(session.Invoice!.Id, subscription.LatestInvoice.Id);
    }

    [Fact]
    public async Task A_price_change_with_always_invoice_bills_the_proration_at_once()
    {
        var session = await Subscribe.ThroughCheckoutAsync(Stripe, fixture.Emulator, "price_basic_monthly");
        var before = await Stripe.Subscriptions.GetAsync(session.Subscription!.Id);
        var itemId = before.Items!.Data[0].Id;

        var updated = await Stripe.Subscriptions.UpdateAsync(
            before.Id,
            new SubscriptionUpdateRequest
            {
                Items = [new() { Id = itemId, Price = "price_pro_monthly" }],
                ProrationBehavior = ProrationBehaviors.AlwaysInvoice,
                Metadata = new Dictionary<string, string> { ["plan"] = "price_pro_monthly" },
            },
            new StripeRequestOptions { IdempotencyKey = $"plan-change:{before.Id}:pro" });
        var invoice = await Stripe.Invoices.GetAsync(updated.LatestInvoice!.Id);

        var item = Assert.Single(updated.Items!.Data);
        Assert.Equal(itemId, item.Id);
        Assert.Equal("price_pro_monthly", item.Price!.Id);
        Assert.Equal("price_pro_monthly", updated.Metadata!["plan"]);
        Assert.Equal(before.CurrentPeriod, updated.CurrentPeriod);
        Assert.NotEqual(before.LatestInvoice!.Id, invoice.Id);
        Assert.Equal("subscription_update", invoice.BillingReason);
        Assert.Equal(InvoiceStatuses.Paid, invoice.Status);
        Assert.Equal(updated.Id, invoice.SubscriptionId);
        Assert.InRange(invoice.AmountPaid, 2990, 3000);
        Assert.Equal(invoice.Total, invoice.AmountPaid);
        Assert.Equal(2, invoice.Lines!.Data.Count);
        Assert.Contains(invoice.Lines.Data, line => line.Amount < 0);
        Assert.All(invoice.Lines.Data, line => Assert.True(line.Parent?.InvoiceItemDetails?.Proration ?? line.Parent?.SubscriptionItemDetails?.Proration));
        Assert.Equal($"plan-change:{before.Id}:pro", fixture.Requests.Exchanges.Single(e => e.Method == HttpMethod.Post && e.Path.EndsWith(before.Id, StringComparison.Ordinal)).IdempotencyKey);
    }

    [Fact]
    public async Task Default_prorations_wait_as_pending_items_a_subscription_invoice_can_include()
    {
        var session = await Subscribe.ThroughCheckoutAsync(Stripe, fixture.Emulator, "price_basic_monthly");
        var before = await Stripe.Subscriptions.GetAsync(session.Subscription!.Id);

        var updated = await Stripe.Subscriptions.UpdateAsync(before.Id, new SubscriptionUpdateRequest
        {
            Items = [new() { Id = before.Items!.Data[0].Id, Price = "price_pro_monthly" }],
            ProrationBehavior = ProrationBehaviors.CreateProrations,
        });
        var invoice = await Stripe.Invoices.CreateAsync(new InvoiceCreateRequest
        {
            Customer = session.Customer!.Id,
            Subscription = before.Id,
            PendingInvoiceItemsBehavior = PendingInvoiceItemsBehaviors.Include,
        });

        Assert.Equal(before.LatestInvoice!.Id, updated.LatestInvoice!.Id);
        Assert.Equal(InvoiceStatuses.Draft, invoice.Status);
        Assert.Equal(2, invoice.Lines!.Data.Count);
        Assert.InRange(invoice.Total, 2990, 3000);
        Assert.Equal(before.Id, invoice.SubscriptionId);
    }

    [Fact]
    public async Task Cancel_at_period_end_schedules_the_end_and_can_be_taken_back()
    {
        var session = await Subscribe.ThroughCheckoutAsync(Stripe, fixture.Emulator);
        var id = session.Subscription!.Id;

        var scheduled = await Stripe.Subscriptions.UpdateAsync(id, new SubscriptionUpdateRequest { CancelAtPeriodEnd = true });
        var resumed = await Stripe.Subscriptions.UpdateAsync(id, new SubscriptionUpdateRequest { CancelAtPeriodEnd = false });

        Assert.True(scheduled.CancelAtPeriodEnd);
        Assert.Equal(StripeSubscriptionStatuses.Active, scheduled.Status);
        Assert.Equal(scheduled.CurrentPeriod!.End, scheduled.CancelAt);
        Assert.Equal("cancellation_requested", scheduled.CancellationDetails!.Reason);
        Assert.False(resumed.CancelAtPeriodEnd);
        Assert.Null(resumed.CancelAt);
        Assert.Equal(StripeSubscriptionStatuses.Active, resumed.Status);
    }

    [Fact]
    public async Task Cancel_ends_the_subscription_now_with_the_feedback_given()
    {
        var session = await Subscribe.ThroughCheckoutAsync(Stripe, fixture.Emulator);

        var canceled = await Stripe.Subscriptions.CancelAsync(session.Subscription!.Id, new SubscriptionCancelRequest
        {
            Prorate = false,
            CancellationDetails = new() { Feedback = "too_expensive", Comment = "Cheaper elsewhere" },
        });
        var fetched = await Stripe.Subscriptions.GetAsync(canceled.Id);

        Assert.Equal(StripeSubscriptionStatuses.Canceled, canceled.Status);
        Assert.NotNull(canceled.EndedAt);
        Assert.NotNull(canceled.CanceledAt);
        Assert.Equal("too_expensive", canceled.CancellationDetails!.Feedback);
        Assert.Equal("Cheaper elsewhere", canceled.CancellationDetails.Comment);
        Assert.Equal("cancellation_requested", canceled.CancellationDetails.Reason);
        Assert.Equal(StripeSubscriptionStatuses.Canceled, fetched.Status);
        Assert.Equal(HttpMethod.Delete, fixture.Requests.Exchanges.Single(e => e.Path.EndsWith(canceled.Id, StringComparison.Ordinal) && e.Method != HttpMethod.Get).Method);
    }

    [Fact]
    public async Task Listing_a_customers_subscriptions_filters_by_status_and_pages()
    {
        var first = await Subscribe.ThroughCheckoutAsync(Stripe, fixture.Emulator, "price_basic_monthly");
        var customer = first.Customer!.Id;
        var second = await Stripe.CheckoutSessions.CreateAsync(Subscribe.SessionRequest("price_pro_monthly", "tenant_1", customer: customer));
        await Subscribe.CompleteAsync(fixture.Emulator, second.Id);
        var secondSubscription = (await Stripe.CheckoutSessions.GetAsync(second.Id)).Subscription!.Id;
        await Stripe.Subscriptions.CancelAsync(first.Subscription!.Id);

        var active = await Stripe.Subscriptions.ListAsync(new SubscriptionListRequest { Customer = customer, Status = StripeSubscriptionStatuses.Active });
        var all = await Stripe.Subscriptions.ListAutoPagingAsync(new SubscriptionListRequest { Customer = customer, Status = "all", Limit = 1 }).ToListAsync();

        Assert.Equal([secondSubscription], active.Data.Select(s => s.Id));
        Assert.Equal("price_pro_monthly", active.Data[0].Items!.Data[0].Price!.Id);
        Assert.Equal(
            new[] { first.Subscription!.Id, secondSubscription }.Order(StringComparer.Ordinal),
            all.Select(s => s.Id).Order(StringComparer.Ordinal));
        Assert.True(fixture.Requests.Exchanges.Count(e => e.Method == HttpMethod.Get && e.Path == "/v1/subscriptions") >= 2, "auto-paging with limit 1 must request more than one page");
    }
}
