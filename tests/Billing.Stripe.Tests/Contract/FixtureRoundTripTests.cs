using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Billing.Stripe.BillingPortal;
using Billing.Stripe.Checkout;
using Billing.Stripe.Customers;
using Billing.Stripe.Events;
using Billing.Stripe.InvoiceItems;
using Billing.Stripe.Invoices;
using Billing.Stripe.Meters;
using Billing.Stripe.Prices;
using Billing.Stripe.Serialization;
using Billing.Stripe.Subscriptions;
using Billing.Stripe.Tests.Support;
using Billing.Stripe.Webhooks;

namespace Billing.Stripe.Tests.Contract;

/// <summary>Stripe's official example objects (fixtures3.json, API 2026-07-29.dahlia) parse into the typed models
/// without losing any field the models declare: each model is written back to JSON and every field it holds must
/// equal the fixture's value at the same place. The fields the product reads are listed per object and must be
/// among them.</summary>
public sealed class FixtureRoundTripTests
{
    public static TheoryData<string> ObjectTypes => new(Models.Keys);

    /// <summary>Fixture object type -> model, and the JSON paths of the fields the product reads.</summary>
    private static readonly Dictionary<string, (Type Model, string[] FieldsRead)> Models = new()
    {
        ["customer"] = (typeof(StripeCustomer), ["id", "object", "email", "name", "metadata", "created", "livemode", "test_clock", "currency", "balance"]),
        ["checkout.session"] = (typeof(StripeCheckoutSession),
            ["id", "object", "mode", "status", "payment_status", "url", "customer", "customer_email", "customer_details.email", "client_reference_id",
             "subscription", "invoice", "payment_intent", "metadata", "amount_total", "currency", "expires_at", "ui_mode", "success_url", "cancel_url"]),
        ["item"] = (typeof(StripeCheckoutLineItem), ["id", "object", "price.id", "price.lookup_key", "quantity", "amount_total", "currency"]),
        ["billing_portal.session"] = (typeof(StripeBillingPortalSession), ["id", "object", "url", "customer", "return_url", "configuration", "created"]),
        ["subscription"] = (typeof(StripeSubscription),
            ["id", "object", "customer", "status", "cancel_at_period_end", "cancel_at", "canceled_at", "ended_at", "trial_start", "trial_end", "metadata",
             "items.data[0].id", "items.data[0].price.id", "items.data[0].price.lookup_key", "items.data[0].price.recurring.usage_type",
             "items.data[0].quantity", "items.data[0].current_period_start", "items.data[0].current_period_end", "latest_invoice", "currency", "created"]),
        ["subscription_item"] = (typeof(StripeSubscriptionItem), ["id", "price.id", "quantity", "current_period_start", "current_period_end", "subscription"]),
        ["price"] = (typeof(StripePrice),
            ["id", "object", "active", "currency", "unit_amount", "unit_amount_decimal", "lookup_key", "product", "type", "recurring.interval", "recurring.usage_type", "recurring.meter", "metadata"]),
        ["invoiceitem"] = (typeof(StripeInvoiceItem),
            ["id", "object", "amount", "currency", "customer", "invoice", "description", "period.start", "period.end", "quantity", "pricing.type", "parent.subscription_details.subscription", "metadata"]),
        ["invoice"] = (typeof(StripeInvoice),
            ["id", "object", "customer", "status", "number", "currency", "amount_due", "amount_paid", "amount_remaining", "total", "subtotal", "billing_reason",
             "hosted_invoice_url", "invoice_pdf", "period_start", "period_end", "due_date", "status_transitions.paid_at", "parent.type", "metadata",
             "lines.data[0].id", "lines.data[0].amount", "lines.data[0].period.start", "lines.data[0].parent.type"]),
        ["line_item"] = (typeof(StripeInvoiceLineItem), ["id", "amount", "currency", "description", "period.start", "period.end", "quantity", "invoice", "parent.subscription_item_details.subscription_item"]),
        ["event"] = (typeof(StripeEvent), ["id", "object", "type", "created", "livemode", "api_version", "pending_webhooks", "request.id", "request.idempotency_key", "data.object"]),
        ["billing.meter_event"] = (typeof(StripeMeterEvent), ["object", "event_name", "identifier", "payload", "timestamp", "created"]),
    };

