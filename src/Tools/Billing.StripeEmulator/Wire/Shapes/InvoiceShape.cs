using System.Text.Json.Nodes;
using Billing.StripeEmulator.Billing;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.State.Objects;

namespace Billing.StripeEmulator.Wire.Shapes;

/// <summary>
/// An invoice at endive: totals in minor units, `lines` list, `parent.subscription_details.subscription` for
/// subscription invoices (there is no top-level `subscription`), `payments` only with `expand[]=payments`,
/// `status_details` only while uncollectible.
/// </summary>
internal static class InvoiceShape
{
    public static JsonObject ToJson(InvoiceRecord invoice, EmulatorState state) => new()
    {
        ["id"] = invoice.Id,
        ["object"] = "invoice",
        ["account_country"] = "US",
        ["account_name"] = "Stripe Emulator",
        ["account_tax_ids"] = null,
        ["amount_due"] = invoice.AmountDueWith(DraftBalance(invoice, state)),
        ["amount_overpaid"] = 0,
        ["amount_paid"] = invoice.AmountPaid,
        ["amount_paid_off_stripe"] = invoice.PaidOutOfBand ? invoice.AmountPaid : 0,
        ["amount_remaining"] = invoice.AmountRemainingWith(DraftBalance(invoice, state)),
        ["amount_shipping"] = 0,
        ["application"] = null,
        ["attempt_count"] = invoice.AttemptCount,
        ["attempted"] = invoice.Attempted,
        ["auto_advance"] = invoice.AutoAdvance,
        ["automatic_tax"] = new JsonObject { ["disabled_reason"] = null, ["enabled"] = false, ["liability"] = null, ["provider"] = null, ["status"] = null },
        ["automatically_finalizes_at"] = invoice.Status == "draft" && invoice.AutoAdvance ? invoice.Created + 3600 : null,
        ["billing_reason"] = invoice.BillingReason,
        ["collection_method"] = invoice.CollectionMethod,
        ["created"] = invoice.Created,
        ["currency"] = invoice.Currency,
        ["custom_fields"] = null,
        ["customer"] = invoice.CustomerId,
        ["customer_account"] = null,
        ["customer_address"] = null,
        ["customer_email"] = invoice.CustomerEmail,
        ["customer_name"] = invoice.CustomerName,
        ["customer_phone"] = null,
        ["customer_shipping"] = null,
        ["customer_tax_exempt"] = "none",
        ["customer_tax_ids"] = StripeJson.EmptyArray(),
        ["default_payment_method"] = invoice.DefaultPaymentMethod,
        ["default_source"] = invoice.DefaultSource,
        ["default_tax_rates"] = StripeJson.EmptyArray(),
        ["description"] = invoice.Description,
        ["discounts"] = StripeJson.EmptyArray(),
        ["due_date"] = invoice.DueDate,
        ["effective_at"] = invoice.FinalizedAt,
        ["ending_balance"] = invoice.EndingBalance,
        ["footer"] = null,
        ["from_invoice"] = null,
        ["hosted_invoice_url"] = invoice.FinalizedAt is null ? null : $"{state.PublicBaseUrl}/invoices/{invoice.Id}",
        ["invoice_pdf"] = null,
        ["issuer"] = new JsonObject { ["type"] = "self" },
        ["last_finalization_error"] = null,
        ["latest_revision"] = null,
        ["lines"] = Lines(invoice, state, invoice.Lines, hasMore: false),
        ["livemode"] = false,
        ["metadata"] = StripeJson.Metadata(invoice.Metadata),
        ["next_payment_attempt"] = NextPaymentAttempt(invoice),
        ["number"] = invoice.Number,
        ["on_behalf_of"] = null,
        ["parent"] = Parent(invoice, state),
        ["payment_settings"] = new JsonObject { ["default_mandate"] = null, ["payment_method_options"] = null, ["payment_method_types"] = null },
        ["period_end"] = invoice.PeriodEnd,
        ["period_start"] = invoice.PeriodStart,
        ["post_payment_credit_notes_amount"] = 0,
        ["pre_payment_credit_notes_amount"] = 0,
        ["receipt_number"] = null,
        ["rendering"] = null,
        ["shipping_cost"] = null,
        ["shipping_details"] = null,
        ["starting_balance"] = invoice.StartingBalance ?? DraftBalance(invoice, state),
        ["statement_descriptor"] = null,
        ["status"] = invoice.Status,
        ["status_details"] = invoice.Status == "uncollectible"
            ? new JsonObject { ["uncollectible"] = new JsonObject { ["reason"] = invoice.UncollectibleReason } }
            : null,
        ["status_transitions"] = new JsonObject
        {
            ["finalized_at"] = invoice.FinalizedAt,
            ["marked_uncollectible_at"] = invoice.MarkedUncollectibleAt,
            ["paid_at"] = invoice.PaidAt,
            ["voided_at"] = invoice.VoidedAt,
        },
        ["subtotal"] = invoice.Subtotal,
        ["subtotal_excluding_tax"] = invoice.Subtotal,
        ["test_clock"] = null,
        ["threshold_reason"] = null,
        ["total"] = invoice.Total,
        ["total_discount_amounts"] = StripeJson.EmptyArray(),
        ["total_excluding_tax"] = invoice.Total,
        ["total_pretax_credit_amounts"] = StripeJson.EmptyArray(),
        ["total_taxes"] = StripeJson.EmptyArray(),
        ["webhooks_delivered_at"] = invoice.FinalizedAt,
    };

