using Billing.Domain.Accounts;
using Billing.Domain.Metering;

namespace Billing.Application.Usage;

/// <summary>
/// Units of allocation meters (projects, seats) an account holds: one record per allocation id and one counter per
/// meter that never passes the limit it is given, whatever the concurrency.
/// </summary>
public interface IAllocationLedger
{
    /// <summary>
    /// Takes one unit for <paramref name="allocationId"/>; idempotent by allocation id. Nothing is written when the
    /// account is no longer at <paramref name="accountVersion"/>, the version <paramref name="limit"/> was worked out
    /// from (<see cref="AllocationChangeKind.StaleAccount"/>; null: not checked).
    /// </summary>
    Task<AllocationChange> TryTakeAsync(AccountId accountId, MeterName meter, string allocationId, long? limit, long? accountVersion, CancellationToken cancellationToken);

    /// <summary>
    /// Releases the unit of <paramref name="allocationId"/>; idempotent (releasing twice changes nothing). Nothing is
    /// written when the account is no longer at <paramref name="accountVersion"/>, the version the caller's answer (the
    /// limit) comes from (<see cref="AllocationChangeKind.StaleAccount"/>; null: not checked).
    /// </summary>
    Task<AllocationChange> ReleaseAsync(AccountId accountId, MeterName meter, string allocationId, long? accountVersion, CancellationToken cancellationToken);

    /// <summary>Units held of each of <paramref name="meters"/> (the catalog's allocation meters; those never used are absent).</summary>
    Task<IReadOnlyDictionary<MeterName, long>> HeldAsync(AccountId accountId, IReadOnlyCollection<MeterName> meters, CancellationToken cancellationToken);
}

/// <summary>What a take or release did, and the units held afterwards.</summary>
public enum AllocationChangeKind
{
    Taken = 0,
    AlreadyHeld = 1,
    LimitReached = 2,
    Released = 3,
    NotHeld = 4,

    /// <summary>Other takes and releases of the meter kept changing it under this one; nothing changed, retry shortly.</summary>
    InProgress = 5,

    /// <summary>The account changed (or is gone) since the limit was worked out: nothing changed; read it again.</summary>
    StaleAccount = 6,
}

public sealed record AllocationChange(AllocationChangeKind Kind, long Held);
