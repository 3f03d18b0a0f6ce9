using System.Globalization;
using Billing.Application.Accounts;
using Billing.Application.Entitlements;
using Billing.Application.Outcomes;
using Billing.Domain.Accounts;
using Billing.Domain.Entitlements;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Usage;

/// <summary>A take or release of one unit of an allocation meter (<c>/api/allocations/{meter}</c>).</summary>
public sealed record AllocationRequest(string? AccountId, string? Meter, string? AllocationId);

/// <summary>The meter's state after a take or release.</summary>
public sealed record AllocationState(string Meter, string AllocationId, bool Changed, long Held, long? Limit, long? Remaining);

/// <summary>
/// Takes and releases units of allocation meters (projects, deployed apps, seats), idempotent by allocation id. A
/// take is refused (402) once the account holds its plan's limit; after a downgrade the units above the new limit
/// are kept, but no new one is granted until the account is under it. The limits come from the account as this instance
/// last read it (<see cref="RecentAccounts"/>, shared with usage recording), so a take or release is one request to the
/// ledger: it is applied only while the account is still at the version its limit came from; otherwise the account is
/// read again and the change retried, so a limit changes the moment the account's state does (and a release answers with
/// the limit in force). A release needs no limit, so one against an account that keeps changing is applied on the last
/// attempt without the check, answering with the limit of the account as last read: it never fails for that.
/// </summary>
public sealed partial class Allocations(
    RecentAccounts accounts,
    AccountEntitlements entitlements,
    PlanCatalog catalog,
    IAllocationLedger ledger,
    TimeProvider time,
    ILogger<Allocations> logger)
{
    /// <summary>How many times a take (or a release with the limit it answers) is tried against an account that keeps changing under it.</summary>
    private const int MaxAccountAttempts = 5;

    public Task<Outcome<AllocationState>> TakeAsync(AllocationRequest request, CancellationToken cancellationToken) =>
        ChangeAsync(request, (target, ct) => ledger.TryTakeAsync(target.AccountId, target.Meter, target.AllocationId, target.Policy.HardLimit, target.AccountVersion, ct), cancellationToken);

    public Task<Outcome<AllocationState>> ReleaseAsync(AllocationRequest request, CancellationToken cancellationToken) =>
        ChangeAsync(request, (target, ct) => ledger.ReleaseAsync(target.AccountId, target.Meter, target.AllocationId, target.LastAttempt ? null : target.AccountVersion, ct), cancellationToken);

    /// <summary>
    /// Checks the request and reads the account's limits (400 / 404 otherwise), then runs <paramref name="change"/>,
    /// again with the account read anew while the ledger answers that it changed since.
    /// </summary>
    private async Task<Outcome<AllocationState>> ChangeAsync(AllocationRequest request, Func<Target, CancellationToken, Task<AllocationChange>> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new ValidationErrors();
        var accountId = UsageFields.Account(request.AccountId, errors);
        var meter = UsageFields.Meter(request.Meter, catalog, MeterKind.Allocation, errors);
        var allocationId = UsageFields.Key(request.AllocationId, errors, "allocationId", "the id of the unit to hold (a project's id, say)");
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
        for (var attempt = 1; account is not null && attempt <= MaxAccountAttempts; attempt++)
        {
            var entitlement = entitlements.Evaluate(account, time.GetUtcNow());
            var target = new Target(accountId.Value, meter!.Value, allocationId!, entitlement, entitlement.PolicyFor(meter.Value), account.Version, attempt == MaxAccountAttempts);
            var result = await change(target, cancellationToken).ConfigureAwait(false);
            if (result.Kind != AllocationChangeKind.StaleAccount)
            {
                return Answer(target, result);
            }

            LogAccountChanged(meter.Value.Value, attempt);
            account = await accounts.ReadAsync(accountId.Value, cancellationToken).ConfigureAwait(false);
        }

        return account is null
            ? UsageRefusals.UnknownAccount<AllocationState>(accountId.Value)
            : Outcome.Refused<AllocationState>(RefusalReason.UsageInProgress, $"The account kept changing while '{allocationId}' was being taken; nothing changed. Retry in a few seconds.");
    }

    private Outcome<AllocationState> Answer(Target target, AllocationChange change)
    {
        var limit = target.Policy.HardLimit;
        return change.Kind switch
        {
            AllocationChangeKind.LimitReached => Outcome.Refused<AllocationState>(UsageRefusals.QuotaExceeded(catalog, target.Entitlement, target.Policy, change.Held, UsageRefusals.Needed(change.Held, 1), string.Create(CultureInfo.InvariantCulture, $", and {change.Held} held; release one or upgrade"))),
            AllocationChangeKind.InProgress => Outcome.Refused<AllocationState>(RefusalReason.UsageInProgress, $"Other calls kept changing the {target.Meter} allocations while '{target.AllocationId}' was being taken or released; nothing changed. Retry in a few seconds."),
            _ => Outcome.Succeeded(new AllocationState(target.Meter.Value, target.AllocationId, change.Kind is AllocationChangeKind.Taken or AllocationChangeKind.Released, change.Held, limit, limit is { } l ? Math.Max(0, l - change.Held) : null)),
        };
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "The account changed since its limits were read; taking or releasing {Meter} again with the account as stored (attempt {Attempt})")]
    private partial void LogAccountChanged(string meter, int attempt);

    /// <summary>
    /// What a take or release applies to: the account's limits as of <see cref="AccountVersion"/>; <see cref="LastAttempt"/>
    /// on the last try against an account that keeps changing (a release then needs no version: it needs no limit).
    /// </summary>
    private sealed record Target(AccountId AccountId, MeterName Meter, string AllocationId, Entitlement Entitlement, MeterPolicy Policy, long AccountVersion, bool LastAttempt);
}
