namespace Billing.Application.Subscriptions;

/// <summary>How Stripe subscription reads are ordered (section <c>Billing:SubscriptionSync</c>).</summary>
public sealed class SubscriptionSyncOptions
{
    public const string SectionName = "Billing:SubscriptionSync";

    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How far apart the clocks of two instances may be. A read is dated on its instance's clock, so two reads of
    /// different content dated closer than this cannot be ordered by their dates: the subscription is read again.
    /// </summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(5);
}
