using Billing.Application.Usage;
using Billing.Cosmos.Documents;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Microsoft.Azure.Cosmos;

namespace Billing.Cosmos.Usage;

/// <summary>
/// Allocations in the account's partition: one document per held unit (idempotency by allocation id) and one counter
/// per meter. A take or a release is one request: the stored procedure <c>allocate.js</c> changes the unit and the
/// counter in one transaction, so the counter always equals the units held, whatever the concurrency and whatever
/// happens to the caller, and a take never leaves more units held than its limit.
/// </summary>
public sealed class CosmosAllocationLedger(BillingContainers containers, TimeProvider time) : IAllocationLedger
{
    /// <summary>The id of the stored procedure that takes and releases units; a new behaviour gets a new id.</summary>
    public const string AllocateProcedureId = "allocate-v3";

    /// <summary>Executions run again after a write conflict before the call answers <see cref="AllocationChangeKind.InProgress"/>.</summary>
    private const int MaxAttempts = 10;

    private static readonly Lazy<string> AllocateSource = new(() => DocumentOperations.ProcedureSource("Billing.Cosmos.Usage.allocate.js"));

    /// <summary>The stored procedure's source (<c>Usage/allocate.js</c>, embedded).</summary>
    public static string AllocateProcedureBody => AllocateSource.Value;

    private Container Container => containers.Accounts;

    public Task<AllocationChange> TryTakeAsync(AccountId accountId, MeterName meter, string allocationId, long? limit, long? accountVersion, CancellationToken cancellationToken) =>
        ExecuteAsync("take", accountId, meter, allocationId, limit, accountVersion, cancellationToken);

    public Task<AllocationChange> ReleaseAsync(AccountId accountId, MeterName meter, string allocationId, long? accountVersion, CancellationToken cancellationToken) =>
        ExecuteAsync("release", accountId, meter, allocationId, limit: null, accountVersion, cancellationToken);

    /// <summary>
    /// A point read of each meter's counter (its id follows from the account and the meter): one request of ~1 RU per
    /// allocation meter of the catalog, where a query of the account's counters costs a query plan round trip and a page.
    /// </summary>
    public async Task<IReadOnlyDictionary<MeterName, long>> HeldAsync(AccountId accountId, IReadOnlyCollection<MeterName> meters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var partitionKey = new PartitionKey(accountId.Value);
        var counters = await Task.WhenAll(meters.Distinct().Select(async meter =>
            (Meter: meter, Counter: await Container.ReadAsync<AllocationCounterDocument>(DocumentIds.AllocationCounter(accountId, meter), partitionKey, cancellationToken).ConfigureAwait(false)))).ConfigureAwait(false);
        return counters.Where(c => c.Counter is not null).ToDictionary(c => c.Meter, c => c.Counter!.Held);
    }

    private async Task<AllocationChange> ExecuteAsync(string op, AccountId accountId, MeterName meter, string allocationId, long? limit, long? accountVersion, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(allocationId);
        var now = time.GetUtcNow();
        var input = new AllocateInput(
            op,
            DocumentIds.Account(accountId),
            accountVersion,
            new AllocationDocument
            {
                Id = DocumentIds.Allocation(accountId, meter, allocationId),
                Type = DocumentTypes.Allocation,
                SchemaVersion = DocumentTypes.AllocationSchemaVersion,
                AccountId = accountId.Value,
                Meter = meter.Value,
                AllocationId = allocationId,
                TakenAt = now,
            },
            new AllocationCounterDocument
            {
                Id = DocumentIds.AllocationCounter(accountId, meter),
                Type = DocumentTypes.AllocationCounter,
                SchemaVersion = DocumentTypes.AllocationCounterSchemaVersion,
                AccountId = accountId.Value,
                Meter = meter.Value,
                Held = 1,
                UpdatedAt = now,
            },
            limit);
        var partitionKey = new PartitionKey(accountId.Value);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            AllocateOutput output;
            try
            {
                output = await Container.ExecuteAsync<AllocateInput, AllocateOutput>(AllocateProcedureId, input, partitionKey, cancellationToken).ConfigureAwait(false);
            }
            catch (CosmosException exception) when (DocumentOperations.IsWriteConflict(exception, "allocate"))
            {
                // A concurrent take or release of the same meter or unit: the transaction was rolled back.
                await DocumentOperations.PauseBeforeRetryAsync(time, attempt, cancellationToken).ConfigureAwait(false);
                continue;
            }

            return new AllocationChange(
                output.Status switch
                {
                    "taken" => AllocationChangeKind.Taken,
                    "alreadyHeld" => AllocationChangeKind.AlreadyHeld,
                    "limitReached" => AllocationChangeKind.LimitReached,
                    "released" => AllocationChangeKind.Released,
                    "notHeld" => AllocationChangeKind.NotHeld,
                    "staleAccount" => AllocationChangeKind.StaleAccount,
                    _ => throw new InvalidOperationException($"The {AllocateProcedureId} procedure answered '{output.Status}'."),
                },
                output.Held);
        }

        var counter = await Container.ReadAsync<AllocationCounterDocument>(input.Counter.Id, partitionKey, cancellationToken).ConfigureAwait(false);
        return new AllocationChange(AllocationChangeKind.InProgress, counter?.Held ?? 0);
    }

    /// <summary>The one argument of <c>allocate.js</c> (see the procedure for each field).</summary>
    private sealed record AllocateInput(string Op, string AccountDocumentId, long? AccountVersion, AllocationDocument Unit, AllocationCounterDocument Counter, long? Limit);

    /// <summary>What <c>allocate.js</c> answers.</summary>
    private sealed record AllocateOutput(string Status, long Held);
}
