using System.Text.Json.Serialization;
using Billing.Stripe.Common;
using Billing.Stripe.Customers;
using Billing.Stripe.InvoiceItems;

namespace Billing.Stripe.Invoices;

/// <summary>An invoice (<c>object: "invoice"</c>). Amounts in minor units of <see cref="Currency"/>.</summary>
public sealed record StripeInvoice : IStripeEntity
{
    /// <summary>Set on every invoice except the upcoming-invoice preview; empty there.</summary>
    public required string Id { get; init; }

    [JsonPropertyName("object")]
    public string? ObjectType { get; init; }

    public StripeExpandable<StripeCustomer>? Customer { get; init; }

    public string? CustomerEmail { get; init; }

    /// <summary>See <see cref="InvoiceStatuses"/>.</summary>
    public string? Status { get; init; }

    public string? Number { get; init; }

    public string? Currency { get; init; }

    public long AmountDue { get; init; }

    public long AmountPaid { get; init; }

    public long AmountRemaining { get; init; }

    public long Subtotal { get; init; }

    public long Total { get; init; }

    /// <summary>manual, subscription_create, subscription_cycle, subscription_update, ...</summary>
    public string? BillingReason { get; init; }

    public string? CollectionMethod { get; init; }

    public bool? AutoAdvance { get; init; }

    public int? AttemptCount { get; init; }

    public bool? Attempted { get; init; }

    public string? Description { get; init; }

    public string? HostedInvoiceUrl { get; init; }

    public string? InvoicePdf { get; init; }

    public DateTimeOffset? Created { get; init; }

    public DateTimeOffset? DueDate { get; init; }

    public DateTimeOffset? PeriodStart { get; init; }

    public DateTimeOffset? PeriodEnd { get; init; }

    public DateTimeOffset? NextPaymentAttempt { get; init; }

    public StripeInvoiceStatusTransitions? StatusTransitions { get; init; }

    /// <summary>Where the invoice comes from (dahlia shape): <c>parent.subscription_details.subscription</c>.</summary>
    public StripeInvoiceParent? Parent { get; init; }

    public StripeList<StripeInvoiceLineItem>? Lines { get; init; }

    public string? TestClock { get; init; }

    public bool Livemode { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>The subscription this invoice bills, from <c>parent.subscription_details</c>; null for one-off invoices.</summary>
    [JsonIgnore]
    public string? SubscriptionId => Parent?.SubscriptionDetails?.Subscription;
}
