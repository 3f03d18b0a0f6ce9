namespace Billing.Application.StripeEvents;

/// <summary>The outcome of a status change and the record as stored afterwards (null when not found).</summary>
public sealed record StripeEventTransitionResult(StripeEventTransitionOutcome Outcome, StripeEventRecord? Record);
