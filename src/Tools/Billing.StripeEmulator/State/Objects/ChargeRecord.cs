namespace Billing.StripeEmulator.State.Objects;

/// <summary>A successful card charge of a PaymentIntent; refunds lower what is left of it.</summary>
internal sealed class ChargeRecord : StoredObject
{
    public required long Amount { get; init; }

    public required string Currency { get; init; }

    public string? CustomerId { get; init; }

    public required string PaymentIntentId { get; init; }

    public string? PaymentMethod { get; init; }

    public string? Description { get; init; }

    public string? BillingEmail { get; init; }

    public string? BillingName { get; init; }

    public long AmountRefunded { get; set; }

    public bool Refunded => AmountRefunded >= Amount;

    public List<string> RefundIds { get; } = [];

    /// <summary>The dispute raised against the charge, if any.</summary>
    public string? DisputeId { get; set; }
}
