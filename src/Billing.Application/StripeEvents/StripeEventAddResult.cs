namespace Billing.Application.StripeEvents;

public sealed record StripeEventAddResult(StripeEventAddOutcome Outcome, StripeEventRecord Record);