    /// <summary>A draft's `starting_balance`: the customer's current balance in the invoice's currency (fixed at finalization).</summary>
    private static long DraftBalance(InvoiceRecord invoice, EmulatorState state) =>
        state.Customers.TryGetValue(invoice.CustomerId, out var customer) ? CustomerBalances.Of(customer, invoice.Currency) : 0;

    /// <summary>`expand[]=payments` (or `data.payments` on a list): the includable `payments` list.</summary>
    public static bool ExpandsPayments(StripeParams p) =>
        p.Strings("expand").Any(path => path is "payments" or "data.payments");

    public static JsonObject WithPayments(JsonObject json, InvoiceRecord invoice, EmulatorState state)
    {
        json["payments"] = Payments(invoice, state);
        return json;
    }

    public static JsonObject Payments(InvoiceRecord invoice, EmulatorState state)
    {
        var payments = new List<JsonNode>();
        if (InvoicePayment(invoice, state) is { } payment)
        {
            payments.Add(payment);
        }

        return StripeJson.List($"/v1/invoice_payments?invoice={invoice.Id}", payments, hasMore: false);
    }

    /// <summary>The invoice's one payment (`invoice_payment`), once a charge was attempted.</summary>
    public static JsonObject? InvoicePayment(InvoiceRecord invoice, EmulatorState state)
    {
        if (invoice.PaymentIntentId is null || invoice.InvoicePaymentId is null)
        {
            return null;
        }

        var intent = state.PaymentIntents[invoice.PaymentIntentId];
        var paid = intent.Status == "succeeded";
        return new JsonObject
        {
            ["id"] = invoice.InvoicePaymentId,
            ["object"] = "invoice_payment",
            ["amount_paid"] = paid ? intent.Amount : null,
            ["amount_requested"] = intent.Amount,
            ["created"] = intent.Created,
            ["currency"] = intent.Currency,
            ["invoice"] = invoice.Id,
            ["is_default"] = true,
            ["livemode"] = false,
            ["payment"] = new JsonObject { ["payment_intent"] = intent.Id, ["type"] = "payment_intent" },
            ["status"] = paid ? "paid" : invoice.Status == "void" ? "canceled" : "open",
            ["status_transitions"] = new JsonObject { ["canceled_at"] = invoice.VoidedAt, ["paid_at"] = paid ? invoice.PaidAt : null },
        };
    }

    public static JsonObject Lines(InvoiceRecord invoice, EmulatorState state, IEnumerable<InvoiceLineRecord> lines, bool hasMore) =>
        StripeJson.List($"/v1/invoices/{invoice.Id}/lines", lines.Select(line => LineToJson(line, invoice, state)), hasMore);

    public static JsonObject LineToJson(InvoiceLineRecord line, InvoiceRecord invoice, EmulatorState state) => new()
    {
        ["id"] = line.Id,
        ["object"] = "line_item",
        ["amount"] = line.Amount,
        ["currency"] = line.Currency,
        ["description"] = line.Description,
        ["discount_amounts"] = StripeJson.EmptyArray(),
        ["discountable"] = true,
        ["discounts"] = StripeJson.EmptyArray(),
        ["invoice"] = invoice.Id,
        ["livemode"] = false,
        ["metadata"] = StripeJson.Metadata(line.Metadata),
        ["parent"] = line.InvoiceItemId is not null
            ? new JsonObject
            {
                ["invoice_item_details"] = new JsonObject
                {
                    ["invoice_item"] = line.InvoiceItemId,
                    ["proration"] = line.Proration,
                    ["proration_details"] = new JsonObject { ["credited_items"] = null },
                    ["subscription"] = line.SubscriptionId,
                },
                ["subscription_item_details"] = null,
                ["type"] = "invoice_item_details",
            }
            : new JsonObject
            {
                ["invoice_item_details"] = null,
                ["subscription_item_details"] = new JsonObject
                {
                    ["invoice_item"] = null,
                    ["proration"] = line.Proration,
                    ["proration_details"] = new JsonObject { ["credited_items"] = null },
                    ["subscription"] = line.SubscriptionId,
                    ["subscription_item"] = line.SubscriptionItemId,
                },
                ["type"] = "subscription_item_details",
            },
        ["period"] = new JsonObject { ["end"] = line.PeriodEnd, ["start"] = line.PeriodStart },
        ["pretax_credit_amounts"] = StripeJson.EmptyArray(),
        ["pricing"] = InvoiceItemShape.Pricing(line.PriceId, line.UnitAmountDecimal, state),
        ["quantity"] = line.Quantity,
        ["quantity_decimal"] = line.Quantity.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["subscription"] = line.SubscriptionId,
        ["subtotal"] = line.Amount,
        ["taxes"] = StripeJson.EmptyArray(),
    };

    private static long? NextPaymentAttempt(InvoiceRecord invoice) =>
        invoice.Status == "open" && invoice.AutoAdvance && invoice.CollectionMethod == "charge_automatically" && invoice.AttemptCount == 0 && invoice.FinalizedAt is { } finalized
            ? finalized + 3600
            : null;

    private static JsonObject? Parent(InvoiceRecord invoice, EmulatorState state)
    {
        if (invoice.SubscriptionId is null)
        {
            return null;
        }

        var metadata = state.Subscriptions.TryGetValue(invoice.SubscriptionId, out var subscription)
            ? StripeJson.Metadata(subscription.Metadata)
            : new JsonObject();
        return new JsonObject
        {
            ["quote_details"] = null,
            ["subscription_details"] = new JsonObject { ["metadata"] = metadata, ["subscription"] = invoice.SubscriptionId },
            ["type"] = "subscription_details",
        };
    }
}
