namespace Billing.Stripe.Invoices;

/// <summary><c>POST /v1/invoices</c>: a draft invoice for a customer.</summary>
public sealed record InvoiceCreateRequest
{
    public required string Customer { get; init; }

    /// <summary>Let Stripe finalize and collect automatically (Stripe's default: false).</summary>
    public bool? AutoAdvance { get; init; }

    /// <summary>See <see cref="CollectionMethods"/>.</summary>
    public string? CollectionMethod { get; init; }

    /// <summary>send_invoice only.</summary>
    public int? DaysUntilDue { get; init; }

    public string? Currency { get; init; }

    public string? Description { get; init; }

    /// <summary>See <see cref="PendingInvoiceItemsBehaviors"/>: pull the customer's pending invoice items in or not.</summary>
    public string? PendingInvoiceItemsBehavior { get; init; }

    public string? Subscription { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    public IReadOnlyList<string>? Expand { get; init; }
}
