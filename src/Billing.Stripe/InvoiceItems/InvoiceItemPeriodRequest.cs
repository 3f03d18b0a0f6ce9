namespace Billing.Stripe.InvoiceItems;

/// <summary><c>period[start]</c>, <c>period[end]</c>.</summary>
public sealed record InvoiceItemPeriodRequest
{
    public required DateTimeOffset Start { get; init; }

    public required DateTimeOffset End { get; init; }
}
