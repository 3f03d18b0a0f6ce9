using System.Globalization;
using Billing.Application.Accounts;
using Billing.Application.Entitlements;
using Billing.Application.Outcomes;
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
    public async Task<Outcome<AllocationState>> TakeAsync(AllocationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new ValidationErrors();
        var accountId = UsageFields.Account(request.AccountId, errors);
        var meter = UsageFields.Meter(request.Meter, catalog, MeterKind.Allocation, errors);
        var allocationId = UsageFields.Key(request.AllocationId, errors, "allocationId");
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
        var policy = entitlement.PolicyFor(meter!.Value);
        var change = await ledger.TryTakeAsync(accountId.Value, meter.Value, allocationId!, policy.HardLimit, cancellationToken).ConfigureAwait(false);
        if (change.Kind == AllocationChangeKind.LimitReached)
        {
            return Outcome.Refused<AllocationState>(UsageRefusals.QuotaExceeded(catalog, entitlement, policy, change.Held, string.Create(CultureInfo.InvariantCulture, $" and {change.Held} are held; release one or upgrade")));
        }

        return Answer(meter.Value.Value, allocationId!, change, policy.HardLimit);
    }

    public async Task<Outcome<AllocationState>> ReleaseAsync(AllocationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new ValidationErrors();
        var accountId = UsageFields.Account(request.AccountId, errors);
        var meter = UsageFields.Meter(request.Meter, catalog, MeterKind.Allocation, errors);
        var allocationId = UsageFields.Key(request.AllocationId, errors, "allocationId");
        if (!errors.IsEmpty)
        {
            return Outcome.Invalid<AllocationState>(errors);
        }

        var account = await accounts.GetAsync(accountId!.Value, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            return UsageRefusals.UnknownAccount<AllocationState>(accountId.Value);
        }

        var policy = entitlements.Evaluate(account, time.GetUtcNow()).PolicyFor(meter!.Value);
        var change = await ledger.ReleaseAsync(accountId.Value, meter.Value, allocationId!, cancellationToken).ConfigureAwait(false);
        return Answer(meter.Value.Value, allocationId!, change, policy.HardLimit);
    }

    private static Outcome<AllocationState> Answer(string meter, string allocationId, AllocationChange change, long? limit) =>
        change.Kind == AllocationChangeKind.InProgress
            ? Outcome.Refused<AllocationState>(RefusalReason.UsageInProgress, $"Another call is taking or releasing allocation '{allocationId}' right now; retry in a few seconds.")
            : Outcome.Succeeded(new AllocationState(meter, allocationId, change.Kind is AllocationChangeKind.Taken or AllocationChangeKind.Released, change.Held, limit, limit is { } l ? Math.Max(0, l - change.Held) : null));
}
