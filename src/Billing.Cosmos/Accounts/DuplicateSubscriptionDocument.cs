using Billing.Cosmos.Documents;

namespace Billing.Cosmos.Accounts;

/// <summary>A canceled and refunded duplicate subscription; the refund in minor units of <see cref="RefundedCurrency"/>.</summary>
internal sealed record DuplicateSubscriptionDocument : DocumentPart
{
    public required string SubscriptionId { get; init; }

    public required string KeptSubscriptionId { get; init; }

    public long? RefundedMinorUnits { get; init; }

    public string? RefundedCurrency { get; init; }

    public required DateTimeOffset ResolvedAt { get; init; }
}
