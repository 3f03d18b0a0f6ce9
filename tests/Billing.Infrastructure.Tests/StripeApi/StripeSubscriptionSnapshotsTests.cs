using Billing.Domain.Plans;
using Billing.Domain.Subscriptions;
using Billing.Infrastructure.StripeApi;
using Stripe;

namespace Billing.Infrastructure.Tests.StripeApi;

public sealed class StripeSubscriptionSnapshotsTests
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Maps_the_period_from_the_items_and_every_lifecycle_field()
    {
        var subscription = Read("""
            {"id":"sub_1","object":"subscription","customer":{"id":"cus_1","object":"customer"},"status":"trialing",
             "cancel_at_period_end":true,"cancel_at":1752592000,"canceled_at":1750000000,"ended_at":null,
             "trial_start":1749000000,"trial_end":1752592000,"latest_invoice":"in_9",
             "items":{"object":"list","data":[
               {"id":"si_1","object":"subscription_item","current_period_start":1750000000,"current_period_end":1752592000,
                "price":{"id":"price_pro_yearly","object":"price","recurring":{"interval":"year","interval_count":1}}},
               {"id":"si_2","object":"subscription_item","current_period_start":1750000500,"current_period_end":1752600000,
                "price":{"id":"price_addon","object":"price"}}]}}
            """);

        var snapshot = StripeSubscriptionSnapshots.FromStripe(subscription, AsOf);

        Assert.Equal("sub_1", snapshot.SubscriptionId);
        Assert.Equal("cus_1", snapshot.CustomerId);
        Assert.Equal(SubscriptionStatus.Trialing, snapshot.Status);
        Assert.Equal("price_pro_yearly", snapshot.PriceId);
        Assert.Equal(BillingInterval.Year, snapshot.Interval);
        Assert.Equal(
            [
                new SubscriptionItemPrice("price_pro_yearly", BillingInterval.Year) { PeriodStart = DateTimeOffset.FromUnixTimeSeconds(1_750_000_000), PeriodEnd = DateTimeOffset.FromUnixTimeSeconds(1_752_592_000) },
                new SubscriptionItemPrice("price_addon", null) { PeriodStart = DateTimeOffset.FromUnixTimeSeconds(1_750_000_500), PeriodEnd = DateTimeOffset.FromUnixTimeSeconds(1_752_600_000) },
            ],
            snapshot.Items);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_750_000_000), snapshot.CurrentPeriodStart);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_752_600_000), snapshot.CurrentPeriodEnd);
        Assert.True(snapshot.CancelAtPeriodEnd);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_752_592_000), snapshot.CancelAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_750_000_000), snapshot.CanceledAt);
        Assert.Null(snapshot.EndedAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_749_000_000), snapshot.TrialStart);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_752_592_000), snapshot.TrialEnd);
        Assert.Equal("in_9", snapshot.LatestInvoiceId);
        Assert.Equal(AsOf, snapshot.AsOf);
    }

    [Fact]
    public void Cancel_at_period_end_of_a_mixed_interval_subscription_ends_it_at_the_earliest_item_period_end_as_Stripe_does()
    {
        // A monthly plan beside a yearly fee (flexible billing mode): Stripe resolves cancel_at_period_end to the earliest
        // items.data.current_period_end and leaves cancel_at null; the subscription ends with the month, not the year.
        var subscription = Read(MixedIntervals);

        var snapshot = StripeSubscriptionSnapshots.FromStripe(subscription, AsOf);

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_782_592_000), snapshot.CancelsAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_782_592_000), snapshot.CancelAt);

        // A cancel_at Stripe already has before the earliest item end is when it ends: the period end does not postpone it.
        var sooner = Read(MixedIntervals.Replace("\"cancel_at\":null", "\"cancel_at\":1781000000", StringComparison.Ordinal));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_781_000_000), StripeSubscriptionSnapshots.FromStripe(sooner, AsOf).CancelAt);

        // Without cancel_at_period_end nothing is scheduled.
        var kept = Read(MixedIntervals.Replace("\"cancel_at_period_end\":true", "\"cancel_at_period_end\":false", StringComparison.Ordinal));
        Assert.Null(StripeSubscriptionSnapshots.FromStripe(kept, AsOf).CancelsAt);
    }

    [Fact]
    public void An_interval_other_than_one_month_or_year_has_no_billing_interval_and_an_absent_period_is_null()
    {
        var subscription = Read("""
            {"id":"sub_1","object":"subscription","customer":"cus_1","status":"active",
             "items":{"object":"list","data":[{"id":"si_1","object":"subscription_item","price":{"id":"price_q","object":"price","recurring":{"interval":"month","interval_count":3}}}]}}
            """);

        var snapshot = StripeSubscriptionSnapshots.FromStripe(subscription, AsOf);

        Assert.Null(snapshot.Interval);
        Assert.Null(snapshot.CurrentPeriodStart); // Stripe.net reads the absent field as 1970-01-01
        Assert.Null(snapshot.CurrentPeriodEnd);
    }

    [Fact]
    public void A_subscription_without_customer_or_status_is_refused()
    {
        Assert.Throws<InvalidOperationException>(() => StripeSubscriptionSnapshots.FromStripe(Read("""{"id":"sub_1","object":"subscription","status":"active"}"""), AsOf));
        Assert.Throws<InvalidOperationException>(() => StripeSubscriptionSnapshots.FromStripe(Read("""{"id":"sub_1","object":"subscription","customer":"cus_1"}"""), AsOf));
    }

    /// <summary>A monthly plan beside a yearly fee on one subscription (flexible billing mode), set to cancel at the period end.</summary>
    private const string MixedIntervals = """
            {"id":"sub_1","object":"subscription","customer":"cus_1","status":"active","cancel_at_period_end":true,"cancel_at":null,
             "items":{"object":"list","data":[
               {"id":"si_1","object":"subscription_item","current_period_start":1780000000,"current_period_end":1782592000,
                "price":{"id":"price_pro_month","object":"price","recurring":{"interval":"month","interval_count":1}}},
               {"id":"si_2","object":"subscription_item","current_period_start":1765000000,"current_period_end":1796536000,
                "price":{"id":"price_platform_fee","object":"price","recurring":{"interval":"year","interval_count":1}}}]}}
            """;

    private static Subscription Read(string json) =>
        (Subscription)EventUtility.ParseEvent(
            $$$"""{"id":"evt_1","object":"event","type":"customer.subscription.updated","created":1750000000,"data":{"object":{{{json}}}}}""",
            throwOnApiVersionMismatch: false).Data.Object;
}
