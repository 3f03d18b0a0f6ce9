namespace Billing.Domain.Accounts;

/// <summary>A payment refunded or lost in a dispute (<see cref="At"/>) before anything it bought had been applied to the account.</summary>
public sealed record EarlyReversal(string PaymentIntentId, DateTimeOffset At);
