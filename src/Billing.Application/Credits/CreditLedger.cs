using Billing.Domain.Accounts;
using Billing.Domain.Credits;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Credits;

/// <summary>What posting an operation did.</summary>
public enum CreditPostingKind
{
    /// <summary>The entry was written now.</summary>
    Posted = 1,

    /// <summary>An entry with the same key was written before: nothing changed (a retry or a duplicate event).</summary>
    AlreadyPosted = 2,

    /// <summary>Nothing to write (no spendable credit, nothing left of the grant, ...): see the note.</summary>
    Nothing = 3,

    /// <summary>A negative adjustment larger than the spendable balance: nothing written.</summary>
    InsufficientCredit = 4,
}

/// <summary>The entry (written now or before) and the book after it.</summary>
public sealed record CreditPosting(CreditPostingKind Kind, CreditEntry? Entry, CreditBook Book, string? Note = null);

/// <summary>
/// The protocol that keeps an account's append-only credit entries and its book (head) consistent with
/// single-document writes only (the local Cosmos server has no transactional batch):
/// <list type="number">
/// <item>Read the book. If it carries pending entries, write their documents (create; already there is fine), then
/// replace the book without them (if-match). Then write any due expiry the same way: one no pending spend may still take
/// from (<see cref="IPendingCreditSpends"/>: an invoice of a period that closed while the grant was valid holds it until
/// that invoice has spent). Repeat until the book has no pending entry and nothing is due.</item>
/// <item>Look the operation's key up among the entry documents: found = already posted. (A book without a pending
/// entry has every applied entry written out, and documents are never deleted, so a miss means "not applied".)</item>
/// <item>Apply the operation to the book (pure, <see cref="CreditBook.Apply"/>): the new book holds the entry as
/// pending (a grant made taken back: with its reversal) and its balance already includes it. Replace the book
/// if-match; a lost race starts again at 1.</item>
/// <item>Write the entries' documents and clear the pending ones (step 1 for the next caller if we crash first).</item>
/// </list>
/// The book is the one truth (its version is the count of applied entries); a crash anywhere leaves either nothing
/// or pending entries that the next touch of the ledger finishes; a race costs a retry, never a double entry.
/// </summary>
public sealed partial class CreditLedger(ICreditLedgerStore store, IPendingCreditSpends pendingSpends, TimeProvider time, ILogger<CreditLedger> logger)
{
    /// <summary>Lost races before giving up (each one means another writer made progress).</summary>
    public const int MaxAttempts = 64;

    /// <summary>Applies <paramref name="operation"/> at most once per key.</summary>
    public Task<CreditPosting> PostAsync(AccountId accountId, CreditOperation operation, CancellationToken cancellationToken) =>
        PostAsync(accountId, operation, startFrom: null, cancellationToken);

    /// <summary>
    /// <see cref="PostAsync(AccountId, CreditOperation, CancellationToken)"/> starting from <paramref name="book"/>, as the
    /// caller read it (<see cref="ReadToPostAsync"/>) to decide the operation: not read again for a write, which its ETag
    /// guards (a book changed since makes the write lose the race, and the next attempt settles it afresh); read again
    /// before answering that nothing is posted, so the outcome is the one a fresh read would give (a book whose ETag is
    /// still the caller's has not changed since, so the caller's copy answers, entry lookup included).
    /// </summary>
    public Task<CreditPosting> PostAsync(SettledCreditBook book, CreditOperation operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(book);
        return PostAsync(book.Book.AccountId, operation, book, cancellationToken);
    }

    private async Task<CreditPosting> PostAsync(AccountId accountId, CreditOperation operation, SettledCreditBook? startFrom, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var callersCopy = startFrom is not null;
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var fromCaller = callersCopy;
            callersCopy = false;
            var (book, etag) = startFrom ?? await SettleAsync(accountId, cancellationToken).ConfigureAwait(false);
            startFrom = null;
            if (await store.GetEntryAsync(accountId, operation.Key, cancellationToken).ConfigureAwait(false) is { } existing)
            {
                return new CreditPosting(CreditPostingKind.AlreadyPosted, existing, book);
            }

            var decision = book.Apply(operation, time.GetUtcNow());
            if (decision.Kind is CreditDecisionKind.Nothing or CreditDecisionKind.InsufficientCredit)
            {
                if (fromCaller)
                {
                    // Only a write is guarded by the caller's ETag: a refusal is decided on the book as it is now. Every
                    // post replaces the book, so a book still at the caller's ETag is the caller's copy, and the refusal
                    // and the entry lookup before it stand; a book changed since is decided afresh.
                    var current = await SettleAsync(accountId, cancellationToken).ConfigureAwait(false);
                    if (current.ETag != etag)
                    {
                        startFrom = current;
                        continue;
                    }
                }

                return new CreditPosting(decision.Kind == CreditDecisionKind.Nothing ? CreditPostingKind.Nothing : CreditPostingKind.InsufficientCredit, null, book, decision.Note);
            }

            var written = await store.TryWriteBookAsync(decision.Book!, etag, cancellationToken).ConfigureAwait(false);
            if (written is null)
            {
                continue;
            }

            var settled = await FinishAsync(decision.Book!, written, cancellationToken).ConfigureAwait(false);
            foreach (var entry in decision.Book!.Pending)
            {
                LogPosted(accountId.Value, entry.Kind, entry.Key, entry.Amount, entry.Currency.Code, entry.Sequence);
            }

            return new CreditPosting(CreditPostingKind.Posted, decision.Entry, settled ?? decision.Book!.Settled());
        }

