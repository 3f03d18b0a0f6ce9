namespace Billing.Application;

/// <summary>
/// One delivery of a queue message as a use case sees it. <see cref="IsRetry"/>: an earlier attempt at the same work
/// began, so a write it made may lack its write-behind copy for the operators' views, which this attempt writes again
/// (the one extra write happens only then). <see cref="IsLast"/>: the host gives up after this delivery, so a copy that
/// cannot be written is logged at error level and the work acknowledged, instead of thrown into the poison queue.
/// </summary>
public sealed record QueueDelivery(bool IsRetry, bool IsLast)
{
    /// <summary>A first attempt that the host will deliver again if it fails.</summary>
    public static readonly QueueDelivery First = new(IsRetry: false, IsLast: false);
}
