namespace Billing.Stripe.Invoices;

/// <summary><c>POST /v1/invoices/{id}/finalize</c>.</summary>
public sealed record InvoiceFinalizeRequest
{
    public bool? AutoAdvance { get; init; }

    public IReadOnlyList<string>? Expand { get; init; }
}
