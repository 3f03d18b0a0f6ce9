using Billing.StripeEmulator.Billing;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Pipeline;
using Billing.StripeEmulator.Wire.Shapes;

namespace Billing.StripeEmulator.Api;

/// <summary>`/v1/prices` and `/v1/products`: the catalog (seeded from configuration; creation is a test convenience).</summary>
internal static class PricesApi
{
    private static readonly string[] Intervals = ["day", "week", "month", "year"];

    public static IEndpointRouteBuilder MapPricesApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/prices", ListPrices);
        routes.MapGet("/v1/prices/{id}", RetrievePrice);
        routes.MapPost("/v1/prices", CreatePrice);
        routes.MapGet("/v1/products/{id}", RetrieveProduct);
        routes.MapPost("/v1/products", CreateProduct);
        return routes;
    }

    private static IResult RetrievePrice(string id, HttpContext context, EmulatorStore store) =>
        StripeResults.Json(store.Read(state => Expansion.Apply(PriceShape.ToJson(Lookup.Price(state, id)), context.Params().AllowOnly(), state)));

    private static IResult ListPrices(HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly("lookup_keys", "active", "product", "type", "currency", "recurring", "limit", "starting_after", "ending_before", "created").NotModelled("recurring");
        var lookupKeys = p.Strings("lookup_keys");
        if (lookupKeys.Count > 10)
        {
            throw StripeApiException.ParameterInvalid("lookup_keys", "You can pass at most 10 lookup keys.");
        }

        var active = p.Bool("active");
        var product = p.NonEmptyString("product");
        var type = p.OneOf("type", "one_time", "recurring");
        var currency = p.NonEmptyString("currency");
        var created = Paging.CreatedFilter(p);
        return StripeResults.Json(store.Read(state =>
        {
            var prices = state.Prices.Values
                .Where(price => lookupKeys.Count == 0 || (price.LookupKey is not null && lookupKeys.Contains(price.LookupKey, StringComparer.Ordinal)))
                .Where(price => active is null || price.Active == active)
                .Where(price => product is null || price.ProductId == product)
                .Where(price => type is null || (type == "recurring") == price.IsRecurring)
                .Where(price => currency is null || price.Currency == currency)
                .Where(price => created(price.Created))
                .OrderByDescending(price => price.Sequence)
                .ToList();
            return Expansion.Apply(Paging.Page(prices, price => price.Id, price => PriceShape.ToJson(price), p, "/v1/prices", "price"), p, state);
        }));
    }

    private static IResult CreatePrice(HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly("currency", "unit_amount", "unit_amount_decimal", "product", "product_data", "recurring", "lookup_key", "transfer_lookup_key", "nickname", "metadata", "active", "tax_behavior", "billing_scheme")
            .NotModelled("tax_behavior").NotModelledUnless("billing_scheme", "per_unit");
        var currency = Currency(p, "currency") ?? throw StripeApiException.ParameterMissing("currency");
        var unitAmount = p.NonNegativeLong("unit_amount") ?? UnitAmountDecimal(p) ?? throw StripeApiException.ParameterMissing("unit_amount");
        var recurring = p.Child("recurring")?.AllowOnly("interval", "interval_count", "usage_type", "meter", "trial_period_days")
            .NotModelled("meter", "trial_period_days").NotModelledUnless("usage_type", "licensed");
        string? interval = null;
        var intervalCount = 1;
        if (recurring is not null)
        {
            interval = recurring.OneOf("interval", Intervals) ?? throw StripeApiException.ParameterMissing("recurring[interval]");
            intervalCount = (int)(recurring.Long("interval_count") ?? 1);
            if (intervalCount < 1)
            {
                throw StripeApiException.ParameterInvalid("recurring[interval_count]", "interval_count must be at least 1.", "parameter_invalid_integer");
            }
        }

        var productId = p.NonEmptyString("product");
        var productData = p.Child("product_data")?.AllowOnly("name", "metadata", "active", "statement_descriptor", "tax_code", "unit_label", "id")
            .NotModelled("statement_descriptor", "tax_code", "unit_label");
        if (productId is null && productData is null)
        {
            throw StripeApiException.ParameterMissing("product");
        }

        var json = store.Write(context.RequestInfo(), m =>
        {
            if (productId is not null)
            {
                Lookup.Product(m.State, productId, "product");
            }
            else
            {
                var created = Catalog.CreateProduct(m, productData!.NonEmptyString("id"), productData.RequireString("name"), description: null);
                created.Active = productData.Bool("active") ?? true;
                productData.Metadata()?.ApplyTo(created.Metadata);
                m.Emit("product.created", ProductShape.ToJson(created));
                productId = created.Id;
            }

            var price = Catalog.CreatePrice(m, null, productId, currency, unitAmount, interval, intervalCount, p.NonEmptyString("lookup_key"), p.NonEmptyString("nickname"), p.Bool("transfer_lookup_key") ?? false);
            price.Active = p.Bool("active") ?? true;
            p.Metadata()?.ApplyTo(price.Metadata);
            var product = m.State.Products[productId];
            product.DefaultPrice ??= price.Id;
            m.Emit("price.created", PriceShape.ToJson(price));
            return Expansion.Apply(PriceShape.ToJson(price), p, m.State);
        });
        return StripeResults.Json(json);
    }

    private static IResult RetrieveProduct(string id, HttpContext context, EmulatorStore store) =>
        StripeResults.Json(store.Read(state => Expansion.Apply(ProductShape.ToJson(Lookup.Product(state, id)), context.Params().AllowOnly(), state)));

    private static IResult CreateProduct(HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly("id", "name", "description", "metadata", "active", "statement_descriptor", "tax_code", "unit_label", "url", "images", "marketing_features", "shippable")
            .NotModelled("statement_descriptor", "tax_code", "unit_label", "url", "images", "marketing_features", "shippable");
        var name = p.RequireString("name");
        var json = store.Write(context.RequestInfo(), m =>
        {
            var product = Catalog.CreateProduct(m, p.NonEmptyString("id"), name, p.NonEmptyString("description"));
            product.Active = p.Bool("active") ?? true;
            p.Metadata()?.ApplyTo(product.Metadata);
            m.Emit("product.created", ProductShape.ToJson(product));
            return Expansion.Apply(ProductShape.ToJson(product), p, m.State);
        });
        return StripeResults.Json(json);
    }

    internal static string? Currency(StripeParams p, string name)
    {
        var currency = p.NonEmptyString(name)?.ToLowerInvariant();
        if (currency is not null && (currency.Length != 3 || !currency.All(char.IsAsciiLetterLower)))
        {
            throw StripeApiException.ParameterInvalid(p.ParamName(name), $"Invalid currency: {currency}. Stripe currently supports these currencies: usd, eur, gbp, ...");
        }

        return currency;
    }

    private static long? UnitAmountDecimal(StripeParams p)
    {
        var text = p.NonEmptyString("unit_amount_decimal");
        if (text is null)
        {
            return null;
        }

        if (!long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var amount))
        {
            throw StripeApiException.ParameterInvalid("unit_amount_decimal", "The emulator supports whole minor units only in unit_amount_decimal.");
        }

        return amount;
    }
}
