using Billing.Application.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;

namespace Billing.Application.Tests.Fakes;

/// <summary>
/// Allocations in memory with the contract of the Cosmos ledger, atomic under one lock: one unit per allocation id,
/// a take or release applied only while the account is at the version it carries (when <paramref name="storedVersion"/> is
/// given: the stored account's version) and refused once the held units reach the limit (also when a lowered limit is
/// already passed), releases idempotent, held never negative.
/// </summary>
internal sealed class InMemoryAllocationLedger(Func<AccountId, long?>? storedVersion = null) : IAllocationLedger
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(AccountId, MeterName), HashSet<string>> _units = [];

    /// <summary>Calls of <see cref="HeldAsync"/>.</summary>
    public int HeldReads { get; private set; }

    /// <summary>The limit the last take was given.</summary>
    public long? LastLimit { get; private set; }

    /// <summary>Awaited before each take or release is applied (to change the account meanwhile).</summary>
    public Func<Task>? BeforeChange { get; set; }

    /// <summary>Holds units directly (no limit), as if they had been taken under an earlier plan.</summary>
    public void Hold(AccountId accountId, MeterName meter, params string[] allocationIds)
    {
        lock (_gate)
        {
            Units(accountId, meter).UnionWith(allocationIds);
        }
    }

    public async Task<AllocationChange> TryTakeAsync(AccountId accountId, MeterName meter, string allocationId, long? limit, long? accountVersion, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(allocationId);
        if (BeforeChange is { } before)
        {
            await before();
        }

        lock (_gate)
        {
            LastLimit = limit;
            var units = Units(accountId, meter);
            if (accountVersion is { } version && storedVersion?.Invoke(accountId) != version)
            {
                return new AllocationChange(AllocationChangeKind.StaleAccount, units.Count);
            }

            if (units.Contains(allocationId))
            {
                return new AllocationChange(AllocationChangeKind.AlreadyHeld, units.Count);
            }

            if (limit is { } max && units.Count >= max)
            {
                return new AllocationChange(AllocationChangeKind.LimitReached, units.Count);
            }

            units.Add(allocationId);
            return new AllocationChange(AllocationChangeKind.Taken, units.Count);
        }
    }

    public async Task<AllocationChange> ReleaseAsync(AccountId accountId, MeterName meter, string allocationId, long? accountVersion, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(allocationId);
        if (BeforeChange is { } before)
        {
            await before();
        }

        lock (_gate)
        {
            var units = Units(accountId, meter);
            if (accountVersion is { } version && storedVersion?.Invoke(accountId) != version)
            {
                return new AllocationChange(AllocationChangeKind.StaleAccount, units.Count);
            }

            var kind = units.Remove(allocationId) ? AllocationChangeKind.Released : AllocationChangeKind.NotHeld;
            return new AllocationChange(kind, units.Count);
        }
    }

    public Task<IReadOnlyDictionary<MeterName, long>> HeldAsync(AccountId accountId, IReadOnlyCollection<MeterName> meters, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            HeldReads++;
            IReadOnlyDictionary<MeterName, long> held = _units
                .Where(u => u.Key.Item1 == accountId && meters.Contains(u.Key.Item2))
                .ToDictionary(u => u.Key.Item2, u => (long)u.Value.Count);
            return Task.FromResult(held);
        }
    }

    private HashSet<string> Units(AccountId accountId, MeterName meter)
    {
        if (!_units.TryGetValue((accountId, meter), out var units))
        {
            units = new HashSet<string>(StringComparer.Ordinal);
            _units.Add((accountId, meter), units);
        }

        return units;
    }
}
