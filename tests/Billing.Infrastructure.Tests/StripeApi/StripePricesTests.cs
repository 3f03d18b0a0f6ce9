using Billing.Application.Catalog;
using Billing.Domain.Plans;
using Billing.Infrastructure.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Stripe;

namespace Billing.Infrastructure.Tests.StripeApi;

/// <summary><see cref="IStripePrices"/> as the app registers it, against the emulator: which catalog prices a pricing page may show.</summary>
[Collection(SharedStripeEmulator.Name)]
public sealed class StripePricesTests(StripeEmulatorFixture fixture)
{
    private IStripePrices Prices => fixture.Services.GetRequiredService<IStripePrices>();

    [Fact]
    public async Task An_archived_price_is_left_out_like_an_unknown_one_since_Checkout_refuses_it()
    {
        var product = new PriceProductDataOptions { Name = "Archived plan test" };
        var onSale = await fixture.Stripe.V1.Prices.CreateAsync(new PriceCreateOptions { Currency = "usd", UnitAmount = 1_900, ProductData = product, Recurring = new PriceRecurringOptions { Interval = "month" } });
        var archived = await fixture.Stripe.V1.Prices.CreateAsync(new PriceCreateOptions { Currency = "usd", UnitAmount = 1_500, ProductData = product, Recurring = new PriceRecurringOptions { Interval = "month" }, Active = false });

        var amounts = await Prices.GetPricesAsync([onSale.Id, archived.Id, "price_never_created"], CancellationToken.None);

        Assert.Equal([onSale.Id], amounts.Keys);
        Assert.Equal((1_900L, "usd"), (amounts[onSale.Id].Amount.MinorUnits, amounts[onSale.Id].Amount.Currency.Code));
    }

    [Fact]
    public async Task An_active_price_of_an_archived_product_is_left_out_since_Checkout_refuses_it_too()
    {
        // Archiving a product in the Dashboard leaves its prices active (stripe/stripe-node#2131), and Stripe refuses to
        // sell them (stripe/stripe-go#1031): the plan would be listed with a price and sold, then fail at Stripe.
        var retired = await fixture.Stripe.V1.Products.CreateAsync(new ProductCreateOptions { Name = "Retired plan test", Active = false });
        var current = await fixture.Stripe.V1.Products.CreateAsync(new ProductCreateOptions { Name = "Current plan test" });
        var onRetired = await fixture.Stripe.V1.Prices.CreateAsync(new PriceCreateOptions { Currency = "usd", UnitAmount = 2_900, Product = retired.Id, Recurring = new PriceRecurringOptions { Interval = "month" } });
        var onCurrent = await fixture.Stripe.V1.Prices.CreateAsync(new PriceCreateOptions { Currency = "usd", UnitAmount = 3_900, Product = current.Id, Recurring = new PriceRecurringOptions { Interval = "month" } });

        var amounts = await Prices.GetPricesAsync([onRetired.Id, onCurrent.Id], CancellationToken.None);

        Assert.Equal([onCurrent.Id], amounts.Keys);
    }

    [Fact]
    public async Task A_price_billed_every_three_months_or_once_is_left_out_since_its_amount_is_not_one_month_or_one_year()
    {
        // The plans answer pairs each amount with the catalog's interval ("$147.00 a month"): a quarterly price's amount is
        // three months', a one-time price's is no interval's. The subscriptions read those as having no plan interval too.
        var product = new PriceProductDataOptions { Name = "Interval plan test" };
        var monthly = await fixture.Stripe.V1.Prices.CreateAsync(new PriceCreateOptions { Currency = "usd", UnitAmount = 4_900, ProductData = product, Recurring = new PriceRecurringOptions { Interval = "month" } });
        var yearly = await fixture.Stripe.V1.Prices.CreateAsync(new PriceCreateOptions { Currency = "eur", UnitAmount = 49_000, ProductData = product, Recurring = new PriceRecurringOptions { Interval = "year" } });
        var quarterly = await fixture.Stripe.V1.Prices.CreateAsync(new PriceCreateOptions { Currency = "usd", UnitAmount = 14_700, ProductData = product, Recurring = new PriceRecurringOptions { Interval = "month", IntervalCount = 3 } });
        var once = await fixture.Stripe.V1.Prices.CreateAsync(new PriceCreateOptions { Currency = "usd", UnitAmount = 9_900, ProductData = product });

        var amounts = await Prices.GetPricesAsync([monthly.Id, yearly.Id, quarterly.Id, once.Id], CancellationToken.None);

        Assert.Equal(new[] { monthly.Id, yearly.Id }.Order(StringComparer.Ordinal), amounts.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((BillingInterval.Month, BillingInterval.Year), (amounts[monthly.Id].Interval, amounts[yearly.Id].Interval));
        Assert.Equal((4_900L, "usd", 49_000L, "eur"), (amounts[monthly.Id].Amount.MinorUnits, amounts[monthly.Id].Amount.Currency.Code, amounts[yearly.Id].Amount.MinorUnits, amounts[yearly.Id].Amount.Currency.Code)); // each price's own
    }
}
