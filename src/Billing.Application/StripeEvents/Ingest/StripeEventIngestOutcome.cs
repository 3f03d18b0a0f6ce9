namespace Billing.Application.StripeEvents.Ingest;

/// <summary>What the ingest did with a verified event. Every outcome means the event is safely kept.</summary>
public enum StripeEventIngestOutcome
{
    /// <summary>First delivery: stored and queued.</summary>
    Queued = 0,

    /// <summary>A repeated delivery of an event not yet done (maybe its first queue send failed): queued again.</summary>
    DuplicateRequeued = 1,

    /// <summary>A repeated delivery of an event already applied or ignored: nothing to do.</summary>
    DuplicateAlreadyProcessed = 2,
}
