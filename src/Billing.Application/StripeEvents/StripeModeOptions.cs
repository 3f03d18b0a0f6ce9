namespace Billing.Application.StripeEvents;

/// <summary>
/// Which Stripe mode the configured secret key is in: set from the key (<c>sk_live_</c>, <c>rk_live_</c>) by the
/// infrastructure's registration, never a setting of its own. Events of the other mode
/// (<c>livemode</c> differs) are recorded as <see cref="StripeEventStatus.IgnoredLivemodeMismatch"/> and never
/// processed: a test-mode event must never change a live account, nor the other way round.
/// </summary>
public sealed class StripeModeOptions
{
    /// <summary>True for a live key (<c>sk_live_</c>, <c>rk_live_</c>); false (the default) for test keys and the emulator.</summary>
    public bool LiveMode { get; set; }
}
