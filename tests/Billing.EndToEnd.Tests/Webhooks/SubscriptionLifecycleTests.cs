using Billing.Application.StripeEvents;
using Billing.Application.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Entitlements;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Subscriptions;
using Billing.EndToEnd.Tests.Support;

namespace Billing.EndToEnd.Tests.Webhooks;

/// <summary>
/// The acceptance scenarios end to end: the Stripe emulator plays the customer (checkout page, portal, failing card)
/// and time (renewals), sends signed webhooks to the real app, which stores, queues and processes them into Cosmos.
/// </summary>
public sealed class SubscriptionLifecycleTests(SubscriptionLifecycleTests.StackFixture fixture) : IClassFixture<SubscriptionLifecycleTests.StackFixture>
{
    private static readonly MeterName AgentRuns = MeterName.Parse("agent_runs");

    private WebhookStack Stack => fixture.Stack;

    [Fact]
    public async Task Checkout_completion_puts_the_account_on_the_paid_plan_with_its_quotas()
    {
        var accountId = NewAccountId();
        var customer = await Stack.CreateCustomerAsync(accountId);

        var session = await Stack.CheckoutAsync(accountId, customer.Id, "price_pro_monthly");

        var account = await Stack.Data.WaitForAccountAsync(accountId, a => a.Subscription?.Status == SubscriptionStatus.Active, "active");
        Assert.Equal(session.SubscriptionId!, account.Subscription!.SubscriptionId);
        Assert.Equal(customer.Id, account.StripeCustomerId);
        Assert.Equal("PRO", account.Subscription.PlanCode?.Value);
        Assert.Equal(AccountId.Parse(accountId), await Stack.Data.Links.FindAccountIdAsync(customer.Id, CancellationToken.None));
        var entitlement = Evaluate(account, account.Subscription.CurrentPeriodStart!.Value.AddMinutes(1));
        Assert.Equal(EntitlementSource.Subscription, entitlement.Source);
        Assert.Equal(5000, entitlement.PolicyFor(AgentRuns).Quota);

        var completed = await Stack.Stripe.V1.Events.ListAutoPagingAsync(new Stripe.EventListOptions { Type = "checkout.session.completed" })
            .FirstAsync(e => ((Stripe.Checkout.Session)e.Data.Object).Id == session.Id);
        var record = await Stack.Data.WaitForEventAsync(completed.Id, e => e.Status.IsFinal(), "done");
        Assert.Equal(StripeEventStatus.Applied, record.Status);
        Assert.Equal(AccountId.Parse(accountId), record.AccountId);
    }

    [Fact]
    public async Task Renewal_starts_a_new_period_and_the_usage_counters_roll_over()
    {
        var (accountId, _, subscriptionId) = await SubscribeAsync("price_pro_monthly");
        var before = (await Stack.Data.AccountAsync(accountId))!;
        var firstPeriod = Evaluate(before, before.Subscription!.CurrentPeriodStart!.Value.AddMinutes(1)).Period;
        var seeded = new UsageConsumption(before.Id, firstPeriod, AgentRuns, 7, Limit: null, PlanCode.Parse("PRO"), Included: 5000);
        await Stack.Data.Usage.RecordAsync(UsageRecord.Of(seeded, "seed", firstPeriod.Start, firstPeriod.Start, TimeSpan.FromDays(45), accountVersion: null), CancellationToken.None);

        await Stack.AdvanceDaysAsync(31);

        var after = await Stack.Data.WaitForAccountAsync(accountId, a => a.Subscription!.CurrentPeriodStart > before.Subscription.CurrentPeriodStart, "renewed");
        var stripe = await Stack.SubscriptionAsync(subscriptionId);
        Assert.Equal(new DateTimeOffset(stripe.Items.Data[0].CurrentPeriodStart), after.Subscription!.CurrentPeriodStart);
        Assert.Equal(before.Subscription.CurrentPeriodEnd, after.Subscription.CurrentPeriodStart);
        Assert.Equal(SubscriptionStatus.Active, after.Subscription.Status);
        var secondPeriod = Evaluate(after, after.Subscription.CurrentPeriodStart!.Value.AddMinutes(1)).Period;
        Assert.NotEqual(firstPeriod.Key, secondPeriod.Key);
        Assert.Null(await Stack.Data.Usage.GetAsync(after.Id, secondPeriod.Key, CancellationToken.None)); // starts from zero
        Assert.Equal(7, (await Stack.Data.Usage.GetAsync(after.Id, firstPeriod.Key, CancellationToken.None))!.Used(AgentRuns)); // the closed period is kept
    }

