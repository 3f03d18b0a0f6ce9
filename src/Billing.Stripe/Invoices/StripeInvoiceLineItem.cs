using System.Text.Json.Serialization;
using Billing.Stripe.Common;
using Billing.Stripe.InvoiceItems;

namespace Billing.Stripe.Invoices;

/// <summary>A line of an invoice (<c>object: "line_item"</c>).</summary>
public sealed record StripeInvoiceLineItem : IStripeEntity
{
    public required string Id { get; init; }

    [JsonPropertyName("object")]
    public string? ObjectType { get; init; }

    public long Amount { get; init; }

    public string? Currency { get; init; }

    public string? Description { get; init; }

    public StripePeriod? Period { get; init; }

    public long? Quantity { get; init; }

    public string? Invoice { get; init; }

    public StripePricing? Pricing { get; init; }

    public StripeInvoiceLineParent? Parent { get; init; }

    public bool Livemode { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
