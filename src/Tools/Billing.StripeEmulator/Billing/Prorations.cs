using System.Globalization;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.State.Objects;

namespace Billing.StripeEmulator.Billing;

/// <summary>
/// Proration invoice items for a mid-period change, as Stripe's classic billing mode makes them: a credit for the
/// unused time on what the subscription had and a charge for the remaining time on what it has now, both for
/// [now, period end], in integer minor units rounded half away from zero.
/// </summary>
internal static class Prorations
{
    public static long Portion(long fullAmount, long remainingSeconds, long periodSeconds)
    {
        if (periodSeconds <= 0 || remainingSeconds <= 0)
        {
            return 0;
        }

        var exact = (decimal)fullAmount * remainingSeconds / periodSeconds;
        return (long)Math.Round(exact, MidpointRounding.AwayFromZero);
    }

    public static InvoiceItemRecord Credit(Mutation m, SubscriptionRecord subscription, PriceRecord price, long quantity) =>
        Create(m, subscription, price, quantity, credit: true);

    public static InvoiceItemRecord Charge(Mutation m, SubscriptionRecord subscription, PriceRecord price, long quantity) =>
        Create(m, subscription, price, quantity, credit: false);

    private static InvoiceItemRecord Create(Mutation m, SubscriptionRecord subscription, PriceRecord price, long quantity, bool credit)
    {
        var remaining = subscription.CurrentPeriodEnd - m.Now;
        var period = subscription.CurrentPeriodEnd - subscription.CurrentPeriodStart;
        var amount = Portion(price.UnitAmount * quantity, remaining, period);
        var product = Lookup.ProductName(m.State, price);
        var date = DateTimeOffset.FromUnixTimeSeconds(m.Now).ToString("dd MMM yyyy", CultureInfo.InvariantCulture);
        var item = new InvoiceItemRecord
        {
            Id = IdGenerator.New("ii"),
            Created = m.Now,
            CustomerId = subscription.CustomerId,
            Amount = credit ? -amount : amount,
            Currency = price.Currency,
            Description = credit ? $"Unused time on {product} after {date}" : $"Remaining time on {product} after {date}",
            SubscriptionId = subscription.Id,
            PriceId = price.Id,
            Quantity = quantity,
            UnitAmountDecimal = (credit ? -amount : amount).ToString(CultureInfo.InvariantCulture),
            PeriodStart = m.Now,
            PeriodEnd = subscription.CurrentPeriodEnd,
            Proration = true,
        };
        return m.State.Add(m.State.InvoiceItems, item);
    }
}