    /// <summary>Writes nulls too, so a field the model lost (null where the fixture has a value) shows up.</summary>
    private static readonly JsonSerializerOptions WriteEverything = new(StripeJsonContext.Default.Options) { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    [RequiresStripeSpecTheory]
    [MemberData(nameof(ObjectTypes))]
    public void The_fixture_parses_without_loss_of_the_fields_the_product_reads(string objectType)
    {
        var (modelType, fieldsRead) = Models[objectType];
        var fixture = StripeSharedFiles.Fixture(objectType);

        var model = JsonSerializer.Deserialize(fixture.ToJsonString(), modelType, StripeJsonContext.Default)!;
        var written = JsonSerializer.SerializeToNode(model, modelType, WriteEverything)!;

        var differences = new List<string>();
        CompareModelToFixture(written, fixture, objectType, differences);
        Assert.True(differences.Count == 0, string.Join(Environment.NewLine, differences));
        foreach (var field in fieldsRead)
        {
            Assert.True(TryNavigate(written, field, out _), $"{objectType}: the model does not hold '{field}'");
            Assert.True(TryNavigate(fixture, field, out _), $"{objectType}: the fixture has no '{field}' (is the field list current?)");
        }
    }

    [RequiresStripeSpecFact]
    public void The_subscription_period_comes_from_its_items()
    {
        var fixture = StripeSharedFiles.Fixture("subscription");
        var subscription = Parse<StripeSubscription>(fixture);
        var item = fixture["items"]!["data"]![0]!;

        Assert.Null(fixture["current_period_start"]); // the dahlia shape has no top-level period
        Assert.Equal(item["current_period_start"]!.GetValue<long>(), subscription.CurrentPeriod!.Start.ToUnixTimeSeconds());
        Assert.Equal(item["current_period_end"]!.GetValue<long>(), subscription.CurrentPeriod.End.ToUnixTimeSeconds());
        Assert.Equal(fixture["customer"]!.GetValue<string>(), subscription.Customer!.Id);
        Assert.Equal(fixture["status"]!.GetValue<string>(), subscription.Status);
    }

    [RequiresStripeSpecFact]
    public void The_checkout_session_exposes_expanded_line_items()
    {
        var session = Parse<StripeCheckoutSession>(RequestCases.CheckoutSessionWithLineItems());
        var item = StripeSharedFiles.Fixture("item");

        var line = Assert.Single(session.LineItems!.Data);
        Assert.Equal(item["id"]!.GetValue<string>(), line.Id);
        Assert.Equal(item["price"]!["id"]!.GetValue<string>(), line.Price!.Id);
        Assert.Equal(item["amount_total"]!.GetValue<long>(), line.AmountTotal);
    }

    [RequiresStripeSpecFact]
    public void Fixture_objects_wrapped_in_an_event_are_reached_through_the_typed_accessors()
    {
        foreach (var (objectType, read) in new (string, Func<StripeEventData, string>)[]
                 {
                     ("subscription", d => d.ToSubscription().Id),
                     ("invoice", d => d.ToInvoice().Id),
                     ("checkout.session", d => d.ToCheckoutSession().Id),
                     ("customer", d => d.ToCustomer().Id),
                 })
        {
            var envelope = StripeSharedFiles.Fixture("event");
            var fixture = StripeSharedFiles.Fixture(objectType);
            envelope["data"]!["object"] = fixture.DeepClone();

            var stripeEvent = StripeEventParser.Parse(JsonSerializer.SerializeToUtf8Bytes(envelope));

            Assert.Equal(objectType, stripeEvent.Data.ObjectType);
            Assert.Equal(fixture["id"]!.GetValue<string>(), read(stripeEvent.Data));
        }
    }

    [RequiresStripeSpecFact]
    public void The_invoice_item_fixture_has_the_dahlia_pricing_shape()
    {
        var fixture = StripeSharedFiles.Fixture("invoiceitem");
        var invoiceItem = Parse<StripeInvoiceItem>(fixture);

        Assert.Null(fixture["price"]);
        Assert.Equal(fixture["pricing"]!["type"]!.GetValue<string>(), invoiceItem.Pricing!.Type);
        Assert.Equal(fixture["amount"]!.GetValue<long>(), invoiceItem.Amount);
        Assert.Equal(fixture["parent"]!["subscription_details"]!["subscription"]!.GetValue<string>(), invoiceItem.Parent!.SubscriptionDetails!.Subscription);
    }

    [RequiresStripeSpecFact]
    public void The_comparison_detects_a_changed_or_lost_field()
    {
        var fixture = StripeSharedFiles.Fixture("subscription");
        var model = Parse<StripeSubscription>(fixture);
        var differences = new List<string>();

        CompareModelToFixture(JsonSerializer.SerializeToNode(model, WriteEverything), fixture, "subscription", differences);
        Assert.Empty(differences);

        var changed = model with { Status = "past_due", Customer = null };
        CompareModelToFixture(JsonSerializer.SerializeToNode(changed, WriteEverything), fixture, "subscription", differences);
        Assert.Equal(2, differences.Count);
        Assert.Contains(differences, d => d.StartsWith("subscription.status:", StringComparison.Ordinal));
        Assert.Contains(differences, d => d.StartsWith("subscription.customer:", StringComparison.Ordinal));
    }

    private static T Parse<T>(JsonNode json) => (T)JsonSerializer.Deserialize(json.ToJsonString(), typeof(T), StripeJsonContext.Default)!;

    /// <summary>Every value the model wrote must equal the fixture's value at the same path.</summary>
    private static void CompareModelToFixture(JsonNode? model, JsonNode? fixture, string path, List<string> differences)
    {
        switch (model)
        {
            case null:
                if (fixture is not null)
                {
                    differences.Add($"{path}: model has null, fixture has {fixture.ToJsonString()}");
                }

                return;
            case JsonObject modelObject:
                if (fixture is not JsonObject fixtureObject)
                {
                    differences.Add($"{path}: model has an object, fixture has {fixture?.ToJsonString() ?? "nothing"}");
                    return;
                }

                foreach (var (name, value) in modelObject)
                {
                    if (!fixtureObject.ContainsKey(name) && value is not null)
                    {
                        differences.Add($"{path}.{name}: model has {value.ToJsonString()}, the fixture has no such field");
                        continue;
                    }

                    CompareModelToFixture(value, fixtureObject[name], $"{path}.{name}", differences);
                }

                return;
            case JsonArray modelArray:
                if (fixture is not JsonArray fixtureArray || fixtureArray.Count != modelArray.Count)
                {
                    differences.Add($"{path}: model has {modelArray.Count} items, fixture has {fixture?.ToJsonString() ?? "nothing"}");
                    return;
                }

                for (var i = 0; i < modelArray.Count; i++)
                {
                    CompareModelToFixture(modelArray[i], fixtureArray[i], $"{path}[{i}]", differences);
                }

                return;
            default:
                if (!ScalarEquals(model.AsValue(), fixture))
                {
                    differences.Add($"{path}: model has {model.ToJsonString()}, fixture has {fixture?.ToJsonString() ?? "nothing"}");
                }

                return;
        }
    }

    private static bool ScalarEquals(JsonValue model, JsonNode? fixture)
    {
        if (fixture is not JsonValue fixtureValue || model.GetValueKind() != fixtureValue.GetValueKind())
        {
            return false;
        }

        return model.GetValueKind() == JsonValueKind.Number
            ? decimal.Parse(model.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture) == decimal.Parse(fixtureValue.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture)
            : JsonNode.DeepEquals(model, fixtureValue);
    }

    /// <summary>Follows "a.b[0].c"; true when the last property exists (its value may be null).</summary>
    private static bool TryNavigate(JsonNode node, string path, out JsonNode? value)
    {
        value = node;
        foreach (var part in path.Split('.'))
        {
            var name = part;
            int? index = null;
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            if (bracket >= 0)
            {
                name = part[..bracket];
                index = int.Parse(part[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
            }

            if (value is not JsonObject obj || !obj.ContainsKey(name))
            {
                return false;
            }

            value = obj[name];
            if (index is { } i)
            {
                if (value is not JsonArray array || array.Count <= i)
                {
                    return false;
                }

                value = array[i];
            }
        }

        return true;
    }
}
