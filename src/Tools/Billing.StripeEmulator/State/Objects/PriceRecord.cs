namespace Billing.StripeEmulator.State.Objects;

internal sealed class PriceRecord : StoredObject
{
    public required string ProductId { get; init; }

    public required string Currency { get; init; }

    public required long UnitAmount { get; init; }

    public string? LookupKey { get; set; }

    public string? Nickname { get; set; }

    public bool Active { get; set; } = true;

    /// <summary>month, year, week or day; null for a one-time price.</summary>
    public string? Interval { get; init; }

    public int IntervalCount { get; init; } = 1;

    public bool IsRecurring => Interval is not null;
}
