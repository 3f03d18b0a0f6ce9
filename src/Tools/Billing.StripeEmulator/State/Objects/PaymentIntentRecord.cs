namespace Billing.StripeEmulator.State.Objects;

/// <summary>A PaymentIntent: made when an invoice is charged or a payment-mode Checkout Session is paid.</summary>
internal sealed class PaymentIntentRecord : StoredObject
{
    public required long Amount { get; init; }

    public required string Currency { get; init; }

    public string? CustomerId { get; set; }

    public string? Description { get; init; }

    /// <summary>requires_payment_method, requires_action, processing, succeeded, canceled.</summary>
    public string Status { get; set; } = "requires_payment_method";

    public string? PaymentMethod { get; set; }

    public string? LatestChargeId { get; set; }

    /// <summary>The invoice this intent pays, if any.</summary>
    public string? InvoiceId { get; init; }

    public long AmountReceived { get; set; }
}
