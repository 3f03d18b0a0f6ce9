using System.Globalization;
using System.Net;
using Billing.Application;
using Billing.Application.Usage;
using Billing.Cosmos.Documents;
using Billing.Cosmos.Serialization;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Microsoft.Azure.Cosmos;

namespace Billing.Cosmos.Usage;

/// <summary>
/// Usage in the accounts container, all in the account's partition: one counters document per period and one
/// document per idempotency key. A record is one request: the stored procedure <c>record-usage.js</c> checks the
/// account's version, claims the key, checks the hard limit, adds to the counter and keeps the answer on the key in
/// one transaction, so a hard limit is never passed and a key never counts twice, whatever the concurrency. The
/// first record of a period first writes its closing-day index entry (another partition), then creates the counters.
/// </summary>
public sealed class CosmosUsageLedger(BillingContainers containers, TimeProvider time) : IUsageLedger
{
    /// <summary>
    /// Attempts of an ETag-guarded rewrite of the counters (what the plan includes, the period's end): after the first,
    /// each is one read and one replace, which lose only to a record counted in between; an account that keeps counting
    /// must not keep its add-on or its cancellation from being applied. Against one writer recording back to back on
    /// the local server an attempt wins about one time in twenty (50 attempts lost all of them in 3 of 36 runs of
    /// <c>A_period_end_moves_while_the_account_keeps_counting_one_record_after_another</c>), so 400: a few hundred
    /// milliseconds at most. An account recording faster than that, for good, would still win every attempt: only a
    /// server-side step (a stored procedure) would make the rewrite immune.
    /// </summary>
    private const int MaxAttempts = 400;

    /// <summary>Attempts of one record: a busy account's racing records retry, pausing, before the caller gets 503.</summary>
    private const int MaxRecordAttempts = 10;

    private Container Container => containers.Accounts;

    public async Task<UsageCounters?> GetAsync(AccountId accountId, UsagePeriodKey periodKey, CancellationToken cancellationToken)
    {
        var document = await Container.ReadAsync<UsageDocument>(DocumentIds.Usage(accountId, periodKey), new PartitionKey(accountId.Value), cancellationToken).ConfigureAwait(false);
        return document is null ? null : ToDomain(accountId, document);
    }

    public async Task<IReadOnlyList<UsageCounters>> ListStartedAsync(AccountId accountId, DateTimeOffset startedFrom, DateTimeOffset startedBefore, CancellationToken cancellationToken)
    {
        var query = new QueryDefinition("SELECT * FROM c WHERE c.accountId = @account AND c.type = @type AND c.periodStart >= @from AND c.periodStart < @to")
            .WithParameter("@account", accountId.Value)
            .WithParameter("@type", DocumentTypes.Usage)
            .WithParameter("@from", Stamp(startedFrom))
            .WithParameter("@to", Stamp(startedBefore));
        var documents = await QueryAsync<UsageDocument>(query, new PartitionKey(accountId.Value), cancellationToken).ConfigureAwait(false);
        return [.. documents.Select(d => ToDomain(accountId, d)).OrderBy(c => c.Period.Start)];
    }

    public async Task<IReadOnlyList<UsageCounters>> ListEndedAsync(AccountId accountId, DateTimeOffset endedFrom, DateTimeOffset endedBefore, CancellationToken cancellationToken)
    {
        var query = new QueryDefinition("SELECT * FROM c WHERE c.accountId = @account AND c.type = @type AND c.periodEnd >= @from AND c.periodEnd < @to")
            .WithParameter("@account", accountId.Value)
            .WithParameter("@type", DocumentTypes.Usage)
            .WithParameter("@from", Stamp(endedFrom))
            .WithParameter("@to", Stamp(endedBefore));
        var documents = await QueryAsync<UsageDocument>(query, new PartitionKey(accountId.Value), cancellationToken).ConfigureAwait(false);
        return [.. documents.Select(d => ToDomain(accountId, d)).OrderBy(c => c.Period.End)];
    }

    /// <summary>The id of the stored procedure that records usage; a new behaviour gets a new id.</summary>
    public const string RecordUsageProcedureId = "recordUsage-v5";

    /// <summary>The stored procedure's source (<c>Usage/record-usage.js</c>, embedded).</summary>
    public static string RecordUsageProcedureBody => RecordUsageSource.Value;

    private static readonly Lazy<string> RecordUsageSource = new(() => DocumentOperations.ProcedureSource("Billing.Cosmos.Usage.record-usage.js"));

