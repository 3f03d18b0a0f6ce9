using System.Globalization;
using System.Net;
using Billing.Application.Usage;
using Billing.Cosmos.Documents;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Microsoft.Azure.Cosmos;

namespace Billing.Cosmos.Usage;

/// <summary>
/// Allocations in the account's partition: one document per held unit (its create makes a take idempotent by
/// allocation id) and one counter per meter, incremented by a patch whose filter predicate refuses to pass the limit.
/// The unit is created pending, counted, then marked held; a take whose increment is refused deletes its unit again.
/// A twin take or release of the same id waits while the unit is pending, so it never answers "held" for a unit the
/// limit then refuses. A release deletes the unit, then decrements. A unit its take left pending (the call died) is
/// never trusted to have been counted or not: the counter errs high, never low, so the limit is never passed.
/// </summary>
public sealed class CosmosAllocationLedger(BillingContainers containers, TimeProvider time) : IAllocationLedger
{
    private const int MaxAttempts = 5;

    /// <summary>How long a twin waits for a take or release of the same allocation id in flight (about 5 seconds).</summary>
    private const int MaxWaits = 25;

    private static readonly TimeSpan WaitInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>A unit still pending this long after its take belongs to a call that died: a take of its id takes it afresh, a release deletes it without a decrement.</summary>
    private static readonly TimeSpan AbandonedAge = TimeSpan.FromMinutes(6);

    private Container Container => containers.Accounts;

