using Billing.Domain.Accounts;
using Billing.Domain.Credits;

namespace Billing.Application.Credits;

/// <summary>The credit book as stored, with its concurrency token.</summary>
public sealed record StoredCreditBook(CreditBook Book, string ETag);

/// <summary>A page of ledger entries, newest first; <see cref="NextBefore"/> continues it (null on the last page).</summary>
public sealed record CreditEntryPage(IReadOnlyList<CreditEntry> Entries, long? NextBefore);

/// <summary>
/// Where an account's credit ledger lives: one book (the head) written only with optimistic concurrency, and one
/// document per entry, created once under its key. Single-document operations only (no transactional batch), so
/// <see cref="CreditLedger"/> keeps the two consistent by its protocol.
/// </summary>
public interface ICreditLedgerStore
{
    Task<StoredCreditBook?> GetBookAsync(AccountId accountId, CancellationToken cancellationToken);

    /// <summary>
    /// Creates the book (<paramref name="etag"/> null) or replaces it if it still has <paramref name="etag"/>.
    /// Returns the new token, or null when another writer got there first (exists already / token changed). A book
    /// stored by a newer version of the service (a newer schema) is not rewritten: that throws, and the caller's attempt
    /// fails to be retried later; fields this version does not know are kept.
    /// </summary>
    Task<string?> TryWriteBookAsync(CreditBook book, string? etag, CancellationToken cancellationToken);

    /// <summary>Creates the entry's document; an entry already stored under its key is left as it is.</summary>
    Task AddEntryAsync(AccountId accountId, CreditEntry entry, CancellationToken cancellationToken);

    Task<CreditEntry?> GetEntryAsync(AccountId accountId, string key, CancellationToken cancellationToken);

    /// <summary>Entries with a sequence below <paramref name="before"/> (all when null), newest first, at most <paramref name="limit"/>.</summary>
    Task<CreditEntryPage> ListEntriesAsync(AccountId accountId, long? before, int limit, CancellationToken cancellationToken);
}
