using Billing.Domain.Subscriptions;

namespace Billing.Application.Subscriptions;

/// <summary>
/// How strongly a subscription read from Stripe claims an account, mirroring the domain's rule: may grant access &gt;
/// live without access (including one past its scheduled cancellation that Stripe has not ended yet) &gt; over.
/// </summary>
public static class SubscriptionSnapshotRanking
{
    public const int MayGrantAccess = 2;
    public const int LiveWithoutAccess = 1;
    public const int Over = 0;

    public static int Rank(this SubscriptionSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.Status.IsTerminal || snapshot.EndedAt is not null)
        {
            return Over;
        }

        return SubscriptionState.CanGrantAccess(snapshot.Status, snapshot.CancelsAt, snapshot.AsOf) ? MayGrantAccess : LiveWithoutAccess;
    }
}
