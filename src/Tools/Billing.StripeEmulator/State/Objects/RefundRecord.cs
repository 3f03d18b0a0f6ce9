namespace Billing.StripeEmulator.State.Objects;

/// <summary>A refund of (part of) a charge; card refunds succeed at once in test mode.</summary>
internal sealed class RefundRecord : StoredObject, IChargeObject
{
    public required long Amount { get; init; }

    public required string Currency { get; init; }

    public required string ChargeId { get; init; }

    public required string PaymentIntentId { get; init; }

    public string? CustomerId { get; init; }

    public string? PaymentMethod { get; init; }

    /// <summary>duplicate, fraudulent, requested_by_customer or null.</summary>
    public string? Reason { get; init; }

    /// <summary>succeeded (card refunds, at once in test mode), or failed (<c>POST /_emulator/refunds/{id}/fail</c>).</summary>
    public string Status { get; set; } = "succeeded";

    /// <summary>Why a failed refund failed (<c>expired_or_canceled_card</c>, <c>lost_or_stolen_card</c>, ...).</summary>
    public string? FailureReason { get; set; }
}
