using Billing.Application.Accounts;
using Billing.Application.Outcomes;
using Billing.Application.Subscriptions;
using Billing.Application.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Entitlements;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Subscriptions;

namespace Billing.Application.Entitlements;

/// <summary>Why the account has the limits it has now.</summary>
public enum EntitlementReason
{
    /// <summary>No subscription or trial: the free plan.</summary>
    Free = 0,

    /// <summary>A paid subscription or a trial ended (canceled, expired, grace over): back on the free plan.</summary>
    FreeFallback = 1,

    /// <summary>The app-side trial is running.</summary>
    LocalTrial = 2,

    /// <summary>A Stripe subscription in its trial.</summary>
    SubscriptionTrial = 3,

    /// <summary>A paid subscription in good standing.</summary>
    Subscription = 4,

    /// <summary>Payment failed: the plan last paid for is kept until the grace period ends.</summary>
    GracePeriod = 5,
}

/// <summary>
/// One meter's limit now: consumption meters per period, allocation meters with the units held. An overage meter's quota
/// is the period's included units as the usage view shows them and its invoice counts them (<see cref="MeterUsage.QuotaOf"/>):
/// the plan's and the add-ons' in force, plus what add-ons that stopped applying in the period covered.
/// </summary>
public sealed record MeterEntitlement(MeterPolicy Policy, MeterKind Kind, long? Held);

/// <summary>Every meter's limit and every feature flag the account has now, and why (<c>GET /api/billing/entitlements</c>).</summary>
public sealed record EntitlementsView(
    AccountId AccountId,
    DateTimeOffset AsOf,
    Entitlement Entitlement,
    EntitlementReason Reason,
    IReadOnlyList<MeterEntitlement> Meters,
    IReadOnlyDictionary<FeatureName, bool> Features);

/// <summary>
/// Builds <see cref="EntitlementsView"/>: a point read of the account and of its allocation counters, and of the current
/// period's counters when an add-on on an overage meter stopped applying in it (what it covered stays included); read only. For
/// the caller's own account (<c>GET /api/billing/entitlements</c>: one never seen yet is a new free account) or, for
/// the product's backend, a registered account it names (<c>GET /api/accounts/{accountId}/entitlements</c>).
/// </summary>
public sealed class EntitlementsOverview(PlanCatalog catalog, IBillingAccountStore accounts, AccountEntitlements entitlements, IAllocationLedger allocations, IUsageLedger usage, TimeProvider time)
{
    public async Task<EntitlementsView> GetAsync(AccountId accountId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var account = await accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false) ?? BillingAccount.Open(accountId, now);
        return await ViewAsync(account, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A registered account's entitlements: 400 on a malformed id, 404 when no such account was registered.</summary>
    public async Task<Outcome<EntitlementsView>> GetRegisteredAsync(string? accountId, CancellationToken cancellationToken)
    {
        if (!AccountId.TryParse(accountId, out var id, out var error))
        {
            return Outcome.Invalid<EntitlementsView>("accountId", error!);
        }

        if (await accounts.GetAsync(id, cancellationToken).ConfigureAwait(false) is not { } account)
        {
            return UsageRefusals.UnknownAccount<EntitlementsView>(id);
        }

        return Outcome.Succeeded(await ViewAsync(account, time.GetUtcNow(), cancellationToken).ConfigureAwait(false));
    }

    private async Task<EntitlementsView> ViewAsync(BillingAccount account, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var accountId = account.Id;
        var entitlement = entitlements.Evaluate(account, now);
        var held = catalog.AllocationMeters.Count == 0
            ? new Dictionary<MeterName, long>()
            : await allocations.HeldAsync(accountId, catalog.AllocationMeters, cancellationToken).ConfigureAwait(false);
        // What an add-on that stopped applying covered stays included: the period's counters as a count now records them
        // tell it (the usage view's amount); without such an add-on the plan's and the add-ons' in force are the amount.
        UsageCounters? counters = null;
        if (entitlement.EndedAddOns.Any(a => entitlement.PolicyFor(a.Meter).Included is not null)
            && await usage.GetAsync(accountId, entitlement.PeriodKey, cancellationToken).ConfigureAwait(false) is { } read)
        {
            counters = entitlement.CountersNow(read);
        }

        MeterPolicy Consumption(MeterName meter)
        {
            var policy = entitlement.PolicyFor(meter);
            return counters is not null && policy.Quota is { } quota && MeterUsage.QuotaOf(policy, counters) is { } included && included > quota
                ? policy.Raised(included - quota)
                : policy;
        }

        var plan = entitlement.Plan;
        return new EntitlementsView(
            accountId,
            now,
            entitlement,
            ReasonFor(account, entitlement),
            [
                .. catalog.Meters.Select(m => new MeterEntitlement(Consumption(m), MeterKind.Consumption, null)),
                .. catalog.AllocationMeters.Select(m => new MeterEntitlement(entitlement.PolicyFor(m), MeterKind.Allocation, held.GetValueOrDefault(m))),
            ],
            catalog.Features.ToDictionary(f => f, plan.HasFeature));
    }

    public static EntitlementReason ReasonFor(BillingAccount account, Entitlement entitlement)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(entitlement);
        return entitlement.Source switch
        {
            EntitlementSource.LocalTrial => EntitlementReason.LocalTrial,
            EntitlementSource.GracePeriod => EntitlementReason.GracePeriod,
            EntitlementSource.Subscription when account.Subscription?.Status == SubscriptionStatus.Trialing => EntitlementReason.SubscriptionTrial,
            EntitlementSource.Subscription => EntitlementReason.Subscription,
            _ when HadPlan(account) => EntitlementReason.FreeFallback,
            _ => EntitlementReason.Free,
        };
    }

    /// <summary>
    /// The account paid for a subscription once or had a trial that is over; a Checkout that was never paid (incomplete)
    /// does not count, nor does it make a former paying customer's account "free" again.
    /// </summary>
    private static bool HadPlan(BillingAccount account) =>
        account.EverPaid
        || account.TrialUsedAt is not null
        || (account.Subscription is { } subscription && subscription.Status != SubscriptionStatus.Incomplete && subscription.Status != SubscriptionStatus.IncompleteExpired);
}
