using System.Globalization;
using System.Net;
using System.Text.Json;
using Billing.Application.Credits;
using Billing.Cosmos.Documents;
using Billing.Domain.Accounts;
using Billing.Domain.Credits;
using Billing.Domain.Pricing;
using Microsoft.Azure.Cosmos;

namespace Billing.Cosmos.Credits;

/// <summary>
/// The credit ledger in the account's partition of the accounts container: the book (<c>credits:{accountId}</c>),
/// written by create or ETag-guarded replace (read first: a book of a newer schema version is not rewritten, and fields
/// this version does not know are kept), and one document per entry (<c>credit-entry:{accountId}:{hash}</c>),
/// created once (409 = already there). Pages of entries are one query inside the partition ordered by sequence.
/// </summary>
public sealed class CosmosCreditLedgerStore(BillingContainers containers, TimeProvider time) : ICreditLedgerStore
{
    private Container Container => containers.Accounts;

    public async Task<StoredCreditBook?> GetBookAsync(AccountId accountId, CancellationToken cancellationToken)
    {
        var document = await Container.ReadAsync<CreditBookDocument>(DocumentIds.CreditBook(accountId), PartitionKeyOf(accountId), cancellationToken).ConfigureAwait(false);
        return document is null ? null : new StoredCreditBook(await WithReversedAmountsAsync(ToDomain(document), document, cancellationToken).ConfigureAwait(false), document.ETag!);
    }

    /// <summary>
    /// A grant reversed in a book of schema 1 (written by a version before <c>reversedAmount</c>, or rewritten by one after
    /// a rollback) has <c>reversedAt</c> without <c>reversedAmount</c>: what its reversal took is read from that reversal's
    /// entry (pending in the book, or stored), so a refund that fails gives it back. The book's next write keeps it.
    /// </summary>
    private async Task<CreditBook> WithReversedAmountsAsync(CreditBook book, CreditBookDocument document, CancellationToken cancellationToken)
    {
        var grants = book.Grants.ToList();
        foreach (var unknown in document.Grants.Where(g => g is { ReversedAt: not null, ReversedAmount: null, PaymentIntentId: not null }))
        {
            var key = CreditOperation.Reverse(unknown.PaymentIntentId!, reference: "", unknown.Reinstatements).Key;
            var reversal = book.Pending.FirstOrDefault(e => e.Key == key) ?? await GetEntryAsync(book.AccountId, key, cancellationToken).ConfigureAwait(false);
            var index = grants.FindIndex(g => g.GrantId == unknown.GrantId);
            grants[index] = grants[index] with { ReversedAmount = reversal?.Parts.Where(p => p.GrantId == unknown.GrantId).Sum(p => -p.Amount) ?? 0 };
        }

        return book with { Grants = grants };
    }

    public async Task<string?> TryWriteBookAsync(CreditBook book, string? etag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(book);
        var partitionKey = PartitionKeyOf(book.AccountId);
        if (etag is null)
        {
            return (await Container.CreateAsync(ToDocument(book, time.GetUtcNow(), stored: null), partitionKey, cancellationToken).ConfigureAwait(false)).Document?.ETag;
        }

        // Read first: a book written by a newer version is not rewritten, and fields this version does not know are kept.
        var stored = await Container.ReadAsync<CreditBookDocument>(DocumentIds.CreditBook(book.AccountId), partitionKey, cancellationToken).ConfigureAwait(false);
        if (stored is null || !string.Equals(stored.ETag, etag, StringComparison.Ordinal))
        {
            return null; // written (or removed) by someone else since it was read
        }

        stored.EnsureRewritableBy(DocumentTypes.CreditBookSchemaVersion);

        var document = ToDocument(book, time.GetUtcNow(), stored);
        return (await Container.ReplaceAsync(document, document.Id, partitionKey, etag, cancellationToken).ConfigureAwait(false)).Document?.ETag;
    }

    public async Task AddEntryAsync(AccountId accountId, CreditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var document = new CreditEntryDocument
        {
            Id = DocumentIds.CreditEntry(accountId, entry.Key),
            Type = DocumentTypes.CreditEntry,
            SchemaVersion = DocumentTypes.CreditEntrySchemaVersion,
            AccountId = accountId.Value,
            Entry = ToBody(entry),
            Sequence = entry.Sequence,
        };
        await Container.CreateAsync(document, PartitionKeyOf(accountId), cancellationToken).ConfigureAwait(false);
    }

    public async Task<CreditEntry?> GetEntryAsync(AccountId accountId, string key, CancellationToken cancellationToken)
    {
        var document = await Container.ReadAsync<CreditEntryDocument>(DocumentIds.CreditEntry(accountId, key), PartitionKeyOf(accountId), cancellationToken).ConfigureAwait(false);
        return document is null ? null : ToDomain(document.Entry);
    }

