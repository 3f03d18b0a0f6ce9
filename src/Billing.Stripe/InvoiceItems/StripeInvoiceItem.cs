using System.Text.Json.Serialization;
using Billing.Stripe.Common;
using Billing.Stripe.Customers;
using Billing.Stripe.Invoices;

namespace Billing.Stripe.InvoiceItems;

/// <summary>An invoice item (<c>object: "invoiceitem"</c>): a charge or credit waiting for, or on, an invoice.</summary>
public sealed record StripeInvoiceItem : IStripeEntity
{
    public required string Id { get; init; }

    [JsonPropertyName("object")]
    public string? ObjectType { get; init; }

    /// <summary>Total in minor units of <see cref="Currency"/> (negative for a credit).</summary>
    public long Amount { get; init; }

    public string? Currency { get; init; }

    public StripeExpandable<StripeCustomer>? Customer { get; init; }

    public StripeExpandable<StripeInvoice>? Invoice { get; init; }

    public string? Description { get; init; }

    public StripePeriod? Period { get; init; }

    public long? Quantity { get; init; }

    public string? QuantityDecimal { get; init; }

    public bool? Proration { get; init; }

    public bool? Discountable { get; init; }

    public StripePricing? Pricing { get; init; }

    public StripeInvoiceItemParent? Parent { get; init; }

    public DateTimeOffset? Date { get; init; }

    public bool Livemode { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
