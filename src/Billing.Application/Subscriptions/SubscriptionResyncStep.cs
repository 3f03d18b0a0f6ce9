namespace Billing.Application.Subscriptions;

/// <summary>One subscription a re-sync applied, and what that did.</summary>
public sealed record SubscriptionResyncStep(string SubscriptionId, SubscriptionSyncOutcome Outcome);
