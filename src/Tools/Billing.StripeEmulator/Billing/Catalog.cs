using Billing.StripeEmulator.Configuration;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.State.Objects;
using Billing.StripeEmulator.Wire;

namespace Billing.StripeEmulator.Billing;

/// <summary>Products and prices: the configured seed and the `POST /v1/products|prices` test conveniences.</summary>
internal static class Catalog
{
    public static void Seed(Mutation m, IEnumerable<PriceSeedOptions> seeds)
    {
        foreach (var seed in seeds)
        {
            if (!m.State.Products.ContainsKey(seed.Product))
            {
                CreateProduct(m, seed.Product, seed.ProductName ?? seed.Product, description: null);
            }

            var price = CreatePrice(m, seed.Id, seed.Product, seed.Currency, seed.UnitAmount, seed.IsRecurring ? seed.Interval : null, seed.IntervalCount, seed.LookupKey ?? seed.Id, nickname: null);
            var product = m.State.Products[seed.Product];
            product.DefaultPrice ??= price.Id;
        }
    }

    public static ProductRecord CreateProduct(Mutation m, string? id, string name, string? description)
    {
        id ??= IdGenerator.New("prod", 14);
        if (m.State.Products.ContainsKey(id))
        {
            throw StripeApiException.InvalidRequest("Product already exists.", "id", "resource_already_exists");
        }

        return m.State.Add(m.State.Products, new ProductRecord { Id = id, Created = m.Now, Updated = m.Now, Name = name, Description = description });
    }

    public static PriceRecord CreatePrice(Mutation m, string? id, string productId, string currency, long unitAmount, string? interval, int intervalCount, string? lookupKey, string? nickname, bool transferLookupKey = false)
    {
        id ??= IdGenerator.New("price");
        if (lookupKey is not null && m.State.Prices.Values.FirstOrDefault(p => p.LookupKey == lookupKey) is { } holder)
        {
            if (!transferLookupKey)
            {
                throw StripeApiException.InvalidRequest($"A price ({holder.Id}) already uses that lookup key.", "lookup_key");
            }

            holder.LookupKey = null;
        }

        return m.State.Add(m.State.Prices, new PriceRecord
        {
            Id = id,
            Created = m.Now,
            ProductId = productId,
            Currency = currency,
            UnitAmount = unitAmount,
            Interval = interval,
            IntervalCount = intervalCount,
            LookupKey = lookupKey,
            Nickname = nickname,
        });
    }
}
