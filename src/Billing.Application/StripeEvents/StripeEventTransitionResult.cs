namespace Billing.Application.StripeEvents;

/// <summary>The outcome of a status change and the record as stored afterwards (null when not found).</summary>
public sealed record StripeEventTransitionResult(StripeEventTransitionOutcome Outcome, StripeEventRecord? Record);

public enum StripeEventTransitionOutcome
{
    /// <summary>The status was changed.</summary>
    Changed = 0,

    /// <summary>The event is already Applied or Ignored; nothing was changed.</summary>
    AlreadyFinal = 1,

    /// <summary>No such event is stored.</summary>
    NotFound = 2,
}
