namespace Billing.StripeEmulator.State.Objects;

/// <summary>A refund of (part of) a charge; card refunds succeed at once in test mode.</summary>
internal sealed class RefundRecord : StoredObject
{
    public required long Amount { get; init; }

    public required string Currency { get; init; }

    public required string ChargeId { get; init; }

    public required string PaymentIntentId { get; init; }

    public string? CustomerId { get; init; }

    public string? PaymentMethod { get; init; }

    /// <summary>duplicate, fraudulent, requested_by_customer or null.</summary>
    public string? Reason { get; init; }

    public string Status { get; init; } = "succeeded";
}
