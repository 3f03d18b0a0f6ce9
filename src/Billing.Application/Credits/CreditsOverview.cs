using System.Globalization;
using Billing.Application.Admin;
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
/// finishes a pending entry and writes due expiries) and one page of entries from the account's partition, newest
/// first. The balances are what is spendable now, so expired credit never shows as balance, not even while its expiry
/// entry waits for the invoice of a period that closed before it expired. The cursor carries the sequence the next page starts below,
/// bound to the account like a filter (a cursor of another account's listing is a field error on <c>cursor</c>).
/// </summary>
public sealed class CreditsOverview(CreditLedger ledger, ICreditLedgerStore store, TimeProvider time)
{
    public const int DefaultLimit = 25;
    public const int MaxLimit = 100;

    private const string Listing = "credits";

    public async Task<Outcome<CreditsView>> GetAsync(AccountId accountId, string? cursor, int? limit, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var position = Paging.After(Listing, cursor, errors, IsSequence, ("account", accountId.Value));
        var size = Paging.Size(limit, DefaultLimit, MaxLimit, errors);
        if (!errors.IsEmpty)
        {
            return Outcome.Invalid<CreditsView>(errors);
        }

        var book = await ledger.ReadAsync(accountId, cancellationToken).ConfigureAwait(false);
        long? before = position is null ? null : long.Parse(position, NumberStyles.None, CultureInfo.InvariantCulture);
        var page = await store.ListEntriesAsync(accountId, before, size!.Value, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        return Outcome.Succeeded(new CreditsView(
            accountId,
            now,
            book.SpendableBalances(now),
            [.. book.Grants.OrderByDescending(g => g.GrantedAt).ThenBy(g => g.GrantId, StringComparer.Ordinal)],
            page.Entries,
            page.NextBefore is { } next ? Paging.Next(Listing, next.ToString(CultureInfo.InvariantCulture), ("account", accountId.Value)) : null));
    }

    /// <summary>
    /// The operator views' part: the balance per currency spendable now (a point read of the book, settled like every read) and, when
    /// <paramref name="entries"/> is above 0, that many latest ledger entries, newest first.
    /// </summary>
    public async Task<AccountCredits> ForOperatorAsync(AccountId accountId, int entries, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(entries);
        var book = await ledger.ReadAsync(accountId, cancellationToken).ConfigureAwait(false);
        var balance = book.SpendableBalances(time.GetUtcNow()).OrderBy(b => b.Key.Code, StringComparer.Ordinal).Select(b => new Money(b.Value, b.Key)).ToList();
        if (entries == 0)
        {
            return new AccountCredits(balance, []);
        }

        var page = await store.ListEntriesAsync(accountId, null, entries, cancellationToken).ConfigureAwait(false);
        var expiries = book.Grants.ToDictionary(g => g.GrantId, g => g.ExpiresAt, StringComparer.Ordinal);
        return new AccountCredits(balance, [.. page.Entries.Select(e => new CreditLedgerLine(e.Kind.ToString().ToLowerInvariant(), new Money(e.Amount, e.Currency), e.At)
        {
            Reason = e.Reason,
            Actor = e.Operator,
            ExpiresAt = e.Kind == CreditEntryKind.Grant && e.Parts is [var part] ? expiries.GetValueOrDefault(part.GrantId) : null,
        })]);
    }

    private static bool IsSequence(string position) =>
        long.TryParse(position, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) && sequence > 0;
}
