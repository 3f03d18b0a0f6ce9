using System.Globalization;
using System.Net;
using Billing.Application.Usage;
using Billing.Cosmos.Documents;
using Billing.Cosmos.Serialization;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Microsoft.Azure.Cosmos;

namespace Billing.Cosmos.Usage;

/// <summary>
/// Usage in the accounts container, all in the account's partition: one counters document per period, whose
/// increments are single patches; with a hard limit the patch carries a filter predicate, so the server refuses it
/// (412) instead of letting the counter pass the limit, whatever the concurrency. Idempotency keys are documents of
/// their own whose create is the atomic claim (the local Cosmos server has no transactional batch, and one code path
/// runs locally and in Azure). The first count of a period writes its closing-day index entry, then creates the
/// counters; a concurrent creator's 409 sends the loser back to the patch.
/// </summary>
public sealed class CosmosUsageLedger(BillingContainers containers, TimeProvider time) : IUsageLedger
{
    private const int MaxAttempts = 5;

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

    public async Task<UsageKeyClaim?> ClaimKeyAsync(UsageKeyClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var id = DocumentIds.UsageKey(claim.AccountId, claim.IdempotencyKey);
        var partitionKey = new PartitionKey(claim.AccountId.Value);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var created = await Container.CreateAsync(ToDocument(id, claim), partitionKey, cancellationToken).ConfigureAwait(false);
            if (created.Status != HttpStatusCode.Conflict)
            {
                return null;
            }

            // Released between our create and this read (its count was refused): try to claim it again.
            if (await Container.ReadAsync<UsageKeyDocument>(id, partitionKey, cancellationToken).ConfigureAwait(false) is { } holder)
            {
                return ToClaim(claim.AccountId, holder);
            }
        }

