using Billing.Cosmos.Documents;

namespace Billing.Cosmos.Accounts;

/// <summary>A payment refunded or lost in a dispute before its purchase was applied (<c>BillingAccount.EarlyReversals</c>).</summary>
internal sealed record EarlyReversalDocument : DocumentPart
{
    public required string PaymentIntentId { get; init; }

    public required DateTimeOffset At { get; init; }
}