    public async Task<AllocationChange> TryTakeAsync(AccountId accountId, MeterName meter, string allocationId, long? limit, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(allocationId);
        var partitionKey = new PartitionKey(accountId.Value);
        var unitId = DocumentIds.Allocation(accountId, meter, allocationId);
        for (var attempt = 0; attempt < MaxWaits; attempt++)
        {
            var unit = new AllocationDocument
            {
                Id = unitId,
                Type = DocumentTypes.Allocation,
                SchemaVersion = DocumentTypes.AllocationSchemaVersion,
                AccountId = accountId.Value,
                Meter = meter.Value,
                AllocationId = allocationId,
                TakenAt = time.GetUtcNow(),
                Pending = true,
            };
            if ((await Container.CreateAsync(unit, partitionKey, cancellationToken).ConfigureAwait(false)).Status != HttpStatusCode.Conflict)
            {
                return await CountAsync(accountId, meter, unitId, limit, cancellationToken).ConfigureAwait(false);
            }

            var holder = await Container.ReadAsync<AllocationDocument>(unitId, partitionKey, cancellationToken).ConfigureAwait(false);
            if (holder is { Pending: false })
            {
                return new AllocationChange(AllocationChangeKind.AlreadyHeld, await HeldAsync(accountId, meter, cancellationToken).ConfigureAwait(false));
            }

            if (holder is not null && time.GetUtcNow() - holder.TakenAt >= AbandonedAge)
            {
                // Its take died between creating it and marking it held, counted or not: take it afresh (the next
                // create counts it against the limit). Were it counted already, the counter stays one above the units
                // held, which can refuse a take early but never grants one beyond the limit.
                await Container.DeleteAsync(unitId, partitionKey, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (holder is not null)
            {
                await Task.Delay(WaitInterval, time, cancellationToken).ConfigureAwait(false); // its twin is counting it
            }
        }

        return new AllocationChange(AllocationChangeKind.InProgress, await HeldAsync(accountId, meter, cancellationToken).ConfigureAwait(false));
    }

    public async Task<AllocationChange> ReleaseAsync(AccountId accountId, MeterName meter, string allocationId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(allocationId);
        var partitionKey = new PartitionKey(accountId.Value);
        var unitId = DocumentIds.Allocation(accountId, meter, allocationId);
        for (var attempt = 0; attempt < MaxWaits; attempt++)
        {
            var unit = await Container.ReadAsync<AllocationDocument>(unitId, partitionKey, cancellationToken).ConfigureAwait(false);
            if (unit is null)
            {
                return new AllocationChange(AllocationChangeKind.NotHeld, await HeldAsync(accountId, meter, cancellationToken).ConfigureAwait(false));
            }

            if (unit.Pending && time.GetUtcNow() - unit.TakenAt < AbandonedAge)
            {
                await Task.Delay(WaitInterval, time, cancellationToken).ConfigureAwait(false); // a take of this id is counting it
                continue;
            }

            if (await Container.DeleteAsync(unitId, partitionKey, cancellationToken).ConfigureAwait(false) == HttpStatusCode.NotFound)
            {
                continue; // released by a twin meanwhile: answer from the next read
            }

            if (unit.Pending)
            {
                // Abandoned by a take that died, counted or not: no decrement, so the counter never drops below the
                // units held (at worst it stays one above, which refuses early but never grants beyond the limit).
                return new AllocationChange(AllocationChangeKind.Released, await HeldAsync(accountId, meter, cancellationToken).ConfigureAwait(false));
            }

            // The unit is gone: the decrement must follow whatever happens to the caller, or the counter stays one too high.
            var patched = await Container.PatchAsync<AllocationCounterDocument>(
                DocumentIds.AllocationCounter(accountId, meter),
                partitionKey,
                [PatchOperation.Increment("/held", -1), PatchOperation.Set("/updatedAt", time.GetUtcNow())],
                "FROM c WHERE c.held >= 1",
                CancellationToken.None).ConfigureAwait(false);
            return new AllocationChange(AllocationChangeKind.Released, patched.Document?.Held ?? await HeldAsync(accountId, meter, cancellationToken).ConfigureAwait(false));
        }

        return new AllocationChange(AllocationChangeKind.InProgress, await HeldAsync(accountId, meter, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Adds the new unit to the counter (or deletes it again when the limit is reached), then marks it held.</summary>
    private async Task<AllocationChange> CountAsync(AccountId accountId, MeterName meter, string unitId, long? limit, CancellationToken cancellationToken)
    {
        var partitionKey = new PartitionKey(accountId.Value);
        long? held;
        try
        {
            // Not cancelled by the caller: a call that goes away (a client disconnect) after Cosmos DB applied the
            // increment would delete the unit below and leave the counter one too high for good.
            held = await IncrementAsync(accountId, meter, limit, CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            await Container.DeleteAsync(unitId, partitionKey, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        if (held is null)
        {
            await Container.DeleteAsync(unitId, partitionKey, CancellationToken.None).ConfigureAwait(false);
            return new AllocationChange(AllocationChangeKind.LimitReached, await HeldAsync(accountId, meter, cancellationToken).ConfigureAwait(false));
        }

        await Container.PatchAsync<AllocationDocument>(unitId, partitionKey, [PatchOperation.Set("/pending", false)], null, CancellationToken.None).ConfigureAwait(false);
        return new AllocationChange(AllocationChangeKind.Taken, held.Value);
    }

    public async Task<IReadOnlyDictionary<MeterName, long>> HeldAsync(AccountId accountId, CancellationToken cancellationToken)
    {
        var query = new QueryDefinition("SELECT * FROM c WHERE c.accountId = @account AND c.type = @type")
            .WithParameter("@account", accountId.Value)
            .WithParameter("@type", DocumentTypes.AllocationCounter);
        var held = new Dictionary<MeterName, long>();
        using var feed = Container.GetItemQueryIterator<AllocationCounterDocument>(query, requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(accountId.Value) });
        while (feed.HasMoreResults)
        {
            foreach (var counter in await feed.ReadNextAsync(cancellationToken).ConfigureAwait(false))
            {
                if (MeterName.TryParse(counter.Meter, out var meter))
                {
                    held[meter] = counter.Held;
                }
            }
        }

        return held;
    }

    /// <summary>The counter after adding one unit, or null when that would pass <paramref name="limit"/>.</summary>
    private async Task<long?> IncrementAsync(AccountId accountId, MeterName meter, long? limit, CancellationToken cancellationToken)
    {
        var id = DocumentIds.AllocationCounter(accountId, meter);
        var partitionKey = new PartitionKey(accountId.Value);
        var predicate = limit is { } max ? string.Create(CultureInfo.InvariantCulture, $"FROM c WHERE c.held <= {max - 1}") : null;
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var patched = await Container.PatchAsync<AllocationCounterDocument>(id, partitionKey, [PatchOperation.Increment("/held", 1), PatchOperation.Set("/updatedAt", time.GetUtcNow())], predicate, cancellationToken).ConfigureAwait(false);
            switch (patched.Status)
            {
                case HttpStatusCode.OK:
                    return patched.Document!.Held;
                case HttpStatusCode.PreconditionFailed:
                    return null;
                case HttpStatusCode.NotFound when limit is 0:
                    return null;
                case HttpStatusCode.NotFound:
                    var counter = new AllocationCounterDocument
                    {
                        Id = id,
                        Type = DocumentTypes.AllocationCounter,
                        SchemaVersion = DocumentTypes.AllocationCounterSchemaVersion,
                        AccountId = accountId.Value,
                        Meter = meter.Value,
                        Held = 1,
                        UpdatedAt = time.GetUtcNow(),
                    };
                    if ((await Container.CreateAsync(counter, partitionKey, cancellationToken).ConfigureAwait(false)).Status == HttpStatusCode.Created)
                    {
                        return 1;
                    }

                    continue; // 409: created concurrently; patch it.
            }
        }

        throw new InvalidOperationException($"The '{meter}' allocations of account '{accountId}' could not be counted after {MaxAttempts} attempts.");
    }

    private async Task<long> HeldAsync(AccountId accountId, MeterName meter, CancellationToken cancellationToken) =>
        (await Container.ReadAsync<AllocationCounterDocument>(DocumentIds.AllocationCounter(accountId, meter), new PartitionKey(accountId.Value), cancellationToken).ConfigureAwait(false))?.Held ?? 0;
}
