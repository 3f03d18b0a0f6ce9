using Billing.Application.Catalog;
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

        var amounts = await Prices.GetAmountsAsync([onSale.Id, archived.Id, "price_never_created"], CancellationToken.None);

        Assert.Equal([onSale.Id], amounts.Keys);
        Assert.Equal((1_900L, "usd"), (amounts[onSale.Id].MinorUnits, amounts[onSale.Id].Currency.Code));
    }
}
