namespace Billing.StripeEmulator.State.Objects;

/// <summary>What every stored Stripe object has: an id, a creation time and a sequence number for newest-first lists.</summary>
internal abstract class StoredObject
{
    public required string Id { get; init; }

    public required long Created { get; init; }

    /// <summary>Global creation order (ties of <see cref="Created"/> are common).</summary>
    public long Sequence { get; set; }

    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);
}
