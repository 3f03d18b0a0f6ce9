namespace Billing.Application.StripeEvents;

public sealed record StripeEventAddResult(StripeEventAddOutcome Outcome, StripeEventRecord Record);

public enum StripeEventAddOutcome
{
    /// <summary>First delivery: stored with status Received.</summary>
    Added = 0,

    /// <summary>Stripe delivered this event before; the stored record is returned unchanged.</summary>
    Duplicate = 1,
}
