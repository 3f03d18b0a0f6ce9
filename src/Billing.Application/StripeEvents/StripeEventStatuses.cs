namespace Billing.Application.StripeEvents;

public static class StripeEventStatuses
{
    /// <summary>Applied, Ignored or IgnoredLivemodeMismatch: nothing may change the event any more.</summary>
    public static bool IsFinal(this StripeEventStatus status) =>
        status is StripeEventStatus.Applied or StripeEventStatus.Ignored or StripeEventStatus.IgnoredLivemodeMismatch;
}