        throw new InvalidOperationException($"The idempotency key of account '{claim.AccountId}' kept changing hands after {MaxAttempts} attempts.");
    }

    public async Task<UsageKeyClaim?> GetKeyAsync(AccountId accountId, string idempotencyKey, CancellationToken cancellationToken) =>
        await Container.ReadAsync<UsageKeyDocument>(DocumentIds.UsageKey(accountId, idempotencyKey), new PartitionKey(accountId.Value), cancellationToken).ConfigureAwait(false) is { } document
            ? ToClaim(accountId, document)
            : null;

    public async Task SettleKeyAsync(UsageKeyClaim claim, CountedUsage counted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        await Container.PatchAsync<UsageKeyDocument>(
            DocumentIds.UsageKey(claim.AccountId, claim.IdempotencyKey),
            new PartitionKey(claim.AccountId.Value),
            [PatchOperation.Set("/counted", new UsageKeyDocument.CountedAnswer(counted.Used, counted.Limit, counted.Remaining, counted.Overage))],
            null,
            cancellationToken).ConfigureAwait(false);
    }

    public async Task ReleaseKeyAsync(AccountId accountId, string idempotencyKey, CancellationToken cancellationToken) =>
        await Container.DeleteAsync(DocumentIds.UsageKey(accountId, idempotencyKey), new PartitionKey(accountId.Value), cancellationToken).ConfigureAwait(false);

    public async Task<UsageConsumeResult> TryConsumeAsync(UsageConsumption consumption, CancellationToken cancellationToken)
    {
        try
        {
            return await ConsumeAsync(consumption, cancellationToken).ConfigureAwait(false);
        }
        catch (CosmosException exception) when (exception.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
        {
            // Throttled or unavailable: Cosmos DB did not apply the write.
            throw new UsageNotCountedException($"The usage store refused the count ({(int)exception.StatusCode}); nothing was counted.", exception);
        }
        catch (HttpRequestException exception) when (exception.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError)
        {
            // No connection was made: the count was never sent.
            throw new UsageNotCountedException("The usage store could not be reached; nothing was counted.", exception);
        }
    }

    private async Task<UsageConsumeResult> ConsumeAsync(UsageConsumption consumption, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(consumption);
        var (accountId, period, meter, amount, limit) = (consumption.AccountId, consumption.Period, consumption.Meter, consumption.Amount, consumption.Limit);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);
        if (limit is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(consumption), limit, "A limit must not be negative.");
        }

        var id = DocumentIds.Usage(accountId, period.Key);
        var partitionKey = new PartitionKey(accountId.Value);
        if (limit is { } max && amount > max)
        {
            return await RefusedAsync(id, partitionKey, meter, cancellationToken).ConfigureAwait(false);
        }

        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var patched = await Container.PatchAsync<UsageDocument>(id, partitionKey, IncrementOperations(consumption), LimitPredicate(meter, amount, limit), cancellationToken).ConfigureAwait(false);
            switch (patched.Status)
            {
                case HttpStatusCode.OK:
                    return Result(true, patched.Document!, meter);

                case HttpStatusCode.PreconditionFailed:
                    var refused = await RefusedAsync(id, partitionKey, meter, cancellationToken).ConfigureAwait(false);
                    if (refused.Counter + amount > limit!.Value)
                    {
                        return refused;
                    }

                    continue;

                case HttpStatusCode.NotFound:
                    await IndexAsync(accountId, period, cancellationToken).ConfigureAwait(false);
                    var created = await Container.CreateAsync(NewDocument(id, consumption), partitionKey, cancellationToken).ConfigureAwait(false);
                    if (created.Status == HttpStatusCode.Created)
                    {
                        return Result(true, created.Document!, meter);
                    }

                    continue; // 409: someone else created the period's document; patch it.
            }
        }

        throw new InvalidOperationException($"Usage of '{meter}' for account '{accountId}' in period '{period.Key}' could not be recorded after {MaxAttempts} attempts.");
    }

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

    public async Task<IReadOnlyList<UsagePeriodEntry>> ListPeriodsEndingAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var partition = DocumentIds.UsagePeriodsPartition(day);
        var query = new QueryDefinition("SELECT * FROM c WHERE c.accountId = @partition AND c.type = @type AND NOT IS_DEFINED(c.invoicedAt)")
            .WithParameter("@partition", partition)
            .WithParameter("@type", DocumentTypes.UsagePeriod);
        var documents = await QueryAsync<UsagePeriodDocument>(query, new PartitionKey(partition), cancellationToken).ConfigureAwait(false);
        var entries = new List<UsagePeriodEntry>(documents.Count);
        foreach (var d in documents)
        {
            if (AccountId.TryParse(d.BillingAccountId, out var accountId, out _) && UsagePeriodKey.TryParse(d.PeriodKey, out var key))
            {
                entries.Add(new UsagePeriodEntry(accountId, key, d.PeriodStart, d.PeriodEnd));
            }
        }

        return entries;
    }

    public async Task MarkPeriodInvoicedAsync(AccountId accountId, UsagePeriodKey periodKey, DateTimeOffset periodEnd, CancellationToken cancellationToken) =>
        await Container.PatchAsync<UsagePeriodDocument>(
            DocumentIds.UsagePeriod(accountId, periodKey),
            new PartitionKey(DocumentIds.UsagePeriodsPartition(DateOnly.FromDateTime(periodEnd.UtcDateTime))),
            [PatchOperation.Set("/invoicedAt", time.GetUtcNow())],
            null,
            cancellationToken).ConfigureAwait(false); // 404: no entry (counted before the index existed): nothing to mark

    /// <summary>The patch path of a meter; meter names are plain identifiers, so no escaping is needed.</summary>
    internal static string CounterPath(MeterName meter) => "/counters/" + meter.Value;

    /// <summary>
    /// "The counter is absent or leaves room for <paramref name="amount"/>". Property names and keywords are plain
    /// lower-case identifiers, which both real Cosmos DB and the local server (which lower-cases predicates) read alike.
    /// </summary>
    internal static string? LimitPredicate(MeterName meter, long amount, long? limit) =>
        limit is { } max
            ? string.Create(CultureInfo.InvariantCulture, $"FROM c WHERE NOT IS_DEFINED(c.counters.{meter.Value}) OR c.counters.{meter.Value} <= {max - amount}")
            : null;

    private static string ThresholdMark(MeterName meter, int percent) => string.Create(CultureInfo.InvariantCulture, $"{meter.Value}_{percent}");

    private PatchOperation[] IncrementOperations(UsageConsumption c)
    {
        var operations = new List<PatchOperation>(4)
        {
            PatchOperation.Increment(CounterPath(c.Meter), c.Amount),
            PatchOperation.Set("/updatedAt", time.GetUtcNow()),
            PatchOperation.Set("/plan", c.Plan.Value),
        };
        if (c.Included is { } included)
        {
            operations.Add(PatchOperation.Set("/included/" + c.Meter.Value, included));
        }

        return [.. operations];
    }

    private UsageDocument NewDocument(string id, UsageConsumption c)
    {
        var now = time.GetUtcNow();
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
            Included = c.Included is { } included ? new Dictionary<string, long>(StringComparer.Ordinal) { [c.Meter.Value] = included } : [],
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    /// <summary>Writes the period's closing-day entry (idempotent) before its counters exist, so no counted period is missing from it.</summary>
    private async Task IndexAsync(AccountId accountId, UsagePeriod period, CancellationToken cancellationToken)
    {
        var partition = DocumentIds.UsagePeriodsPartition(DateOnly.FromDateTime(period.End.UtcDateTime));
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

    private async Task<UsageConsumeResult> RefusedAsync(string id, PartitionKey partitionKey, MeterName meter, CancellationToken cancellationToken)
    {
        var document = await Container.ReadAsync<UsageDocument>(id, partitionKey, cancellationToken).ConfigureAwait(false);
        return document is null ? new UsageConsumeResult(false, 0, []) : Result(false, document, meter);
    }

    private static UsageConsumeResult Result(bool consumed, UsageDocument document, MeterName meter)
    {
        var prefix = meter.Value + "_";
        var notified = document.Notified.Keys
            .Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
            .Select(k => int.TryParse(k.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var percent) ? percent : -1)
            .Where(p => p >= 0)
            .ToArray();
        return new UsageConsumeResult(consumed, document.Counters.GetValueOrDefault(meter.Value), notified);
    }

    private async Task<List<T>> QueryAsync<T>(QueryDefinition query, PartitionKey partitionKey, CancellationToken cancellationToken)
    {
        var found = new List<T>();
        using var feed = Container.GetItemQueryIterator<T>(query, requestOptions: new QueryRequestOptions { PartitionKey = partitionKey });
        while (feed.HasMoreResults)
        {
            found.AddRange(await feed.ReadNextAsync(cancellationToken).ConfigureAwait(false));
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
        Included = Meters(document.Included),
    };

    private static Dictionary<MeterName, long> Meters(Dictionary<string, long> values)
    {
        var meters = new Dictionary<MeterName, long>();
        foreach (var (name, value) in values)
        {
            if (MeterName.TryParse(name, out var meter))
            {
                meters[meter] = value;
            }
        }

        return meters;
    }
}
