using System.Globalization;
using Billing.Application.Outcomes;
using Billing.Domain.Accounts;
using Billing.Domain.Credits;
using Billing.Domain.Pricing;

namespace Billing.Application.Credits;

/// <summary>The caller's credit: balance per currency, every grant with what remains and its expiry, and one page of the ledger.</summary>
public sealed record CreditsView(
    AccountId AccountId,
    DateTimeOffset AsOf,
    IReadOnlyDictionary<Currency, long> Balances,
    IReadOnlyList<CreditGrant> Grants,
    IReadOnlyList<CreditEntry> Entries,
    string? NextCursor);

/// <summary>
/// <c>GET /api/billing/credits</c> for the caller's own account: reads the book through the ledger (which first
/// finishes a pending entry and writes due expiries, so expired credit never shows as balance) and one page of
/// entries from the account's partition, newest first. The cursor is the sequence the next page starts below.
/// </summary>
public sealed class CreditsOverview(CreditLedger ledger, ICreditLedgerStore store, TimeProvider time)
{
    public const int DefaultLimit = 25;
    public const int MaxLimit = 100;

    public async Task<Outcome<CreditsView>> GetAsync(AccountId accountId, string? cursor, int? limit, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        long? before = null;
        if (cursor is not null)
        {
            if (long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed > 0)
            {
                before = parsed;
            }
            else
            {
                errors.Add("cursor", "The cursor is not one this endpoint handed out (nextCursor of a previous page).");
            }
        }

        if (limit is < 1 or > MaxLimit)
        {
            errors.Add("limit", $"The limit must be between 1 and {MaxLimit}.");
        }

        if (!errors.IsEmpty)
        {
            return Outcome.Invalid<CreditsView>(errors);
        }

        var book = await ledger.ReadAsync(accountId, cancellationToken).ConfigureAwait(false);
        var page = await store.ListEntriesAsync(accountId, before, limit ?? DefaultLimit, cancellationToken).ConfigureAwait(false);
        return Outcome.Succeeded(new CreditsView(
            accountId,
            time.GetUtcNow(),
            book.Balances(),
            [.. book.Grants.OrderByDescending(g => g.GrantedAt).ThenBy(g => g.GrantId, StringComparer.Ordinal)],
            page.Entries,
            page.NextBefore?.ToString(CultureInfo.InvariantCulture)));
    }
}
