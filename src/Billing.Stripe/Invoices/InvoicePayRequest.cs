namespace Billing.Stripe.Invoices;

/// <summary><c>POST /v1/invoices/{id}/pay</c>: attempt payment now.</summary>
public sealed record InvoicePayRequest
{
    /// <summary>A payment method id to charge instead of the customer's default.</summary>
    public string? PaymentMethod { get; init; }

    /// <summary>True when the customer is not present (default true in Stripe).</summary>
    public bool? OffSession { get; init; }

    /// <summary>Mark paid without charging (money collected elsewhere).</summary>
    public bool? PaidOutOfBand { get; init; }

    public IReadOnlyList<string>? Expand { get; init; }
}