    public async Task<UsageRecordResult> RecordAsync(UsageRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var (claim, consumption) = (record.Key, record.Consumption);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(consumption.Amount);
        if (consumption.Limit is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(record), consumption.Limit, "A limit must not be negative.");
        }

        if (claim.AccountId != consumption.AccountId || claim.Meter != consumption.Meter || claim.Quantity != consumption.Amount || claim.PeriodKey != consumption.Period.Key)
        {
            throw new ArgumentException("The key's claim and the consumption must be the same usage.", nameof(record));
        }

        var accountId = claim.AccountId;
        var input = new RecordUsageInput(
            DocumentIds.Account(accountId),
            record.AccountVersion,
            ToDocument(DocumentIds.UsageKey(accountId, claim.IdempotencyKey), claim),
            DocumentIds.Usage(accountId, consumption.Period.Key),
            NewCounters: null,
            consumption.Limit,
            consumption.Included,
            consumption.Included is null ? null : [.. (consumption.Allowances ?? []).Select(AllowanceInput.Of)],
            consumption.Plan.Value,
            time.GetUtcNow());
        try
        {
            return await ExecuteRecordAsync(input, consumption, cancellationToken).ConfigureAwait(false);
        }
        catch (ServiceUnavailableException exception) when (!exception.MayHaveBeenDone)
        {
            // Throttled or unavailable (the procedure, or the period's index entry written before it): not done. A
            // timeout goes up as it is: the record may have been counted, and a retry with its key counts it once.
            throw new UsageNotCountedException("The usage store refused the record; nothing was counted.", exception);
        }
        catch (HttpRequestException exception) when (ServiceUnavailableException.IsNoConnection(exception))
        {
            // No connection was made: the record was never sent.
            throw new UsageNotCountedException("The usage store could not be reached; nothing was counted.", exception);
        }
        catch (CosmosException exception) when (DocumentOperations.IsPartitionFull(exception))
        {
            // The account's logical partition is at Cosmos DB's 20 GB (its usage keys, docs/deploy.md "Storage per account"):
            // the procedure's writes were refused and rolled back. Refused like a throttled record, so that a batch goes on
            // with its other accounts' records instead of failing whole on every retry.
            throw new UsageNotCountedException($"Cosmos DB refused the record: the logical partition of account '{accountId}' reached its maximum size (403, substatus 1014); nothing was counted.", exception);
        }
    }

    private async Task<UsageRecordResult> ExecuteRecordAsync(RecordUsageInput input, UsageConsumption consumption, CancellationToken cancellationToken)
    {
        var accountId = consumption.AccountId;
        var partitionKey = new PartitionKey(accountId.Value);
        var conflicts = 0;
        for (var attempt = 1; attempt <= MaxRecordAttempts; attempt++)
        {
            RecordUsageOutput output;
            try
            {
                output = await Container.ExecuteAsync<RecordUsageInput, RecordUsageOutput>(RecordUsageProcedureId, input, partitionKey, cancellationToken).ConfigureAwait(false);
            }
            catch (CosmosException exception) when (DocumentOperations.IsWriteConflict(exception, "recordUsage"))
            {
                // A concurrent write to the same counters: the transaction was rolled back; run it again. The first
                // conflict of a call is most often two first records of the period creating the counters (run again
                // at once: the counters now exist); later ones are records racing on a busy account, which pause.
                if (++conflicts > 1)
                {
                    await DocumentOperations.PauseBeforeRetryAsync(time, conflicts - 1, cancellationToken).ConfigureAwait(false);
                }

                continue;
            }

            switch (output.Status)
            {
                case RecordUsageStatus.Counted:
                    return UsageRecordResult.Counted(ToClaim(accountId, output.Key!), output.Used, NotifiedOf(output.Notified, consumption.Meter));
                case RecordUsageStatus.Refused:
                    return UsageRecordResult.Refused(output.Used, NotifiedOf(output.Notified, consumption.Meter));
                case RecordUsageStatus.Duplicate:
                    return UsageRecordResult.Duplicate(ToClaim(accountId, output.Key!));
                case RecordUsageStatus.StaleAccount:
                    return UsageRecordResult.StaleAccount;
                case RecordUsageStatus.CounterFull:
                    return UsageRecordResult.CounterFull;
                default:
                    // The period's first record: index it before its counters exist, so no counted period is missing from the index.
                    await IndexAsync(accountId, consumption.Period, cancellationToken).ConfigureAwait(false);
                    input = input with { NewCounters = NewDocument(input.CountersId, consumption) };
                    break;
            }
        }

        // Every attempt was rolled back: busy, as a refusal of the store is (the caller retries with the same key).
        throw new UsageNotCountedException($"Usage of '{consumption.Meter}' kept conflicting with concurrent writes to the account's counters ({MaxRecordAttempts} attempts); nothing was counted.");
    }

    public async Task<UsageKeyClaim?> GetKeyAsync(AccountId accountId, string idempotencyKey, CancellationToken cancellationToken) =>
        await Container.ReadAsync<UsageKeyDocument>(DocumentIds.UsageKey(accountId, idempotencyKey), new PartitionKey(accountId.Value), cancellationToken).ConfigureAwait(false) is { } document
            ? ToClaim(accountId, document)
            : null;

    public async Task<bool> TryMarkThresholdAsync(AccountId accountId, UsagePeriodKey periodKey, MeterName meter, int percent, CancellationToken cancellationToken)
    {
        var mark = ThresholdMark(meter, percent);
        var patched = await Container.PatchAsync<UsageDocument>(
            DocumentIds.Usage(accountId, periodKey),
            new PartitionKey(accountId.Value),
            [PatchOperation.Set("/notified/" + mark, time.GetUtcNow())],
            $"FROM c WHERE NOT IS_DEFINED(c.notified.{mark})",
            cancellationToken).ConfigureAwait(false);
        return patched.Status == HttpStatusCode.OK;
    }

    public async Task UnmarkThresholdAsync(AccountId accountId, UsagePeriodKey periodKey, MeterName meter, int percent, CancellationToken cancellationToken)
    {
        var mark = ThresholdMark(meter, percent);
        await Container.PatchAsync<UsageDocument>(
            DocumentIds.Usage(accountId, periodKey),
            new PartitionKey(accountId.Value),
            [PatchOperation.Remove("/notified/" + mark)],
            $"FROM c WHERE IS_DEFINED(c.notified.{mark})",
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The day's entries not invoiced yet: one single-partition query per partition of the day, all at once.</summary>
    public Task<IReadOnlyList<UsagePeriodEntry>> ListPeriodsEndingAsync(DateOnly day, CancellationToken cancellationToken) =>
        ListEntriesAsync(IndexPartitions(day), null, cancellationToken);

    /// <summary>The day's entries, invoiced or not: one single-partition query per partition of the day, all at once.</summary>
    public Task<IReadOnlyList<UsagePeriodEntry>> ListAllPeriodsEndingAsync(DateOnly day, CancellationToken cancellationToken) =>
        ListEntriesAsync(IndexPartitions(day), null, cancellationToken, invoicedToo: true);

    /// <summary>
    /// One account's entries of the day not invoiced yet: the account's bucket and the partition of earlier versions (two
    /// single-partition queries, at once), filtered on the account, so the cost follows the account, not the day's accounts.
    /// </summary>
    public Task<IReadOnlyList<UsagePeriodEntry>> ListPeriodsEndingAsync(DateOnly day, AccountId accountId, CancellationToken cancellationToken) =>
        ListEntriesAsync([DocumentIds.UsagePeriodsPartition(day, accountId), DocumentIds.UsagePeriodsUnbucketedPartition(day)], accountId, cancellationToken);

    private async Task<IReadOnlyList<UsagePeriodEntry>> ListEntriesAsync(IEnumerable<string> partitions, AccountId? account, CancellationToken cancellationToken, bool invoicedToo = false)
    {
        var buckets = await Task.WhenAll(partitions.Select(partition =>
        {
            var query = new QueryDefinition("SELECT * FROM c WHERE c.accountId = @partition AND c.type = @type" + (invoicedToo ? "" : " AND NOT IS_DEFINED(c.invoicedAt)") + (account is null ? "" : " AND c.billingAccountId = @account"))
                .WithParameter("@partition", partition)
                .WithParameter("@type", DocumentTypes.UsagePeriod);
            if (account is { } id)
            {
                query = query.WithParameter("@account", id.Value);
            }

            return QueryAsync<UsagePeriodDocument>(query, new PartitionKey(partition), cancellationToken);
        })).ConfigureAwait(false);
        var entries = new List<UsagePeriodEntry>(buckets.Sum(b => b.Count));
        foreach (var d in buckets.SelectMany(b => b))
        {
            if (AccountId.TryParse(d.BillingAccountId, out var accountId, out _) && UsagePeriodKey.TryParse(d.PeriodKey, out var key))
            {
                entries.Add(new UsagePeriodEntry(accountId, key, d.PeriodStart, d.PeriodEnd));
            }
        }

        return entries;
    }

    public async Task SetIncludedAsync(AccountId accountId, UsagePeriodKey periodKey, PlanCode plan, MeterName meter, long included, IReadOnlyList<MeterAllowance> allowances, CancellationToken cancellationToken)
    {
        var id = DocumentIds.Usage(accountId, periodKey);
        var partitionKey = new PartitionKey(accountId.Value);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var counters = await Container.ReadAsync<UsageDocument>(id, partitionKey, cancellationToken).ConfigureAwait(false);
            if (counters is null || counters.Plan != plan.Value)
            {
                return;
            }

            var now = ToDomain(accountId, counters);
            var then = now.WithIncluded(meter, included, allowances);
            if ((now.Included.GetValueOrDefault(meter, -1), now.Lapsed.GetValueOrDefault(meter, -1), now.Expired.GetValueOrDefault(meter, -1)) == (then.Included[meter], then.Lapsed[meter], then.Expired[meter])
                && now.Covered.TryGetValue(meter, out var covered) && SameCovered(covered, then.Covered[meter]))
            {
                return;
            }

            // An ETag-guarded replace, as the record procedure writes: a count in between makes it read again.
            var changed = counters with
            {
                Included = new Dictionary<string, long>(counters.Included) { [meter.Value] = then.Included[meter] },
                Lapsed = new Dictionary<string, long>(counters.Lapsed ?? []) { [meter.Value] = then.Lapsed[meter] },
                Expired = new Dictionary<string, long>(counters.Expired ?? []) { [meter.Value] = then.Expired[meter] },
                Covered = new Dictionary<string, Dictionary<string, long>>(counters.Covered ?? []) { [meter.Value] = new(then.Covered[meter], StringComparer.Ordinal) },
                UpdatedAt = time.GetUtcNow(),
            };
            var replaced = await Container.ReplaceAsync(changed, id, partitionKey, counters.ETag!, cancellationToken).ConfigureAwait(false);
            if (replaced.Status != HttpStatusCode.PreconditionFailed)
            {
                return;
            }
        }

        throw new InvalidOperationException($"The counters of {accountId} for {periodKey} kept changing under {MaxAttempts} attempts to record what {plan} includes of {meter}.");
    }

    /// <summary>
    /// How long a closing-day entry is kept once invoiced (its <c>ttl</c>, counted from the mark): past the longest look-back
    /// the timer can be given and the farthest its catch-up reads (<c>InvoicingOptions.MaxLookbackDays</c>), after which nothing lists or moves it.
    /// Without it every account's every period with usage left an entry for good.
    /// </summary>
    internal static readonly TimeSpan InvoicedEntryRetention = TimeSpan.FromDays(Application.Invoicing.InvoicingOptions.MaxLookbackDays);

    public async Task MarkPeriodInvoicedAsync(AccountId accountId, UsagePeriodKey periodKey, DateTimeOffset periodEnd, CancellationToken cancellationToken)
    {
        // The entry is on the closing day the run was priced with, unless Stripe moved the period's end since: then
        // it is on the counters' day. None: counted before the index existed, nothing to mark.
        var day = DateOnly.FromDateTime(periodEnd.UtcDateTime);
        var found = await FindEntryAsync(accountId, periodKey, day, cancellationToken).ConfigureAwait(false);
        if (found is null && await Container.ReadAsync<UsageDocument>(DocumentIds.Usage(accountId, periodKey), new PartitionKey(accountId.Value), cancellationToken).ConfigureAwait(false) is { } counters
            && DateOnly.FromDateTime(counters.PeriodEnd.UtcDateTime) is var countersDay && countersDay != day)
        {
            found = await FindEntryAsync(accountId, periodKey, countersDay, cancellationToken).ConfigureAwait(false);
        }

        if (found is { Entry.InvoicedAt: null } entry)
        {
            await Container.PatchAsync<UsagePeriodDocument>(
                entry.Entry.Id,
                new PartitionKey(entry.Partition),
                [PatchOperation.Set("/invoicedAt", time.GetUtcNow()), PatchOperation.Set("/ttl", (int)InvoicedEntryRetention.TotalSeconds)],
                null,
                cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<bool> MovePeriodEndAsync(AccountId accountId, UsagePeriodKey periodKey, PeriodEndMove move, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(move);
        var newEnd = move.NewEnd;
        var id = DocumentIds.Usage(accountId, periodKey);
        var partitionKey = new PartitionKey(accountId.Value);

        // The index moved for counters ending on this day: an attempt that lost to a record counted meanwhile (which does
        // not move the end) only reads and replaces again, a window short enough for an account that keeps counting.
        DateOnly? indexedFrom = null;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var counters = await Container.ReadAsync<UsageDocument>(id, partitionKey, cancellationToken).ConfigureAwait(false);
            if (counters is null || newEnd <= counters.PeriodStart)
            {
                return true;
            }

            // Decided on the counters as read and written with their ETag: an end set from a newer account state since
            // the read makes the replace fail, and the next attempt decides again.
            if (!move.AppliesOver(counters.PeriodEnd, counters.PeriodEndAccountVersion))
            {
                return false; // set from an account state at least as new as the one this move comes from
            }

            var stamp = move.StampOver(counters.PeriodEndAccountVersion);
            if (counters.PeriodEnd == newEnd)
            {
                if (stamp == counters.PeriodEndAccountVersion)
                {
                    return true;
                }

                // Where it should be already: only the newer version is kept (the index entry is where it was).
                var stamped = counters with { PeriodEndAccountVersion = stamp, UpdatedAt = time.GetUtcNow() };
                if ((await Container.ReplaceAsync(stamped, id, partitionKey, counters.ETag!, cancellationToken).ConfigureAwait(false)).Status == HttpStatusCode.PreconditionFailed)
                {
                    continue;
                }

                return true;
            }

            var oldDay = DateOnly.FromDateTime(counters.PeriodEnd.UtcDateTime);
            if (indexedFrom != oldDay)
            {
                var oldEntry = await FindEntryAsync(accountId, periodKey, oldDay, cancellationToken).ConfigureAwait(false);
                if (oldEntry?.Entry.InvoicedAt is not null)
                {
                    return true; // invoiced with these dates: it stays as billed
                }

                // The new day's entry first: the period is never missing from the index, whatever happens in between.
                await IndexAsync(accountId, new UsagePeriod(counters.PeriodStart, newEnd, periodKey), cancellationToken).ConfigureAwait(false);

                // Then the old day's entry, before the counters move: the counters' end is the only record of where it is, so
                // a delivery stopped after the counters moved would leave it listed, never invoiced, for good (the redelivery
                // finds the counters moved and returns). Deleted first, the redelivery finds the counters unmoved and moves them.
                if (oldEntry is { } old && old.Partition != DocumentIds.UsagePeriodsPartition(DateOnly.FromDateTime(newEnd.UtcDateTime), accountId))
                {
                    await Container.DeleteAsync(old.Entry.Id, new PartitionKey(old.Partition), cancellationToken).ConfigureAwait(false);
                }
                else if (oldEntry is { } sameDay && sameDay.Entry.PeriodEnd != newEnd)
                {
                    // The same day's entry, which the create above left as it was: its end moves too, since the timer
                    // queues only entries whose end has passed (a period ended at 09:00 and listed as ending at 15:00
                    // waited until 15:00). A patch: an invoicedAt written meanwhile stays.
                    await Container.PatchAsync<UsagePeriodDocument>(
                        sameDay.Entry.Id,
                        new PartitionKey(sameDay.Partition),
                        [PatchOperation.Set("/periodEnd", newEnd)],
                        null,
                        cancellationToken).ConfigureAwait(false);
                }

                indexedFrom = oldDay;
            }

            var moved = counters with { PeriodEnd = newEnd, PeriodEndAccountVersion = stamp, UpdatedAt = time.GetUtcNow() };
            if ((await Container.ReplaceAsync(moved, id, partitionKey, counters.ETag!, cancellationToken).ConfigureAwait(false)).Status == HttpStatusCode.PreconditionFailed)
            {
                continue; // counted or moved meanwhile: read again (the old entry is gone already; the new one stays)
            }

            return true;
        }

        throw new InvalidOperationException($"The counters of {accountId} for {periodKey} kept changing under {MaxAttempts} attempts to move the period's end.");
    }

    private static bool SameCovered(IReadOnlyDictionary<string, long> stored, IReadOnlyDictionary<string, long> recorded) =>
        stored.Count == recorded.Count && stored.All(c => recorded.TryGetValue(c.Key, out var units) && units == c.Value);

    private static string ThresholdMark(MeterName meter, int percent) => string.Create(CultureInfo.InvariantCulture, $"{meter.Value}_{percent}");

    /// <summary>The thresholds of <paramref name="meter"/> marked in a counters document's <c>notified</c> (<c>{meter}_{percent}</c>).</summary>
    private static int[] NotifiedOf(Dictionary<string, DateTimeOffset>? notified, MeterName meter)
    {
        var prefix = meter.Value + "_";
        return notified is null
            ? []
            : [.. notified.Keys
                .Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
                .Select(k => int.TryParse(k.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var percent) ? percent : -1)
                .Where(p => p >= 0)];
    }

    private UsageDocument NewDocument(string id, UsageConsumption c)
    {
        var now = time.GetUtcNow();

        // What a count records before its unit, on counters with nothing counted yet (an add-on that stopped applying
        // before the period's first unit covered none of it): the procedure's rule, as every later count applies it.
        var first = c.Included is { } units
            ? new UsageCounters { AccountId = c.AccountId, Period = c.Period, Counters = new Dictionary<MeterName, long>() }.WithIncluded(c.Meter, units, c.Allowances ?? [])
            : null;
        return new UsageDocument
        {
            Id = id,
            Type = DocumentTypes.Usage,
            SchemaVersion = DocumentTypes.UsageSchemaVersion,
            AccountId = c.AccountId.Value,
            PeriodKey = c.Period.Key.Value,
            PeriodStart = c.Period.Start,
            PeriodEnd = c.Period.End,
            Counters = new Dictionary<string, long>(StringComparer.Ordinal) { [c.Meter.Value] = c.Amount },
            Plan = c.Plan.Value,
            SubscriptionId = c.SubscriptionId,
            Included = first is null ? [] : new Dictionary<string, long>(StringComparer.Ordinal) { [c.Meter.Value] = first.Included[c.Meter] },
            Lapsed = first is null ? null : new Dictionary<string, long>(StringComparer.Ordinal) { [c.Meter.Value] = first.Lapsed[c.Meter] },
            Expired = first is null ? null : new Dictionary<string, long>(StringComparer.Ordinal) { [c.Meter.Value] = first.Expired[c.Meter] },
            Covered = first is null ? null : new Dictionary<string, Dictionary<string, long>>(StringComparer.Ordinal) { [c.Meter.Value] = new(first.Covered[c.Meter], StringComparer.Ordinal) },
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    /// <summary>The partitions of the closing-day index for <paramref name="day"/>: its buckets, and the one of earlier versions.</summary>
    private static IEnumerable<string> IndexPartitions(DateOnly day) =>
        Enumerable.Range(0, DocumentIds.UsagePeriodsBuckets).Select(bucket => DocumentIds.UsagePeriodsPartition(day, bucket)).Append(DocumentIds.UsagePeriodsUnbucketedPartition(day));

    /// <summary>The period's closing-day entry for <paramref name="day"/> and its partition: the account's bucket, else the one of earlier versions.</summary>
    private async Task<(UsagePeriodDocument Entry, string Partition)?> FindEntryAsync(AccountId accountId, UsagePeriodKey periodKey, DateOnly day, CancellationToken cancellationToken)
    {
        foreach (var partition in (string[])[DocumentIds.UsagePeriodsPartition(day, accountId), DocumentIds.UsagePeriodsUnbucketedPartition(day)])
        {
            if (await Container.ReadAsync<UsagePeriodDocument>(DocumentIds.UsagePeriod(accountId, periodKey), new PartitionKey(partition), cancellationToken).ConfigureAwait(false) is { } entry)
            {
                return (entry, partition);
            }
        }

        return null;
    }

    /// <summary>Writes the period's closing-day entry (idempotent) before its counters exist, so no counted period is missing from it.</summary>
    private async Task IndexAsync(AccountId accountId, UsagePeriod period, CancellationToken cancellationToken)
    {
        var partition = DocumentIds.UsagePeriodsPartition(DateOnly.FromDateTime(period.End.UtcDateTime), accountId);
        var entry = new UsagePeriodDocument
        {
            Id = DocumentIds.UsagePeriod(accountId, period.Key),
            Type = DocumentTypes.UsagePeriod,
            SchemaVersion = DocumentTypes.UsagePeriodSchemaVersion,
            AccountId = partition,
            BillingAccountId = accountId.Value,
            PeriodKey = period.Key.Value,
            PeriodStart = period.Start,
            PeriodEnd = period.End,
        };
        await Container.CreateAsync(entry, new PartitionKey(partition), cancellationToken).ConfigureAwait(false); // 409: already indexed
    }

    private async Task<List<T>> QueryAsync<T>(QueryDefinition query, PartitionKey partitionKey, CancellationToken cancellationToken)
    {
        var found = new List<T>();
        using var feed = Container.GetItemQueryIterator<T>(query, requestOptions: new QueryRequestOptions { PartitionKey = partitionKey });
        while (feed.HasMoreResults)
        {
            found.AddRange(await feed.ReadPageAsync(cancellationToken).ConfigureAwait(false));
        }

        return found;
    }

    private static string Stamp(DateTimeOffset instant) => instant.UtcDateTime.ToString(UtcDateTimeOffsetConverter.Format, CultureInfo.InvariantCulture);

    private static UsageKeyDocument ToDocument(string id, UsageKeyClaim claim) => new()
    {
        Id = id,
        Type = DocumentTypes.UsageKey,
        SchemaVersion = DocumentTypes.UsageKeySchemaVersion,
        AccountId = claim.AccountId.Value,
        IdempotencyKey = claim.IdempotencyKey,
        Meter = claim.Meter.Value,
        Quantity = claim.Quantity,
        PeriodKey = claim.PeriodKey.Value,
        PeriodStart = claim.PeriodStart,
        PeriodEnd = claim.PeriodEnd,
        OccurredAt = claim.OccurredAt,
        RecordedAt = claim.RecordedAt,
        Ttl = (int)Math.Min(int.MaxValue, claim.Retention.TotalSeconds),
    };

    private static UsageKeyClaim ToClaim(AccountId accountId, UsageKeyDocument d) => new()
    {
        AccountId = accountId,
        IdempotencyKey = d.IdempotencyKey,
        Meter = MeterName.Parse(d.Meter),
        Quantity = d.Quantity,
        PeriodKey = UsagePeriodKey.Parse(d.PeriodKey),
        PeriodStart = d.PeriodStart,
        PeriodEnd = d.PeriodEnd,
        OccurredAt = d.OccurredAt,
        RecordedAt = d.RecordedAt,
        Retention = TimeSpan.FromSeconds(d.Ttl),
        Counted = d.Counted is { } c ? new CountedUsage(c.Used, c.Limit, c.Remaining, c.Overage) : null,
    };

    private static UsageCounters ToDomain(AccountId accountId, UsageDocument document) => new()
    {
        AccountId = accountId,
        Period = new UsagePeriod(document.PeriodStart, document.PeriodEnd, UsagePeriodKey.Parse(document.PeriodKey)),
        Counters = Meters(document.Counters),
        Plan = PlanCode.TryParse(document.Plan, out var plan) ? plan : null,
        SubscriptionId = document.SubscriptionId,
        Included = Meters(document.Included),
        Lapsed = Meters(document.Lapsed),
        Expired = Meters(document.Expired),
        Covered = CoveredOf(document.Covered),
        Since = Meters(document.Since),
        Earlier = [.. (document.Earlier ?? []).Select(s => new PlanStretch(PlanCode.TryParse(s.Plan, out var code) ? code : null, Meters(s.From), Meters(s.To), Meters(s.Included)))],
    };

    private static Dictionary<MeterName, IReadOnlyDictionary<string, long>> CoveredOf(Dictionary<string, Dictionary<string, long>>? values)
    {
        var meters = new Dictionary<MeterName, IReadOnlyDictionary<string, long>>();
        foreach (var (name, covered) in values ?? [])
        {
            if (MeterName.TryParse(name, out var meter))
            {
                meters[meter] = new Dictionary<string, long>(covered, StringComparer.Ordinal);
            }
        }

        return meters;
    }

    private static Dictionary<MeterName, long> Meters(Dictionary<string, long>? values)
    {
        var meters = new Dictionary<MeterName, long>();
        foreach (var (name, value) in values ?? [])
        {
            if (MeterName.TryParse(name, out var meter))
            {
                meters[meter] = value;
            }
        }

        return meters;
    }
}