        throw new CreditLedgerContentionException($"The credit ledger of account {accountId} kept changing under {MaxAttempts} attempts.");
    }

    /// <summary>
    /// Gives back what the spend <paramref name="spendKey"/> took (<see cref="CreditOperation.Restore"/>), once; nothing
    /// when there is no such spend (the run spent no credit).
    /// </summary>
    public async Task<CreditPosting> RestoreSpendAsync(AccountId accountId, string spendKey, string reference, CancellationToken cancellationToken)
    {
        var settled = await SettleAsync(accountId, cancellationToken).ConfigureAwait(false); // a spend still pending is written out first
        var spend = await store.GetEntryAsync(accountId, spendKey, cancellationToken).ConfigureAwait(false);
        if (spend is null)
        {
            return new CreditPosting(CreditPostingKind.Nothing, null, settled.Book, $"No spend {spendKey} to give back.");
        }

        var posting = await PostAsync(accountId, CreditOperation.Restore(spend, reference), settled, cancellationToken).ConfigureAwait(false);
        if (posting.Kind == CreditPostingKind.Nothing)
        {
            LogNotRestored(accountId.Value, spendKey, posting.Note ?? string.Empty);
        }

        return posting;
    }

    /// <summary>Whether the entry keyed <paramref name="entryKey"/> is written (after a <see cref="ReadAsync"/>, which writes out pending entries first).</summary>
    public async Task<bool> IsPostedAsync(AccountId accountId, string entryKey, CancellationToken cancellationToken) =>
        await store.GetEntryAsync(accountId, entryKey, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>The book with no pending entry and every due expiry written (what readers show); empty when none exists.</summary>
    public async Task<CreditBook> ReadAsync(AccountId accountId, CancellationToken cancellationToken) =>
        (await SettleAsync(accountId, cancellationToken).ConfigureAwait(false)).Book;

    /// <summary><see cref="ReadAsync"/> with the ETag a <see cref="PostAsync(SettledCreditBook, CreditOperation, CancellationToken)"/> from it is guarded by.</summary>
    public Task<SettledCreditBook> ReadToPostAsync(AccountId accountId, CancellationToken cancellationToken) => SettleAsync(accountId, cancellationToken);

    private async Task<SettledCreditBook> SettleAsync(AccountId accountId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var stored = await store.GetBookAsync(accountId, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                return new SettledCreditBook(CreditBook.Empty(accountId), null);
            }

            var (book, etag) = (stored.Book, stored.ETag);
            if (book.Pending.Count > 0)
            {
                await FinishAsync(book, etag, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var now = time.GetUtcNow();
            if (await DueExpiryAsync(book, now, cancellationToken).ConfigureAwait(false) is not { } expiry)
            {
                return new SettledCreditBook(book, etag);
            }

            var decision = book.Apply(expiry, now);
            if (decision.Kind == CreditDecisionKind.Entry
                && await store.TryWriteBookAsync(decision.Book!, etag, cancellationToken).ConfigureAwait(false) is { } written)
            {
                await FinishAsync(decision.Book!, written, cancellationToken).ConfigureAwait(false);
                LogExpired(accountId.Value, expiry.GrantId, -decision.Entry!.Amount, decision.Entry.Currency.Code);
            }
        }

        throw new CreditLedgerContentionException($"The credit ledger of account {accountId} kept changing under {MaxAttempts} attempts.");
    }

    /// <summary>
    /// The next expiry to write: a grant expired with credit left that no spend still to be decided may take. The pending
    /// spends are asked only when a grant has expired, and only about the moments its credit could be owed since (from
    /// its grant to its expiry).
    /// </summary>
    private async Task<ExpireGrant?> DueExpiryAsync(CreditBook book, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var expired = book.Expired(now);
        if (expired.Count == 0)
        {
            return null;
        }

        var owed = await pendingSpends.ListAsync(book.AccountId, expired.Min(g => g.GrantedAt), expired.Max(g => g.ExpiresAt!.Value), cancellationToken).ConfigureAwait(false);
        return book.DueExpiry(now, owed);
    }

    /// <summary>Writes the pending entries out and clears them; returns the settled book, or null if someone else moved the book on.</summary>
    private async Task<CreditBook?> FinishAsync(CreditBook book, string etag, CancellationToken cancellationToken)
    {
        foreach (var entry in book.Pending)
        {
            await store.AddEntryAsync(book.AccountId, entry, cancellationToken).ConfigureAwait(false);
        }

        var settled = book.Settled();
        return await store.TryWriteBookAsync(settled, etag, cancellationToken).ConfigureAwait(false) is null ? null : settled;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Credit ledger of account {AccountId}: {Kind} {Key} of {Amount} {Currency} posted as entry {Sequence}")]
    private partial void LogPosted(string accountId, CreditEntryKind kind, string key, long amount, string currency, long sequence);

    [LoggerMessage(Level = LogLevel.Information, Message = "Credit ledger of account {AccountId}: nothing of spend {SpendKey} given back: {Note}")]
    private partial void LogNotRestored(string accountId, string spendKey, string note);

    [LoggerMessage(Level = LogLevel.Information, Message = "Credit ledger of account {AccountId}: grant {GrantId} expired with {Amount} {Currency} unspent")]
    private partial void LogExpired(string accountId, string grantId, long amount, string currency);
}

/// <summary>A book with no pending entry and every due expiry written, and its ETag (null: no book stored yet).</summary>
public sealed record SettledCreditBook(CreditBook Book, string? ETag);

/// <summary>The ledger lost every race for a while; the caller retries later (queue redelivery, HTTP 503).</summary>
public sealed class CreditLedgerContentionException : Exception
{
    public CreditLedgerContentionException()
    {
    }

    public CreditLedgerContentionException(string message)
        : base(message)
    {
    }

    public CreditLedgerContentionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