    [Fact]
    public async Task A_failed_renewal_keeps_access_through_the_grace_period_then_free_until_the_invoice_is_paid()
    {
        var (accountId, customerId, subscriptionId) = await SubscribeAsync("price_pro_monthly");
        await SetPaymentMethodAsync(customerId, "failing");

        await Stack.AdvanceDaysAsync(31);

        var pastDue = await Stack.Data.WaitForAccountAsync(accountId, a => a.Subscription?.Status == SubscriptionStatus.PastDue, "past_due");
        var since = pastDue.Subscription!.PastDueSince!.Value;
        var inGrace = Evaluate(pastDue, since + DevelopmentCatalog.PastDueGracePeriod - TimeSpan.FromMinutes(1));
        Assert.Equal(EntitlementSource.GracePeriod, inGrace.Source);
        Assert.Equal("PRO", inGrace.Plan.Code.Value);
        var afterGrace = Evaluate(pastDue, since + DevelopmentCatalog.PastDueGracePeriod + TimeSpan.FromSeconds(1));
        Assert.Equal("FREE", afterGrace.Plan.Code.Value);

        await SetPaymentMethodAsync(customerId, "succeeding");
        var invoiceId = (await Stack.SubscriptionAsync(subscriptionId)).LatestInvoiceId;
        await Stack.Stripe.V1.Invoices.PayAsync(invoiceId);

        var recovered = await Stack.Data.WaitForAccountAsync(accountId, a => a.Subscription?.Status == SubscriptionStatus.Active, "active again");
        Assert.Null(recovered.Subscription!.PastDueSince);
        Assert.Equal("PRO", Evaluate(recovered, since + DevelopmentCatalog.PastDueGracePeriod + TimeSpan.FromDays(1)).Plan.Code.Value);
    }

    [Fact]
    public async Task Cancel_at_period_end_keeps_access_until_the_period_ends_then_the_free_plan()
    {
        var (accountId, customerId, _) = await SubscribeAsync("price_pro_monthly");

        await Stack.Emulator!.ControlAsync($"/_emulator/portal/{customerId}/cancel_at_period_end");

        var cancelling = await Stack.Data.WaitForAccountAsync(accountId, a => a.Subscription!.CancelAtPeriodEnd || a.Subscription.CancelAt is not null, "cancel at period end");
        var periodEnd = cancelling.Subscription!.CurrentPeriodEnd!.Value;
        Assert.Equal("PRO", Evaluate(cancelling, periodEnd.AddSeconds(-1)).Plan.Code.Value);
        Assert.Equal("FREE", Evaluate(cancelling, periodEnd).Plan.Code.Value);

        await Stack.AdvanceDaysAsync(32);

        var canceled = await Stack.Data.WaitForAccountAsync(accountId, a => a.Subscription?.Status == SubscriptionStatus.Canceled, "canceled");
        Assert.Equal(periodEnd, canceled.Subscription!.EndedAt);
        Assert.Equal("FREE", Evaluate(canceled, periodEnd.AddDays(1)).Plan.Code.Value);
    }

    [Fact]
    public async Task Portal_upgrade_and_downgrade_move_the_quotas()
    {
        var (accountId, customerId, _) = await SubscribeAsync("price_basic_monthly");
        Assert.Equal(500, Quota((await Stack.Data.AccountAsync(accountId))!));

        await Stack.Emulator!.ControlAsync($"/_emulator/portal/{customerId}/change_price", new Dictionary<string, string> { ["price"] = "price_pro_monthly" });
        var upgraded = await Stack.Data.WaitForAccountAsync(accountId, a => a.Subscription!.PriceId == "price_pro_monthly", "upgraded");
        Assert.Equal(5000, Quota(upgraded));

        await Stack.Emulator.ControlAsync($"/_emulator/portal/{customerId}/change_price", new Dictionary<string, string> { ["price"] = "price_basic_monthly" });
        var downgraded = await Stack.Data.WaitForAccountAsync(accountId, a => a.Subscription!.PriceId == "price_basic_monthly", "downgraded");
        Assert.Equal(500, Quota(downgraded));
        Assert.Equal("BASIC", downgraded.Subscription!.PlanCode?.Value);
    }

    private async Task<(string AccountId, string CustomerId, string SubscriptionId)> SubscribeAsync(string priceId)
    {
        var accountId = NewAccountId();
        var customer = await Stack.CreateCustomerAsync(accountId);
        var session = await Stack.CheckoutAsync(accountId, customer.Id, priceId);
        await Stack.Data.WaitForAccountAsync(accountId, a => a.Subscription?.Status == SubscriptionStatus.Active, "active");
        return (accountId, customer.Id, session.SubscriptionId!);
    }

    private Task SetPaymentMethodAsync(string customerId, string behavior) =>
        Stack.Emulator!.ControlAsync($"/_emulator/customers/{customerId}/payment_method", new Dictionary<string, string> { ["behavior"] = behavior });

    private static Entitlement Evaluate(BillingAccount account, DateTimeOffset at) =>
        EntitlementRules.Evaluate(account, DevelopmentCatalog.Instance, at, DevelopmentCatalog.PastDueGracePeriod);

    private static long? Quota(BillingAccount account) =>
        Evaluate(account, account.Subscription!.CurrentPeriodStart!.Value.AddMinutes(1)).PolicyFor(AgentRuns).Quota;

    private static string NewAccountId() => "e2e-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>One app and one Stripe emulator (webhooks to the app); each test has its own account and customer.</summary>
    public sealed class StackFixture : SharedStackFixture
    {
        private protected override Task<WebhookStack> StartAsync() => WebhookStack.StartAsync();
    }
}
