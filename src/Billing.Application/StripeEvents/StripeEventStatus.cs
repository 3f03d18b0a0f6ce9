using System.Text.Json.Serialization;

namespace Billing.Application.StripeEvents;

/// <summary>Where a received Stripe event is in its processing.</summary>
public enum StripeEventStatus
{
    /// <summary>Stored by the webhook ingest, not yet picked up.</summary>
    Received = 0,

    /// <summary>A worker began processing it (it may have crashed; processing is idempotent, so it can begin again).</summary>
    Processing = 1,

    /// <summary>Done: its effect is in the account. Final.</summary>
    Applied = 2,

    /// <summary>Done: nothing to do (irrelevant type, stale, unknown customer). Final.</summary>
    Ignored = 3,

    /// <summary>The last attempt failed; a retry may begin processing again.</summary>
    Failed = 4,

    /// <summary>Done: the event's <c>livemode</c> differs from the configured key's mode; recorded, never processed. Final.</summary>
    [JsonStringEnumMemberName("ignored_livemode_mismatch")]
    IgnoredLivemodeMismatch = 5,
}
