using System.Globalization;
using Billing.Application.Accounts;
using Billing.Cosmos.Documents;
using Billing.Cosmos.Serialization;
using Billing.Domain.Accounts;
using Microsoft.Azure.Cosmos;

namespace Billing.Cosmos.Accounts;

/// <summary>
/// The missed-event sweep's query over the accounts container: a cross-partition query on the range-indexed
/// <c>renewsBy</c> (every path is indexed by default), the most recently due first. Only the timer uses it; request
/// paths stay on point reads. Dates are stored in one fixed-width UTC format, so string order is time order.
/// </summary>
public sealed class CosmosAccountRenewalQuery(BillingContainers containers) : IAccountRenewalQuery
{
    public async Task<IReadOnlyList<RenewalOverdue>> ListRenewalOverdueAsync(DateTimeOffset renewsBefore, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var query = new QueryDefinition(string.Create(
                CultureInfo.InvariantCulture,
                $"SELECT TOP {limit} c.accountId, c.renewsBy FROM c WHERE c.type = @type AND c.renewsBy < @before ORDER BY c.renewsBy DESC"))
            .WithParameter("@type", DocumentTypes.Account)
            .WithParameter("@before", renewsBefore.UtcDateTime.ToString(UtcDateTimeOffsetConverter.Format, CultureInfo.InvariantCulture));

        var found = new List<RenewalOverdue>();
        using var feed = containers.Accounts.GetItemQueryIterator<RenewalRow>(query, requestOptions: new QueryRequestOptions { MaxItemCount = limit });
        while (feed.HasMoreResults && found.Count < limit)
        {
            foreach (var row in await feed.ReadPageAsync(cancellationToken).ConfigureAwait(false))
            {
                if (found.Count < limit && AccountId.TryParse(row.AccountId, out var accountId, out _) && row.RenewsBy is { } renewsBy)
                {
                    found.Add(new RenewalOverdue(accountId, renewsBy));
                }
            }
        }

        return found;
    }

    internal sealed record RenewalRow
    {
        public string? AccountId { get; init; }

        public DateTimeOffset? RenewsBy { get; init; }
    }
}
