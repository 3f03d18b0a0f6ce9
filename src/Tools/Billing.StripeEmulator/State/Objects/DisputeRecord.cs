namespace Billing.StripeEmulator.State.Objects;

/// <summary>A dispute (chargeback) of a succeeded charge, opened and closed by the test controls.</summary>
internal sealed class DisputeRecord : StoredObject, IChargeObject
{
    public required long Amount { get; init; }

    public required string Currency { get; init; }

    public required string ChargeId { get; init; }

    public required string PaymentIntentId { get; init; }

    public required string Reason { get; init; }

    /// <summary>needs_response, then won or lost.</summary>
    public required string Status { get; set; }

    public required long EvidenceDueBy { get; init; }
}
