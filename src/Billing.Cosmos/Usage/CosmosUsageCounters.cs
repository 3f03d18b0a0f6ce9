using System.Globalization;
using System.Net;
using Billing.Application.Usage;
using Billing.Cosmos.Documents;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Microsoft.Azure.Cosmos;

namespace Billing.Cosmos.Usage;

/// <summary>
/// Usage counters as one document per account and period in the accounts container. A consumption is a single
/// patch increment; with a hard limit the patch carries a filter predicate, so the server refuses it (412)
/// instead of letting the counter pass the limit, whatever the concurrency. The first consumption of a period
/// creates the document; a concurrent creator's 409 sends the loser back to the patch.
/// </summary>
public sealed class CosmosUsageCounters(BillingContainers containers, TimeProvider time) : IUsageCounters
{
    private const int MaxAttempts = 5;

    private Container Container => containers.Accounts;

    public async Task<UsageCounters?> GetAsync(AccountId accountId, UsagePeriodKey periodKey, CancellationToken cancellationToken)
    {
        var document = await Container.ReadAsync<UsageDocument>(DocumentIds.Usage(accountId, periodKey), new PartitionKey(accountId.Value), cancellationToken).ConfigureAwait(false);
        return document is null ? null : ToDomain(accountId, document);
    }

    public async Task<UsageConsumeResult> TryConsumeAsync(AccountId accountId, UsagePeriod period, MeterName meter, long amount, long? limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(period);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);
        if (limit is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "A limit must not be negative.");
        }

        var id = DocumentIds.Usage(accountId, period.Key);
        var partitionKey = new PartitionKey(accountId.Value);
        if (limit is { } max && amount > max)
        {
            return UsageConsumeResult.Exceeded(await CurrentAsync(id, partitionKey, meter, cancellationToken).ConfigureAwait(false), max);
        }

        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            PatchOperation[] operations =
            [
                PatchOperation.Increment(CounterPath(meter), amount),
                PatchOperation.Set("/updatedAt", time.GetUtcNow()),
            ];
            var patched = await Container.PatchAsync<UsageDocument>(id, partitionKey, operations, LimitPredicate(meter, amount, limit), cancellationToken).ConfigureAwait(false);
            switch (patched.Status)
            {
                case HttpStatusCode.OK:
                    return UsageConsumeResult.Consumed(patched.Document!.Counters.GetValueOrDefault(meter.Value), limit);

                case HttpStatusCode.PreconditionFailed:
                    var current = await CurrentAsync(id, partitionKey, meter, cancellationToken).ConfigureAwait(false);
                    if (current + amount > limit!.Value)
                    {
                        return UsageConsumeResult.Exceeded(current, limit.Value);
                    }

                    continue;

                case HttpStatusCode.NotFound:
                    var now = time.GetUtcNow();
                    var document = new UsageDocument
                    {
                        Id = id,
                        Type = DocumentTypes.Usage,
                        SchemaVersion = DocumentTypes.UsageSchemaVersion,
                        AccountId = accountId.Value,
                        PeriodKey = period.Key.Value,
                        PeriodStart = period.Start,
                        PeriodEnd = period.End,
                        Counters = new Dictionary<string, long>(StringComparer.Ordinal) { [meter.Value] = amount },
                        CreatedAt = now,
                        UpdatedAt = now,
                    };
                    var created = await Container.CreateAsync(document, partitionKey, cancellationToken).ConfigureAwait(false);
                    if (created.Status == HttpStatusCode.Created)
                    {
                        return UsageConsumeResult.Consumed(amount, limit);
                    }

                    continue; // 409: someone else created the period's document; patch it.
            }
        }

        throw new InvalidOperationException($"Usage of '{meter}' for account '{accountId}' in period '{period.Key}' could not be recorded after {MaxAttempts} attempts.");
    }

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

    private async Task<long> CurrentAsync(string id, PartitionKey partitionKey, MeterName meter, CancellationToken cancellationToken)
    {
        var document = await Container.ReadAsync<UsageDocument>(id, partitionKey, cancellationToken).ConfigureAwait(false);
        return document?.Counters.GetValueOrDefault(meter.Value) ?? 0;
    }

    private static UsageCounters ToDomain(AccountId accountId, UsageDocument document)
    {
        var counters = new Dictionary<MeterName, long>();
        foreach (var (name, value) in document.Counters)
        {
            if (MeterName.TryParse(name, out var meter))
            {
                counters[meter] = value;
            }
        }

        return new UsageCounters
        {
            AccountId = accountId,
            Period = new UsagePeriod(document.PeriodStart, document.PeriodEnd, UsagePeriodKey.Parse(document.PeriodKey)),
            Counters = counters,
        };
    }
}
