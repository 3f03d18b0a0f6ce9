using System.Text.Json.Nodes;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Shapes;

namespace Billing.StripeEmulator.Api;

/// <summary>
/// `expand[]=customer`, `expand[]=data.subscription`, `expand[]=items.data.price.product`: ids along the path are
/// replaced by their objects. Paths nobody can expand -> 400, as on Stripe.
/// </summary>
internal static class Expansion
{
    public static JsonNode Apply(JsonNode node, StripeParams p, EmulatorState state)
    {
        foreach (var path in p.Strings("expand"))
        {
            if (path.Split('.').Length > 4)
            {
                throw StripeApiException.ParameterInvalid("expand", $"You cannot expand more than 4 levels of a property. Property: {path}");
            }

            if (!Expand(node, path.Split('.'), 0, state))
            {
                throw StripeApiException.ParameterInvalid("expand", $"This property cannot be expanded ({path}).");
            }
        }

        return node;
    }

    /// <summary>
    /// For answers with nothing to expand (a deletion, a meter event): any `expand[]` path is refused as Stripe refuses
    /// it, before anything changes.
    /// </summary>
    public static StripeParams NothingToExpand(StripeParams p)
    {
        if (p.Strings("expand") is [var path, ..])
        {
            throw StripeApiException.ParameterInvalid("expand", $"This property cannot be expanded ({path}).");
        }

        return p;
    }

    private static bool Expand(JsonNode? node, string[] path, int index, EmulatorState state)
    {
        if (node is JsonArray array)
        {
            var any = array.Count == 0;
            foreach (var element in array)
            {
                any |= Expand(element, path, index, state);
            }

            return any;
        }

        if (node is not JsonObject obj || !obj.TryGetPropertyValue(path[index], out var child))
        {
            return false;
        }

        if (index == path.Length - 1)
        {
            if (child is null)
            {
                return true;
            }

            if (child is JsonValue value && value.TryGetValue<string>(out var id))
            {
                var expanded = Resolve(id, state);
                if (expanded is null)
                {
                    return false;
                }

                obj[path[index]] = expanded;
                return true;
            }

            return true;
        }

        if (child is JsonValue idValue && idValue.TryGetValue<string>(out var innerId) && Resolve(innerId, state) is { } resolved)
        {
            obj[path[index]] = resolved;
            child = resolved;
        }

        return Expand(child, path, index + 1, state);
    }

    private static JsonObject? Resolve(string id, EmulatorState state)
    {
        if (state.Customers.TryGetValue(id, out var customer))
        {
            return CustomerShape.ToJson(customer);
        }

        if (state.Subscriptions.TryGetValue(id, out var subscription))
        {
            return SubscriptionShape.ToJson(subscription, state);
        }

        if (state.Invoices.TryGetValue(id, out var invoice))
        {
            return InvoiceShape.ToJson(invoice, state);
        }

        if (state.Prices.TryGetValue(id, out var price))
        {
            return PriceShape.ToJson(price);
        }

        if (state.Products.TryGetValue(id, out var product))
        {
            return ProductShape.ToJson(product);
        }

        if (state.InvoiceItems.TryGetValue(id, out var item))
        {
            return InvoiceItemShape.ToJson(item, state);
        }

        if (state.PaymentIntents.TryGetValue(id, out var intent))
        {
            return PaymentIntentShape.ToJson(intent);
        }

        if (state.Charges.TryGetValue(id, out var charge))
        {
            return ChargeShape.ToJson(charge, state);
        }

        if (state.Refunds.TryGetValue(id, out var refund))
        {
            return RefundShape.ToJson(refund);
        }

        return state.CheckoutSessions.TryGetValue(id, out var session) ? CheckoutSessionShape.ToJson(session, state) : null;
    }
}
