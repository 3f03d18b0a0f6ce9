using System.Globalization;
using System.Text;
using Billing.Application;
using Billing.Application.Admin;
using Billing.Application.Invoicing;
using Billing.Cosmos.Documents;
using Billing.Cosmos.Invoicing;
using Billing.Cosmos.Serialization;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;
using Microsoft.Azure.Cosmos;

namespace Billing.Cosmos.Admin;

/// <summary>
/// The operators' invoice index: one entry per invoice run with a Stripe invoice, in the single index partition
/// <c>/admin/invoices</c> of the accounts container, written by <see cref="CosmosInvoiceRunStore"/> after each save of
/// such a run (write-behind on the invoicing job, never on a user path). A page is one query inside that partition,
/// keyset-paged newest period first: <c>SELECT TOP n+1 * FROM c WHERE c.accountId = '/admin/invoices' AND c.type =
/// 'invoiceEntry' [AND c.month = @month] [AND c.status = @status] [AND c.sortKey &lt; @after] ORDER BY c.sortKey DESC</c>.
/// </summary>
public sealed class CosmosInvoiceDirectory(BillingContainers containers) : IInvoiceDirectory
{
    private static readonly PartitionKey IndexPartition = new(DocumentIds.InvoiceIndexPartition);

    private Container Container => containers.Accounts;

