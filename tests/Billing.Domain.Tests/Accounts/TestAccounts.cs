using Billing.Domain.Accounts;
using Billing.Domain.Subscriptions;
using Billing.TestSupport;

namespace Billing.Domain.Tests.Accounts;

internal static class TestAccounts
{
    public static readonly DateTimeOffset Opened = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    public static BillingAccount New(string id = "user-1") => BillingAccount.Open(AccountId.Parse(id), Opened);

    public static BillingAccount WithCustomer(string customerId = "cus_1") =>
        New().AssignStripeCustomer(customerId).Account;

    /// <summary>An active PRO subscription on a monthly period starting 2026-11-10 10:00.</summary>
    public static SubscriptionSnapshot Snapshot(
        DateTimeOffset asOf,
        SubscriptionStatus? status = null,
        string subscriptionId = "sub_1",
        string priceId = TestCatalog.ProMonthly,
        DateTimeOffset? periodStart = null) =>
        new()
        {
            SubscriptionId = subscriptionId,
            CustomerId = "cus_1",
            Status = status ?? SubscriptionStatus.Active,
            PriceId = priceId,
            CurrentPeriodStart = periodStart ?? PeriodStart,
            CurrentPeriodEnd = (periodStart ?? PeriodStart).AddMonths(1),
            AsOf = asOf,
        };

    public static readonly DateTimeOffset PeriodStart = new(2026, 11, 10, 10, 0, 0, TimeSpan.Zero);
}
