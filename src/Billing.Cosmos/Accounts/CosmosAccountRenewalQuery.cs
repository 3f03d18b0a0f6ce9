using System.Globalization;
using Billing.Application.Accounts;
using Billing.Cosmos.Documents;
using Billing.Cosmos.Serialization;
using Billing.Domain.Accounts;
using Microsoft.Azure.Cosmos;

namespace Billing.Cosmos.Accounts;

/// <summary>
/// The missed-event sweep's query over the accounts container: a cross-partition query on <c>renewsBy</c>, the most
/// recently due first, ties broken by account id (both descending, served by the container's composite index on
/// <c>(/renewsBy DESC, /accountId DESC)</c>, which a two-field ORDER BY needs). A page after a previous one starts
/// strictly after that page's last pair (keyset paging), so accounts sharing one renewsBy are neither skipped nor
/// listed twice. Only the timer uses it; request paths stay on point reads. Dates are stored in one fixed-width UTC
/// format, so string order is time order.
/// </summary>
public sealed class CosmosAccountRenewalQuery(BillingContainers containers) : IAccountRenewalQuery
{
    public async Task<IReadOnlyList<RenewalOverdue>> ListRenewalOverdueAsync(DateTimeOffset renewsBefore, RenewalOverdue? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var keyset = after is null ? "" : " AND (c.renewsBy < @afterRenewsBy OR (c.renewsBy = @afterRenewsBy AND c.accountId < @afterAccount))";
        var query = new QueryDefinition(string.Create(
                CultureInfo.InvariantCulture,
                $"SELECT TOP {limit} c.accountId, c.renewsBy FROM c WHERE c.type = @type AND c.renewsBy < @before{keyset} ORDER BY c.renewsBy DESC, c.accountId DESC"))
            .WithParameter("@type", DocumentTypes.Account)
            .WithParameter("@before", Stamp(renewsBefore));
        if (after is not null)
        {
            query = query.WithParameter("@afterRenewsBy", Stamp(after.RenewsBy)).WithParameter("@afterAccount", after.AccountId.Value);
        }

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

    private static string Stamp(DateTimeOffset value) => value.UtcDateTime.ToString(UtcDateTimeOffsetConverter.Format, CultureInfo.InvariantCulture);

    internal sealed record RenewalRow
    {
        public string? AccountId { get; init; }

        public DateTimeOffset? RenewsBy { get; init; }
    }
}
