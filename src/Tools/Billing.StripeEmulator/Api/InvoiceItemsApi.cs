using System.Globalization;
using Billing.StripeEmulator.Billing;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.State.Objects;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Pipeline;
using Billing.StripeEmulator.Wire.Shapes;

namespace Billing.StripeEmulator.Api;

/// <summary>
/// `/v1/invoiceitems` at endive (unchanged since dahlia): `pricing[price]` (a one-time price, times `quantity`), `price_data`, or
/// `amount` + `currency` (the line total). Without `invoice` the item is pending until the customer's next invoice.
/// </summary>
internal static class InvoiceItemsApi
{
    public static IEndpointRouteBuilder MapInvoiceItemsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/invoiceitems", Create);
        routes.MapGet("/v1/invoiceitems", List);
        routes.MapGet("/v1/invoiceitems/{id}", Retrieve);
        return routes;
    }

    private static IResult Create(HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly(
            "customer", "amount", "currency", "pricing", "price_data", "quantity", "quantity_decimal", "period", "description",
            "metadata", "invoice", "subscription", "discountable", "discounts", "tax_rates", "tax_behavior", "tax_code")
            .NotModelled("discounts", "tax_rates", "tax_behavior", "tax_code");
        var customerId = p.RequireString("customer");
        var request = Parse(p);
        var json = store.Write(context.RequestInfo(), m =>
        {
            var customer = Lookup.Customer(m.State, customerId, "customer");
            var item = Build(m, customer, request, p);
            m.Emit("invoiceitem.created", InvoiceItemShape.ToJson(item, m.State));
            return Expansion.Apply(InvoiceItemShape.ToJson(item, m.State), p, m.State);
        });
        return StripeResults.Json(json);
    }

    private static IResult Retrieve(string id, HttpContext context, EmulatorStore store) =>
        StripeResults.Json(store.Read(state => Expansion.Apply(InvoiceItemShape.ToJson(Lookup.InvoiceItem(state, id), state), context.Params().AllowOnly(), state)));

    private static IResult List(HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly("customer", "invoice", "pending", "limit", "starting_after", "ending_before", "created");
        var customer = p.NonEmptyString("customer");
        var invoice = p.NonEmptyString("invoice");
        var pending = p.Bool("pending");
        var created = Paging.CreatedFilter(p);
        return StripeResults.Json(store.Read(state =>
        {
            var items = state.InvoiceItems.Values
                .Where(i => customer is null || i.CustomerId == customer)
                .Where(i => invoice is null || i.InvoiceId == invoice)
                .Where(i => pending is null || (i.InvoiceId is null) == pending)
                .Where(i => created(i.Created))
                .OrderByDescending(i => i.Sequence)
                .ToList();
            return Expansion.Apply(Paging.Page(items, i => i.Id, i => InvoiceItemShape.ToJson(i, state), p, "/v1/invoiceitems", "invoiceitem"), p, state);
        }));
    }

    private static ItemRequest Parse(StripeParams p)
    {
        var pricing = p.Child("pricing")?.AllowOnly("price");
        var priceData = p.Child("price_data")?.AllowOnly("currency", "product", "unit_amount", "unit_amount_decimal", "tax_behavior").NotModelled("tax_behavior");
        var amount = p.Long("amount");
        var sources = new[] { pricing is not null, priceData is not null, amount is not null }.Count(given => given);
        if (sources == 0)
        {
            throw StripeApiException.InvalidRequest("You must pass one of `amount`, `pricing[price]` or `price_data`.", "amount", "parameter_missing");
        }

        if (sources > 1)
        {
            throw StripeApiException.InvalidRequest("You may only specify one of these parameters: amount, pricing[price], price_data.", "amount");
        }

        if (p.Has("quantity_decimal") && p.Has("quantity"))
        {
            throw StripeApiException.InvalidRequest("You may only specify one of these parameters: quantity, quantity_decimal.", "quantity_decimal");
        }

        var quantity = p.NonNegativeLong("quantity") ?? QuantityDecimal(p) ?? 1;
        var period = p.Child("period")?.AllowOnly("start", "end");
        long? periodStart = null;
        long? periodEnd = null;
        if (period is not null)
        {
            periodStart = period.Long("start") ?? throw StripeApiException.ParameterMissing("period[start]");
            periodEnd = period.Long("end") ?? throw StripeApiException.ParameterMissing("period[end]");
            if (periodEnd < periodStart)
            {
                throw StripeApiException.ParameterInvalid("period[end]", "period[end] must be on or after period[start].", "parameter_invalid_integer");
            }
        }

        var currency = PricesApi.Currency(p, "currency");
        if (amount is not null && currency is null)
        {
            throw StripeApiException.ParameterMissing("currency");
        }

        return new ItemRequest(
            amount,
            currency,
            pricing is null ? null : pricing.RequireString("price"),
            priceData,
            quantity,
            periodStart,
            periodEnd,
            p.NonEmptyString("invoice"),
            p.NonEmptyString("subscription"),
            p.NonEmptyString("description", 5000),
            p.Bool("discountable"));
    }

    private static InvoiceItemRecord Build(Mutation m, CustomerRecord customer, ItemRequest request, StripeParams p)
    {
        long amount;
        string currency;
        string? priceId = null;
        string unitAmountDecimal;
        string? description = request.Description;
        if (request.PriceId is not null)
        {
            var price = Lookup.Price(m.State, request.PriceId, "pricing[price]");
            if (price.IsRecurring)
            {
                throw StripeApiException.InvalidRequest($"The price specified ({price.Id}) is set to `type=recurring` but this field only accepts prices with `type=one_time`.", "pricing[price]");
            }

            if (request.Currency is not null && request.Currency != price.Currency)
            {
                throw StripeApiException.InvalidRequest($"The currency ({request.Currency}) does not match the price's currency ({price.Currency}).", "currency");
            }

            priceId = price.Id;
            currency = price.Currency;
            amount = price.UnitAmount * request.Quantity;
            unitAmountDecimal = price.UnitAmount.ToString(CultureInfo.InvariantCulture);
            description ??= Lookup.ProductName(m.State, price);
        }
        else if (request.PriceData is { } data)
        {
            currency = PricesApi.Currency(data, "currency") ?? throw StripeApiException.ParameterMissing("price_data[currency]");
            var product = Lookup.Product(m.State, data.RequireString("product"), "price_data[product]");
            var unit = data.Long("unit_amount") ?? WholeDecimal(data) ?? throw StripeApiException.ParameterMissing("price_data[unit_amount]");
            amount = unit * request.Quantity;
            unitAmountDecimal = unit.ToString(CultureInfo.InvariantCulture);
            description ??= product.Name;
        }
        else
        {
            currency = request.Currency!;
            amount = request.Amount!.Value;
            unitAmountDecimal = request.Quantity == 0 ? "0" : ((decimal)amount / request.Quantity).ToString(CultureInfo.InvariantCulture);
        }

        InvoiceRecord? invoice = null;
        if (request.InvoiceId is not null)
        {
            invoice = Lookup.Invoice(m.State, request.InvoiceId, "invoice");
            if (invoice.CustomerId != customer.Id)
            {
                throw StripeApiException.InvalidRequest($"The invoice {invoice.Id} belongs to another customer.", "invoice");
            }

            if (invoice.Status != "draft")
            {
                throw StripeApiException.InvalidRequest($"You can only add invoice items to draft invoices; invoice {invoice.Id} is {invoice.Status}.", "invoice", "invoice_not_editable");
            }

            if (invoice.Currency != currency)
            {
                throw StripeApiException.InvalidRequest($"The invoice item's currency ({currency}) must match the invoice's currency ({invoice.Currency}).", "currency");
            }
        }

        if (request.SubscriptionId is not null)
        {
            var subscription = Lookup.Subscription(m.State, request.SubscriptionId, "subscription");
            if (subscription.CustomerId != customer.Id)
            {
                throw StripeApiException.InvalidRequest($"The subscription {subscription.Id} belongs to another customer.", "subscription");
            }
        }

        var item = new InvoiceItemRecord
        {
            Id = IdGenerator.New("ii"),
            Created = m.Now,
            CustomerId = customer.Id,
            Amount = amount,
            Currency = currency,
            Description = description,
            SubscriptionId = request.SubscriptionId,
            PriceId = priceId,
            Quantity = request.Quantity,
            UnitAmountDecimal = unitAmountDecimal,
            PeriodStart = request.PeriodStart ?? m.Now,
            PeriodEnd = request.PeriodEnd ?? m.Now,
            Discountable = request.Discountable ?? amount >= 0,
        };
        p.Metadata()?.ApplyTo(item.Metadata);
        m.State.Add(m.State.InvoiceItems, item);
        customer.Currency ??= currency;
        if (invoice is not null)
        {
            Invoicing.AttachItem(invoice, item);
        }

        return item;
    }

    private static long? QuantityDecimal(StripeParams p)
    {
        var text = p.NonEmptyString("quantity_decimal");
        if (text is null)
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var whole)
            ? whole
            : throw StripeApiException.ParameterInvalid("quantity_decimal", "The emulator supports whole quantities only.");
    }

    private static long? WholeDecimal(StripeParams data)
    {
        var text = data.NonEmptyString("unit_amount_decimal");
        if (text is null)
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole)
            ? whole
            : throw StripeApiException.ParameterInvalid("price_data[unit_amount_decimal]", "The emulator supports whole minor units only.");
    }

    private sealed record ItemRequest(
        long? Amount,
        string? Currency,
        string? PriceId,
        StripeParams? PriceData,
        long Quantity,
        long? PeriodStart,
        long? PeriodEnd,
        string? InvoiceId,
        string? SubscriptionId,
        string? Description,
        bool? Discountable);
}
