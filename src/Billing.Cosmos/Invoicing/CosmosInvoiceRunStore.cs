using System.Globalization;
using System.Net;
using System.Text.Json;
using Billing.Application.Invoicing;
using Billing.Cosmos.Admin;
using Billing.Cosmos.Documents;
using Billing.Cosmos.Serialization;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;
using Microsoft.Azure.Cosmos;

namespace Billing.Cosmos.Invoicing;

/// <summary>
/// Invoice runs in the accounts container (partition = account id, id <c>invoice-run:{accountId}:{periodKey}</c>):
/// a point read, a create whose 409 hands back the run stored first (one run per account and period, whoever wins),
/// ETag-guarded replaces that keep fields a newer version wrote and number the saves (<c>revision</c>), and the caller's invoices as one query inside the
/// account's partition (the partition key also in the WHERE clause, as the local server needs). Every stored run with
/// a Stripe invoice is copied to the operators' invoice index (<see cref="CosmosInvoiceDirectory"/>) after its write; a
/// copy that fails throws <see cref="Billing.Application.OperatorCopyNotWrittenException"/>, the run being stored.
/// </summary>
public sealed class CosmosInvoiceRunStore(BillingContainers containers, CosmosInvoiceDirectory index) : IInvoiceRunStore
{
    private const int MaxCreateAttempts = 3;

    /// <summary>
    /// The most runs of one account whose periods begin at one instant: one per kind of period key (a calendar month, a
    /// subscription period and a local trial; <c>UsagePeriodKey</c>), since a key names its start.
    /// </summary>
    private const int MaxRunsPerStart = 3;

    /// <summary>Point reads of the runs a page of the month's run index names, at a time.</summary>
    private const int RunReadParallelism = 16;

    private Container Container => containers.Accounts;

    public async Task<InvoiceRun?> GetAsync(AccountId accountId, UsagePeriodKey periodKey, CancellationToken cancellationToken)
    {
        var document = await ReadAsync(accountId, periodKey, cancellationToken).ConfigureAwait(false);
        return document is null ? null : ToDomain(document);
    }

    /// <summary>One query inside the account's partition on the runs' ids (always indexed), its pages bounded by the periods asked for.</summary>
    public async Task<IReadOnlyList<InvoiceRun>> GetManyAsync(AccountId accountId, IReadOnlyCollection<UsagePeriodKey> periodKeys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(periodKeys);
        var ids = periodKeys.Select(k => DocumentIds.InvoiceRun(accountId, k)).Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count == 0)
        {
            return [];
        }

        var query = new QueryDefinition(string.Create(
                CultureInfo.InvariantCulture,
                $"SELECT * FROM c WHERE c.accountId = @account AND c.type = @type AND c.id IN ({string.Join(", ", ids.Select((_, i) => $"@id{i}"))})"))
            .WithParameter("@account", accountId.Value)
            .WithParameter("@type", DocumentTypes.InvoiceRun);
        for (var i = 0; i < ids.Count; i++)
        {
            query = query.WithParameter(string.Create(CultureInfo.InvariantCulture, $"@id{i}"), ids[i]);
        }