    public async Task<InvoiceDirectoryPage> ListAsync(InvoiceDirectoryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        var sql = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"SELECT TOP {query.Limit + 1} * FROM c WHERE c.accountId = @partition AND c.type = @type"));
        var parameters = new List<(string Name, string Value)> { ("@partition", DocumentIds.InvoiceIndexPartition), ("@type", DocumentTypes.InvoiceEntry) };
        if (query.Month is { } month)
        {
            sql.Append(" AND c.month = @month");
            parameters.Add(("@month", month));
        }

        if (query.Status is { } status)
        {
            sql.Append(" AND c.status = @status");
            parameters.Add(("@status", status));
        }

        if (query.After is { } after)
        {
            sql.Append(" AND c.sortKey < @after");
            parameters.Add(("@after", after));
        }

        sql.Append(" ORDER BY c.sortKey DESC");
        var definition = new QueryDefinition(sql.ToString());
        foreach (var (name, value) in parameters)
        {
            definition = definition.WithParameter(name, value);
        }

        var (page, hasMore) = await Container.QueryPageAsync<InvoiceEntryDocument>(
            definition, IndexPartition, query.Limit, d => d.AccountId == DocumentIds.InvoiceIndexPartition && d.Type == DocumentTypes.InvoiceEntry, cancellationToken).ConfigureAwait(false);
        return new InvoiceDirectoryPage([.. page.Select(ToRun)], page.Count == 0 ? null : page[^1].SortKey, hasMore);
    }

    /// <summary>
    /// The account and period of the run whose entry carries <paramref name="stripeInvoiceId"/>: one query inside the
    /// index partition (<c>stripeInvoiceId</c> is indexed); null when no entry has it.
    /// </summary>
    internal async Task<(AccountId AccountId, UsagePeriodKey PeriodKey)?> FindRunAsync(string stripeInvoiceId, CancellationToken cancellationToken)
    {
        var query = new QueryDefinition("SELECT TOP 2 * FROM c WHERE c.accountId = @partition AND c.type = @type AND c.stripeInvoiceId = @invoice")
            .WithParameter("@partition", DocumentIds.InvoiceIndexPartition)
            .WithParameter("@type", DocumentTypes.InvoiceEntry)
            .WithParameter("@invoice", stripeInvoiceId);
        var (page, _) = await Container.QueryPageAsync<InvoiceEntryDocument>(
            query, IndexPartition, 1, d => d.AccountId == DocumentIds.InvoiceIndexPartition && d.Type == DocumentTypes.InvoiceEntry && d.StripeInvoiceId == stripeInvoiceId, cancellationToken).ConfigureAwait(false);
        return page is [var entry] && AccountId.TryParse(entry.BillingAccountId, out var accountId, out _) && UsagePeriodKey.TryParse(entry.PeriodKey, out var periodKey)
            ? (accountId, periodKey)
            : null;
    }

    /// <summary>
    /// Writes the entry of a run that has a Stripe invoice (others have none), unless a later save's entry is stored
    /// (<see cref="InvoiceRun.IsLaterSave(InvoiceRun, InvoiceRun)"/>: by the run's revision, whatever the savers' clocks said)
    /// or this save's own (a repair that finds the entry written: nothing would change), of this schema version.
    /// A failure throws <see cref="OperatorCopyNotWrittenException"/> (the run is saved already): the delivery that saved
    /// the run fails, and the next one writes the entry again with its own save, or, finding nothing left to save, as a
    /// repair (<see cref="IInvoiceRunStore.RecordInIndexAsync"/>).
    /// </summary>
    internal async Task RecordAsync(InvoiceRun run, CancellationToken cancellationToken)
    {
        if (run.StripeInvoiceId is null || run.Step is InvoiceRunStep.Computed or InvoiceRunStep.NothingToBill)
        {
            return;
        }

        var id = DocumentIds.InvoiceEntry(run.AccountId, run.PeriodKey);
        try
        {
            await Container.WriteUnlessNewerAsync<InvoiceEntryDocument>(
                id,
                IndexPartition,
                stored => ToDocument(run, stored),
                (stored, document) => InvoiceRun.IsLaterSave(SaveOf(stored), SaveOf(document))
                                      || (!InvoiceRun.IsLaterSave(SaveOf(document), SaveOf(stored)) && stored.SchemaVersion == document.SchemaVersion),
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is CosmosException or ServiceUnavailableException or InvalidOperationException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            throw new OperatorCopyNotWrittenException($"The invoice index entry '{id}' was not written ({exception.GetType().Name}).", exception);
        }
    }

    private static (long? Revision, DateTimeOffset UpdatedAt, InvoiceRunStep Step, string Status) SaveOf(InvoiceEntryDocument entry) =>
        (entry.Revision, entry.UpdatedAt, entry.Step, entry.Status);

    private static InvoiceEntryDocument ToDocument(InvoiceRun run, InvoiceEntryDocument? stored) => new()
    {
        Id = DocumentIds.InvoiceEntry(run.AccountId, run.PeriodKey),
        Type = DocumentTypes.InvoiceEntry,
        SchemaVersion = DocumentTypes.InvoiceEntrySchemaVersion,
        AccountId = DocumentIds.InvoiceIndexPartition,
        BillingAccountId = run.AccountId.Value,
        PeriodKey = run.PeriodKey.Value,
        PeriodStart = run.PeriodStart,
        PeriodEnd = run.PeriodEnd,
        Month = run.PeriodStart.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture),
        SortKey = string.Join('|', run.PeriodStart.UtcDateTime.ToString(UtcDateTimeOffsetConverter.Format, CultureInfo.InvariantCulture), run.AccountId.Value, run.PeriodKey.Value),
        Plan = run.Plan.Value,
        Plans = run.Plans,
        Currency = run.Currency.Code,
        Lines = [.. run.Lines.Select(line => InvoiceRunLineDocument.From(line, stored?.Lines))],
        Total = run.Total,
        CreditApplied = run.CreditApplied,
        StripeTotal = run.StripeTotal,
        Step = run.Step,
        Status = run.Status ?? "draft",
        StripeInvoiceId = run.StripeInvoiceId!,
        StripeCustomerId = run.StripeCustomerId,
        Number = run.Number,
        HostedInvoiceUrl = run.HostedInvoiceUrl,
        CreatedAt = run.CreatedAt,
        UpdatedAt = run.UpdatedAt,
        Revision = run.Revision,
        ExtensionData = stored?.PreservedFields(),
    };

    private static InvoiceRun ToRun(InvoiceEntryDocument d) => new()
    {
        AccountId = AccountId.Parse(d.BillingAccountId),
        PeriodKey = UsagePeriodKey.Parse(d.PeriodKey),
        PeriodStart = d.PeriodStart,
        PeriodEnd = d.PeriodEnd,
        Plan = PlanCode.Parse(d.Plan),
        Plans = d.Plans,
        Currency = Currency.Parse(d.Currency),
        Lines = [.. d.Lines.Select(l => l.ToDomain())],
        Step = d.Step,
        StripeCustomerId = d.StripeCustomerId,
        StripeInvoiceId = d.StripeInvoiceId,
        CreditApplied = d.CreditApplied ?? 0,
        StripeTotal = d.StripeTotal,
        Number = d.Number,
        HostedInvoiceUrl = d.HostedInvoiceUrl,
        Status = d.Status,
        CreatedAt = d.CreatedAt,
        UpdatedAt = d.UpdatedAt,
        Revision = d.Revision,
    };
}
