namespace Billing.Application.Operations;

/// <summary>The first messages of the poison queue (a peek shows at most 32) and the queue's approximate size.</summary>
public sealed record PoisonListing(string Queue, int ApproximateCount, IReadOnlyList<PoisonMessageView> Messages);
