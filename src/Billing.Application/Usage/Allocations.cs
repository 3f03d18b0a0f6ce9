using System.Globalization;
using Billing.Application.Accounts;
using Billing.Application.Entitlements;
using Billing.Application.Outcomes;
using Billing.Domain.Accounts;
using Billing.Domain.Entitlements;
using Billing.Domain.Metering;
using Billing.Domain.Plans;

namespace Billing.Application.Usage;

/// <summary>A take or release of one unit of an allocation meter (<c>/api/allocations/{meter}</c>).</summary>
public sealed record AllocationRequest(string? AccountId, string? Meter, string? AllocationId);

/// <summary>The meter's state after a take or release.</summary>
public sealed record AllocationState(string Meter, string AllocationId, bool Changed, long Held, long? Limit, long? Remaining);

/// <summary>
/// Takes and releases units of allocation meters (projects, deployed apps, seats), idempotent by allocation id. A
/// take is refused (402) once the account holds its plan's limit; after a downgrade the units above the new limit
/// are kept, but no new one is granted until the account is under it.
/// </summary>
public sealed class Allocations(
    IBillingAccountStore accounts,
    AccountEntitlements entitlements,
    PlanCatalog catalog,
    IAllocationLedger ledger,
    TimeProvider time)
{
    public Task<Outcome<AllocationState>> TakeAsync(AllocationRequest request, CancellationToken cancellationToken) =>
        ChangeAsync(request, async (target, ct) =>
        {
            var change = await ledger.TryTakeAsync(target.AccountId, target.Meter, target.AllocationId, target.Policy.HardLimit, accountVersion: null, ct).ConfigureAwait(false);
            return change.Kind == AllocationChangeKind.LimitReached
                ? Outcome.Refused<AllocationState>(UsageRefusals.QuotaExceeded(catalog, target.Entitlement, target.Policy, change.Held, UsageRefusals.Needed(change.Held, 1), string.Create(CultureInfo.InvariantCulture, $" and {change.Held} are held; release one or upgrade")))
                : Answer(target, change);
        }, cancellationToken);

    public Task<Outcome<AllocationState>> ReleaseAsync(AllocationRequest request, CancellationToken cancellationToken) =>
        ChangeAsync(request, async (target, ct) => Answer(target, await ledger.ReleaseAsync(target.AccountId, target.Meter, target.AllocationId, ct).ConfigureAwait(false)), cancellationToken);

    /// <summary>Checks the request and reads the account's limits (400 / 404 otherwise), then runs <paramref name="change"/>.</summary>
    private async Task<Outcome<AllocationState>> ChangeAsync(AllocationRequest request, Func<Target, CancellationToken, Task<Outcome<AllocationState>>> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new ValidationErrors();
        var accountId = UsageFields.Account(request.AccountId, errors);
        var meter = UsageFields.Meter(request.Meter, catalog, MeterKind.Allocation, errors);
        var allocationId = UsageFields.Key(request.AllocationId, errors, "allocationId");
        if (allocationId is "." or ".." || allocationId?.IndexOfAny(['/', '\\']) >= 0)
        {
            // The id is a segment of the release's URL path, where these cannot arrive intact: a unit taken with one could never be released.
            errors.Add("allocationId", "Must not contain '/' or '\\' nor be '.' or '..': the id is a segment of the release's URL path.");
        }

        if (!errors.IsEmpty)
        {
            return Outcome.Invalid<AllocationState>(errors);
        }

        var account = await accounts.GetAsync(accountId!.Value, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            return UsageRefusals.UnknownAccount<AllocationState>(accountId.Value);
        }

        var entitlement = entitlements.Evaluate(account, time.GetUtcNow());
        return await change(new Target(accountId.Value, meter!.Value, allocationId!, entitlement, entitlement.PolicyFor(meter.Value)), cancellationToken).ConfigureAwait(false);
    }

    private static Outcome<AllocationState> Answer(Target target, AllocationChange change)
    {
        var limit = target.Policy.HardLimit;
        return change.Kind == AllocationChangeKind.InProgress
            ? Outcome.Refused<AllocationState>(RefusalReason.UsageInProgress, $"Other calls kept changing the {target.Meter} allocations while '{target.AllocationId}' was being taken or released; nothing changed. Retry in a few seconds.")
            : Outcome.Succeeded(new AllocationState(target.Meter.Value, target.AllocationId, change.Kind is AllocationChangeKind.Taken or AllocationChangeKind.Released, change.Held, limit, limit is { } l ? Math.Max(0, l - change.Held) : null));
    }

    private sealed record Target(AccountId AccountId, MeterName Meter, string AllocationId, Entitlement Entitlement, MeterPolicy Policy);
}