    public async Task<CreditEntryPage> ListEntriesAsync(AccountId accountId, long? before, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var query = new QueryDefinition(string.Create(
                CultureInfo.InvariantCulture,
                $"SELECT TOP {limit + 1} * FROM c WHERE c.accountId = @account AND c.type = @type AND c.sequence < @before ORDER BY c.sequence DESC"))
            .WithParameter("@account", accountId.Value)
            .WithParameter("@type", DocumentTypes.CreditEntry)
            .WithParameter("@before", before ?? long.MaxValue);
        // The query names its partition, and the store runs it there alone; the account is checked on each document too.
        var (documents, hasMore) = await Container.QueryPageAsync<CreditEntryDocument>(
            query, PartitionKeyOf(accountId), limit, d => string.Equals(d.AccountId, accountId.Value, StringComparison.Ordinal), cancellationToken).ConfigureAwait(false);
        var entries = documents.Select(d => ToDomain(d.Entry)).ToList();
        return new CreditEntryPage(entries, hasMore ? entries[^1].Sequence : null);
    }

    private static PartitionKey PartitionKeyOf(AccountId accountId) => new(accountId.Value);

    private static CreditBookDocument ToDocument(CreditBook book, DateTimeOffset now, CreditBookDocument? stored) => new()
    {
        Id = DocumentIds.CreditBook(book.AccountId),
        Type = DocumentTypes.CreditBook,
        SchemaVersion = DocumentTypes.CreditBookSchemaVersion,
        AccountId = book.AccountId.Value,
        Version = book.Version,
        Balances = book.Balances().ToDictionary(b => b.Key.Code, b => b.Value, StringComparer.Ordinal),
        Grants = [.. book.Grants.Select(g => new CreditGrantDocument
        {
            GrantId = g.GrantId,
            Currency = g.Currency.Code,
            Amount = g.Amount,
            Remaining = g.Remaining,
            GrantedAt = g.GrantedAt,
            ExpiresAt = g.ExpiresAt,
            Source = g.Source,
            PaymentIntentId = g.PaymentIntentId,
            ReversedAt = g.ReversedAt,
            ReversedAmount = g.ReversedAmount,
            Reinstatements = g.Reinstatements,
            ExtensionData = DocumentPart.KeptFrom(stored?.Grants, s => s.GrantId == g.GrantId),
        })],
        Pending = book.Pending.Count == 0 ? null : [.. book.Pending.Select(ToBody)],
        UpdatedAt = now,
        ExtensionData = stored?.PreservedFields(),
    };

    private static CreditBook ToDomain(CreditBookDocument document) => new()
    {
        AccountId = AccountId.Parse(document.AccountId),
        Version = document.Version,
        Grants = [.. document.Grants.Select(g => new CreditGrant
        {
            GrantId = g.GrantId,
            Currency = Currency.Parse(g.Currency),
            Amount = g.Amount,
            Remaining = g.Remaining,
            GrantedAt = g.GrantedAt,
            ExpiresAt = g.ExpiresAt,
            Source = g.Source,
            PaymentIntentId = g.PaymentIntentId,
            ReversedAt = g.ReversedAt,
            ReversedAmount = g.ReversedAmount ?? 0,
            Reinstatements = g.Reinstatements,
        })],
        Pending = document.Pending is { } pending ? [.. pending.Select(ToDomain)] : [],
    };

    private static CreditEntryBody ToBody(CreditEntry entry) => new()
    {
        Key = entry.Key,
        Sequence = entry.Sequence,
        Kind = JsonNamingPolicy.CamelCase.ConvertName(entry.Kind.ToString()),
        Currency = entry.Currency.Code,
        Amount = entry.Amount,
        Parts = [.. entry.Parts.Select(p => new CreditPartDocument(p.GrantId, p.Amount))],
        At = entry.At,
        Reference = entry.Reference,
        Reason = entry.Reason,
        Operator = entry.Operator,
    };

    private static CreditEntry ToDomain(CreditEntryBody body) => new()
    {
        Key = body.Key,
        Sequence = body.Sequence,
        Kind = Enum.Parse<CreditEntryKind>(body.Kind, ignoreCase: true),
        Currency = Currency.Parse(body.Currency),
        Amount = body.Amount,
        Parts = [.. body.Parts.Select(p => new CreditPart(p.GrantId, p.Amount))],
        At = body.At,
        Reference = body.Reference,
        Reason = body.Reason,
        Operator = body.Operator,
    };
}
