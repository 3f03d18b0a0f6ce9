using Billing.Stripe.Common;

namespace Billing.Stripe.Invoices;

/// <summary><c>GET /v1/invoices</c>.</summary>
public sealed record InvoiceListRequest
{
    public string? Customer { get; init; }

    /// <summary>See <see cref="InvoiceStatuses"/>.</summary>
    public string? Status { get; init; }

    public string? Subscription { get; init; }

    public string? CollectionMethod { get; init; }

    public StripeDateRange? Created { get; init; }

    /// <summary>1..100, Stripe's default is 10.</summary>
    public int? Limit { get; init; }

    public string? StartingAfter { get; init; }

    public IReadOnlyList<string>? Expand { get; init; }
}