        return await QueryAsync(query, new QueryRequestOptions { PartitionKey = PartitionKeyOf(accountId), MaxItemCount = ids.Count }, ids.Count, cancellationToken).ConfigureAwait(false);
    }

    public async Task<InvoiceRun> CreateAsync(InvoiceRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        // The month's run index names the run before it exists, so every stored run is listed (an entry whose run
        // was never created is passed over by the listing); 409: a concurrent or earlier job wrote it, the same.
        await NameInMonthIndexAsync(run, cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; attempt <= MaxCreateAttempts; attempt++)
        {
            var created = await Container.CreateAsync(ToDocument(run, stored: null), PartitionKeyOf(run.AccountId), cancellationToken).ConfigureAwait(false);
            if (created.Status != HttpStatusCode.Conflict)
            {
                var stored = ToDomain(created.Document!);
                await index.RecordAsync(stored, cancellationToken).ConfigureAwait(false);
                return stored;
            }

            // 409: a concurrent or earlier job stored the run first; theirs is the run.
            if (await ReadAsync(run.AccountId, run.PeriodKey, cancellationToken).ConfigureAwait(false) is { } existing)
            {
                return ToDomain(existing);
            }
        }

        throw new InvalidOperationException($"Invoice run {run.RunId} could neither be created nor read after {MaxCreateAttempts} attempts (created and deleted concurrently?).");
    }

    /// <summary>One create in the month's index partition; a 409 means the entry is there already (entries never change).</summary>
    public async Task<bool> NameInMonthIndexAsync(InvoiceRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var partition = DocumentIds.RunIndexPartition(BillingMonth.Of(run.PeriodEnd).ToString());
        var created = await Container.CreateAsync(
            new RunEntryDocument
            {
                Id = DocumentIds.RunEntry(run.AccountId, run.PeriodKey),
                Type = DocumentTypes.RunEntry,
                SchemaVersion = DocumentTypes.RunEntrySchemaVersion,
                AccountId = partition,
                BillingAccountId = run.AccountId.Value,
                PeriodKey = run.PeriodKey.Value,
                PeriodEnd = run.PeriodEnd,
                CreatedAt = run.CreatedAt,
            },
            new PartitionKey(partition),
            cancellationToken).ConfigureAwait(false);
        return created.Status != HttpStatusCode.Conflict;
    }

    /// <summary>A point read of the month's mark in its index partition.</summary>
    public async Task<DateTimeOffset?> GetMonthIndexCompletedAsync(BillingMonth month, CancellationToken cancellationToken)
    {
        var partition = DocumentIds.RunIndexPartition(month.ToString());
        var mark = await Container.ReadAsync<RunIndexMarkDocument>(DocumentIds.RunIndexCompleted, new PartitionKey(partition), cancellationToken).ConfigureAwait(false);
        return mark?.CompletedAt;
    }

    /// <summary>One create of the month's mark; a 409 keeps the mark of the first backfill that finished.</summary>
    public async Task MarkMonthIndexCompletedAsync(BillingMonth month, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var partition = DocumentIds.RunIndexPartition(month.ToString());
        await Container.CreateAsync(
            new RunIndexMarkDocument
            {
                Id = DocumentIds.RunIndexCompleted,
                Type = DocumentTypes.RunIndexMark,
                SchemaVersion = DocumentTypes.RunIndexMarkSchemaVersion,
                AccountId = partition,
                CompletedAt = at,
            },
            new PartitionKey(partition),
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<InvoiceRun> SaveAsync(InvoiceRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var etag = run.ETag ?? throw new ArgumentException($"Invoice run {run.RunId} has no ETag: only a run read from the store can be saved.", nameof(run));

        // Read first: a run written by a newer version is not rewritten, and fields this version does not know are kept.
        var stored = await ReadAsync(run.AccountId, run.PeriodKey, cancellationToken).ConfigureAwait(false)
                     ?? throw new InvalidOperationException($"Invoice run {run.RunId} is not stored; it cannot be saved.");
        if (!string.Equals(stored.ETag, etag, StringComparison.Ordinal))
        {
            throw Conflict(run);
        }

        stored.EnsureRewritableBy(DocumentTypes.InvoiceRunSchemaVersion);

        var replaced = await Container.ReplaceAsync(ToDocument(run, stored), stored.Id, PartitionKeyOf(run.AccountId), etag, cancellationToken).ConfigureAwait(false);
        var saved = replaced.Status switch
        {
            HttpStatusCode.OK => ToDomain(replaced.Document!),
            HttpStatusCode.NotFound => throw new InvalidOperationException($"Invoice run {run.RunId} was deleted while it was saved."),
            _ => throw Conflict(run), // 412: written by another job since it was read
        };
        await index.RecordAsync(saved, cancellationToken).ConfigureAwait(false);
        return saved;
    }

    public Task RecordInIndexAsync(InvoiceRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        return index.RecordAsync(run, cancellationToken);
    }

    /// <summary>
    /// One query inside the account's partition ordered by the period's start alone (an order on two paths would need a
    /// composite index, which a container provisioned earlier lacks until its infrastructure is deployed again and the
    /// index is built), then ordered by start and run id here. At most <see cref="MaxRunsPerStart"/> of an account's runs
    /// begin at one instant, so the query reads that many twice beyond the page: every run starting no later than the
    /// page's last one is then among those read, whichever of them the store returns first.
    /// </summary>
    public async Task<IReadOnlyList<InvoiceRun>> ListInvoicedAsync(AccountId accountId, InvoicedRunPosition? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var read = limit + (2 * MaxRunsPerStart);
        var query = new QueryDefinition(string.Create(
                CultureInfo.InvariantCulture,
                $"SELECT TOP {read} * FROM c WHERE c.accountId = @account AND c.type = @type AND IS_DEFINED(c.stripeInvoiceId) AND (c.step = @finalized OR c.step = @recorded){(after is null ? "" : " AND c.periodStart <= @start")} ORDER BY c.periodStart DESC"))
            .WithParameter("@account", accountId.Value)
            .WithParameter("@type", DocumentTypes.InvoiceRun)
            .WithParameter("@finalized", StepValue(InvoiceRunStep.Finalized))
            .WithParameter("@recorded", StepValue(InvoiceRunStep.Recorded));
        if (after is { } position)
        {
            query = query.WithParameter("@start", Stamp(position.PeriodStart));
        }

        var runs = new List<InvoiceRun>();
        var options = new QueryRequestOptions { PartitionKey = PartitionKeyOf(accountId), MaxItemCount = read };
        using var feed = Container.GetItemQueryIterator<InvoiceRunDocument>(query, requestOptions: options);
        while (feed.HasMoreResults && runs.Count < read)
        {
            foreach (var document in await feed.ReadPageAsync(cancellationToken).ConfigureAwait(false))
            {
                if (runs.Count < read && string.Equals(document.AccountId, accountId.Value, StringComparison.Ordinal))
                {
                    runs.Add(ToDomain(document));
                }
            }
        }

        return [.. runs
            .Where(r => after is not { } p || r.PeriodStart < p.PeriodStart || (r.PeriodStart == p.PeriodStart && string.CompareOrdinal(r.PeriodKey.Value, p.PeriodKey.Value) < 0))
            .OrderByDescending(r => r.PeriodStart)
            .ThenByDescending(r => r.PeriodKey.Value, StringComparer.Ordinal)
            .Take(limit)];
    }

    /// <summary>
    /// With an account, one query inside its partition. Without, the month's run index: one query inside its partition
    /// <c>/admin/runs/{yyyy-MM}</c> for the next entries in id order (run id order), then a point read of each run, a few
    /// at a time (an entry whose run was never created is passed over, and the next entries read in its place); no query
    /// across the accounts' partitions.
    /// </summary>
    public async Task<IReadOnlyList<InvoiceRun>> ListOfMonthAsync(BillingMonth month, AccountId? accountId, string? afterRunId, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return accountId is { } account
            ? await ListOfAccountAsync(month, account, afterRunId, limit, cancellationToken).ConfigureAwait(false)
            : await ListFromRunIndexAsync(month, afterRunId, limit, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<InvoiceRun>> ListOfAccountAsync(BillingMonth month, AccountId accountId, string? afterRunId, int limit, CancellationToken cancellationToken)
    {
        var filter = afterRunId is null ? "" : " AND c.id > @after";
        var query = new QueryDefinition(string.Create(
                CultureInfo.InvariantCulture,
                $"SELECT TOP {limit} * FROM c WHERE c.accountId = @account AND c.type = @type AND c.periodEnd > @endsAfter AND c.periodEnd <= @endsBy{filter} ORDER BY c.id"))
            .WithParameter("@account", accountId.Value)
            .WithParameter("@type", DocumentTypes.InvoiceRun)
            .WithParameter("@endsAfter", Stamp(month.Start))
            .WithParameter("@endsBy", Stamp(month.End));
        if (afterRunId is not null)
        {
            query = query.WithParameter("@after", DocumentIds.InvoiceRunPrefix + afterRunId);
        }

        var options = new QueryRequestOptions { MaxItemCount = limit, PartitionKey = PartitionKeyOf(accountId) };
        return await QueryAsync(query, options, limit, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<InvoiceRun>> ListFromRunIndexAsync(BillingMonth month, string? afterRunId, int limit, CancellationToken cancellationToken)
    {
        var partition = DocumentIds.RunIndexPartition(month.ToString());
        var found = new List<InvoiceRun>(limit);
        var after = afterRunId;
        while (found.Count < limit)
        {
            var wanted = limit - found.Count;
            var query = new QueryDefinition(string.Create(
                    CultureInfo.InvariantCulture,
                    $"SELECT TOP {wanted + 1} * FROM c WHERE c.accountId = @partition AND c.type = @type{(after is null ? "" : " AND c.id > @after")} ORDER BY c.id"))
                .WithParameter("@partition", partition)
                .WithParameter("@type", DocumentTypes.RunEntry);
            if (after is not null)
            {
                query = query.WithParameter("@after", DocumentIds.RunEntryPrefix + after);
            }

            var (entries, hasMore) = await Container.QueryPageAsync<RunEntryDocument>(
                query, new PartitionKey(partition), wanted, e => e.AccountId == partition && e.Type == DocumentTypes.RunEntry, cancellationToken).ConfigureAwait(false);
            var runs = new InvoiceRun?[entries.Count];
            await Parallel.ForAsync(0, entries.Count, new ParallelOptions { MaxDegreeOfParallelism = RunReadParallelism, CancellationToken = cancellationToken }, async (i, ct) =>
            {
                if (AccountId.TryParse(entries[i].BillingAccountId, out var account, out _) && UsagePeriodKey.TryParse(entries[i].PeriodKey, out var key))
                {
                    runs[i] = await GetAsync(account, key, ct).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
            found.AddRange(runs.OfType<InvoiceRun>());
            if (!hasMore || entries.Count == 0)
            {
                break;
            }

            after = entries[^1].BillingAccountId + ":" + entries[^1].PeriodKey;
        }

        return found;
    }

    /// <summary>
    /// The run's entry in the operators' invoice index names it (one query inside the index partition on
    /// <c>stripeInvoiceId</c>, indexed: <see cref="ContainerDefinitions.AccountsIndexedPaths"/>), then a point read. Only a
    /// run without its entry (its copy failed on every delivery), or an invoice no run has, takes the query across every
    /// account's partition that served every lookup before; for the operator only, never on a customer's or webhook path.
    /// </summary>
    public async Task<InvoiceRun?> FindByStripeInvoiceAsync(string stripeInvoiceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stripeInvoiceId);
        if (await index.FindRunAsync(stripeInvoiceId, cancellationToken).ConfigureAwait(false) is { } indexed
            && await GetAsync(indexed.AccountId, indexed.PeriodKey, cancellationToken).ConfigureAwait(false) is { } run
            && run.StripeInvoiceId == stripeInvoiceId)
        {
            return run;
        }

        var query = new QueryDefinition("SELECT TOP 1 * FROM c WHERE c.type = @type AND c.stripeInvoiceId = @invoice")
            .WithParameter("@type", DocumentTypes.InvoiceRun)
            .WithParameter("@invoice", stripeInvoiceId);
        return (await QueryAsync(query, new QueryRequestOptions { MaxItemCount = 1 }, 1, cancellationToken).ConfigureAwait(false)).SingleOrDefault();
    }

    /// <summary>The stored form of a step (<c>finalized</c>), as the serializer writes the enum.</summary>
    internal static string StepValue(InvoiceRunStep step) => JsonNamingPolicy.CamelCase.ConvertName(step.ToString());

    private async Task<IReadOnlyList<InvoiceRun>> QueryAsync(QueryDefinition query, QueryRequestOptions options, int limit, CancellationToken cancellationToken)
    {
        var found = new List<InvoiceRun>();
        using var feed = Container.GetItemQueryIterator<InvoiceRunDocument>(query, requestOptions: options);
        while (feed.HasMoreResults && found.Count < limit)
        {
            foreach (var document in await feed.ReadPageAsync(cancellationToken).ConfigureAwait(false))
            {
                if (found.Count < limit)
                {
                    found.Add(ToDomain(document));
                }
            }
        }

        return found;
    }

    /// <summary>Dates are stored in one fixed-width UTC format, so string order is time order.</summary>
    private static string Stamp(DateTimeOffset instant) => instant.UtcDateTime.ToString(UtcDateTimeOffsetConverter.Format, CultureInfo.InvariantCulture);

    private Task<InvoiceRunDocument?> ReadAsync(AccountId accountId, UsagePeriodKey periodKey, CancellationToken cancellationToken) =>
        Container.ReadAsync<InvoiceRunDocument>(DocumentIds.InvoiceRun(accountId, periodKey), PartitionKeyOf(accountId), cancellationToken);

    private static PartitionKey PartitionKeyOf(AccountId accountId) => new(accountId.Value);

    private static InvoiceRunConflictException Conflict(InvoiceRun run) =>
        new($"Invoice run {run.RunId} was written by another job since it was read; its delivery is retried from the stored state.");

    private static InvoiceRunDocument ToDocument(InvoiceRun run, InvoiceRunDocument? stored) => new()
    {
        Id = DocumentIds.InvoiceRun(run.AccountId, run.PeriodKey),
        Type = DocumentTypes.InvoiceRun,
        SchemaVersion = run.CollectionPause is null ? DocumentTypes.InvoiceRunSchemaVersionCollected : DocumentTypes.InvoiceRunSchemaVersion,
        AccountId = run.AccountId.Value,
        PeriodKey = run.PeriodKey.Value,
        PeriodStart = run.PeriodStart,
        PeriodEnd = run.PeriodEnd,
        Plan = run.Plan.Value,
        Plans = run.Plans,
        Currency = run.Currency.Code,
        Lines = [.. run.Lines.Select(line => InvoiceRunLineDocument.From(line, stored?.Lines))],
        Total = run.Total,
        Step = run.Step,
        StripeCustomerId = run.StripeCustomerId,
        StripeSubscriptionId = run.StripeSubscriptionId,
        StripeInvoiceId = run.StripeInvoiceId,
        CreditApplied = run.CreditApplied == 0 ? null : run.CreditApplied,
        CreditItemId = run.CreditItemId,
        CollectionPause = run.CollectionPause,
        Number = run.Number,
        HostedInvoiceUrl = run.HostedInvoiceUrl,
        Status = run.Status,
        StripeTotal = run.StripeTotal,
        StripeAmountDue = run.StripeAmountDue,
        StripeAmountPaid = run.StripeAmountPaid,
        Attempts = run.Attempts,
        CreatedAt = run.CreatedAt,
        UpdatedAt = run.UpdatedAt,
        Revision = (stored?.Revision ?? 0) + 1, // a create writes 1; a replace the stored revision + 1, whatever the run carries
        ExtensionData = stored?.PreservedFields(),
    };

    private static InvoiceRun ToDomain(InvoiceRunDocument d) => new()
    {
        AccountId = AccountId.Parse(d.AccountId),
        PeriodKey = UsagePeriodKey.Parse(d.PeriodKey),
        PeriodStart = d.PeriodStart,
        PeriodEnd = d.PeriodEnd,
        Plan = PlanCode.Parse(d.Plan),
        Plans = d.Plans,
        Currency = Currency.Parse(d.Currency),
        Lines = [.. d.Lines.Select(l => l.ToDomain())],
        Step = d.Step,
        StripeCustomerId = d.StripeCustomerId,
        StripeSubscriptionId = d.StripeSubscriptionId,
        StripeInvoiceId = d.StripeInvoiceId,
        CreditApplied = d.CreditApplied ?? 0,
        CreditItemId = d.CreditItemId,
        CollectionPause = d.CollectionPause,
        Number = d.Number,
        HostedInvoiceUrl = d.HostedInvoiceUrl,
        Status = d.Status,
        StripeTotal = d.StripeTotal,
        StripeAmountDue = d.StripeAmountDue,
        StripeAmountPaid = d.StripeAmountPaid,
        Attempts = d.Attempts,
        CreatedAt = d.CreatedAt,
        UpdatedAt = d.UpdatedAt,
        ETag = d.ETag,
        Revision = d.Revision,
    };
}
