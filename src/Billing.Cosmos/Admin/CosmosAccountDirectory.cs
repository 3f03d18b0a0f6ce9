using System.Globalization;
using System.Text;
using Billing.Application.Admin;
using Billing.Cosmos.Documents;
using Billing.Domain.Accounts;
using Billing.Domain.Plans;
using Microsoft.Azure.Cosmos;

namespace Billing.Cosmos.Admin;

/// <summary>
/// The operators' account index: one summary document per account in the single index partition
/// <c>/admin/accounts</c> of the accounts container. Writes are version-guarded (an older summary never replaces a
/// newer one); a page is one query inside that partition, keyset-paged on the account id:
/// <c>SELECT TOP n+1 * FROM c WHERE c.accountId = '/admin/accounts' AND c.type = 'accountSummary' [AND c.plan = @plan]
/// [AND c.status = @status] [AND CONTAINS(c.search, @q)] [AND c.billingAccountId &gt; @after] ORDER BY c.billingAccountId</c>.
/// </summary>
public sealed class CosmosAccountDirectory(BillingContainers containers) : IAccountDirectory
{
    private static readonly PartitionKey IndexPartition = new(DocumentIds.AccountIndexPartition);

    private Container Container => containers.Accounts;

    public Task RecordAsync(AccountSummary summary, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return Container.WriteUnlessNewerAsync<AccountSummaryDocument>(
            DocumentIds.AccountSummary(summary.AccountId),
            IndexPartition,
            stored => ToDocument(summary, stored),
            (stored, document) => stored.AccountVersion > document.AccountVersion
                      || (stored.AccountVersion == document.AccountVersion && stored.Plan == document.Plan && stored.Status == document.Status
                          && stored.StripeCustomerId == document.StripeCustomerId),
            cancellationToken);
    }

    public async Task<AccountDirectoryPage> ListAsync(AccountDirectoryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        var sql = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"SELECT TOP {query.Limit + 1} * FROM c WHERE c.accountId = @partition AND c.type = @type"));
        var parameters = new List<(string, object)> { ("@partition", DocumentIds.AccountIndexPartition), ("@type", DocumentTypes.AccountSummary) };
        Filter(sql, parameters, "c.plan = @plan", "@plan", query.Plan);
        Filter(sql, parameters, "c.status = @status", "@status", query.Status);
        Filter(sql, parameters, "CONTAINS(c.search, @q)", "@q", query.Search?.ToLowerInvariant());
        Filter(sql, parameters, "c.billingAccountId > @after", "@after", query.After);
        sql.Append(" ORDER BY c.billingAccountId");

        var definition = new QueryDefinition(sql.ToString());
        foreach (var (name, value) in parameters)
        {
            definition = definition.WithParameter(name, value);
        }

        var (found, hasMore) = await Container.QueryPageAsync<AccountSummaryDocument>(
            definition, IndexPartition, query.Limit, d => d.AccountId == DocumentIds.AccountIndexPartition && d.Type == DocumentTypes.AccountSummary, cancellationToken).ConfigureAwait(false);
        return new AccountDirectoryPage([.. found.Select(ToSummary)], hasMore);
    }

    private static void Filter(StringBuilder sql, List<(string, object)> parameters, string condition, string name, string? value)
    {
        if (value is not null)
        {
            sql.Append(" AND ").Append(condition);
            parameters.Add((name, value));
        }
    }

    private static AccountSummaryDocument ToDocument(AccountSummary summary, AccountSummaryDocument? stored) => new()
    {
        Id = DocumentIds.AccountSummary(summary.AccountId),
        Type = DocumentTypes.AccountSummary,
        SchemaVersion = DocumentTypes.AccountSummarySchemaVersion,
        AccountId = DocumentIds.AccountIndexPartition,
        BillingAccountId = summary.AccountId.Value,
        Plan = summary.Plan.Value,
        Status = summary.Status,
        StripeCustomerId = summary.StripeCustomerId,
        Search = string.Join('\n', new[] { summary.AccountId.Value, summary.StripeCustomerId }.Where(s => s is not null)).ToLowerInvariant(),
        AccountVersion = summary.AccountVersion,
        CreatedAt = summary.CreatedAt,
        UpdatedAt = summary.UpdatedAt,
        ExtensionData = stored?.PreservedFields(),
    };

    private static AccountSummary ToSummary(AccountSummaryDocument document) => new()
    {
        AccountId = AccountId.Parse(document.BillingAccountId),
        Plan = PlanCode.Parse(document.Plan),
        Status = document.Status,
        StripeCustomerId = document.StripeCustomerId,
        AccountVersion = document.AccountVersion,
        CreatedAt = document.CreatedAt,
        UpdatedAt = document.UpdatedAt,
    };
}
