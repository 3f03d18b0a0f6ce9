using System.Net;
using Billing.Application.Accounts;
using Billing.Application.Admin;
using Billing.Cosmos.Configuration;
using Billing.Cosmos.Documents;
using Billing.Cosmos.Logging;
using Billing.Domain.Accounts;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Billing.Cosmos.Accounts;

/// <summary>
/// Accounts in the accounts container (partition = account id, id = <c>account:{accountId}</c>): point reads,
/// create-then-read for races, ETag-guarded replaces for updates. After each committed create or changed update the
/// <see cref="IAccountChangeListener"/>s are told (the operators' account index is kept so).
/// </summary>
public sealed class CosmosBillingAccountStore(
    BillingContainers containers,
    IEnumerable<IAccountChangeListener> listeners,
    IOptions<CosmosOptions> options,
    TimeProvider time,
    ILogger<CosmosBillingAccountStore> logger) : IBillingAccountStore
{
    private const int MaxCreateAttempts = 3;

    private Container Container => containers.Accounts;

    public async Task<BillingAccount?> GetAsync(AccountId accountId, CancellationToken cancellationToken)
    {
        var document = await ReadAsync(accountId, cancellationToken).ConfigureAwait(false);
        return document is null ? null : AccountDocumentMapper.ToDomain(document);
    }

    public async Task<BillingAccount> GetOrCreateAsync(AccountId accountId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= MaxCreateAttempts; attempt++)
        {
            var existing = await ReadAsync(accountId, cancellationToken).ConfigureAwait(false);
            if (existing is not null)
            {
                return AccountDocumentMapper.ToDomain(existing);
            }

            if (await CreateAsync(accountId, cancellationToken).ConfigureAwait(false) is { } created)
            {
                return created;
            }

            // 409: another request created it first; read theirs on the next pass.
        }

        throw new InvalidOperationException($"Billing account '{accountId}' could neither be read nor created after {MaxCreateAttempts} attempts (created and deleted concurrently?).");
    }

    public async Task<BillingAccount?> CreateAsync(AccountId accountId, CancellationToken cancellationToken)
    {
        var opened = BillingAccount.Open(accountId, time.GetUtcNow());
        var created = await Container.CreateAsync(AccountDocumentMapper.ToDocument(opened), PartitionKeyOf(accountId), cancellationToken).ConfigureAwait(false);
        if (created.Status != HttpStatusCode.Created)
        {
            return null; // 409: it exists
        }

        CosmosLog.AccountCreated(logger, accountId.Value);
        return await CommittedAsync(AccountDocumentMapper.ToDomain(created.Document!), cancellationToken).ConfigureAwait(false);
    }

    public async Task<BillingAccount> UpdateAsync(AccountId accountId, Func<BillingAccount, BillingAccount?> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        var maxAttempts = options.Value.MaxUpdateAttempts;
        for (var attempt = 1; attempt <= maxAttempts; attempt++)
        {
            var document = await ReadAsync(accountId, cancellationToken).ConfigureAwait(false)
                           ?? throw new BillingAccountNotFoundException(accountId);
            document.EnsureRewritableBy(DocumentTypes.AccountSchemaVersion);
            var current = AccountDocumentMapper.ToDomain(document);
            var changed = change(current);
            if (changed is null || changed == current)
            {
                return current;
            }

            if (changed.Id != accountId)
            {
                throw new InvalidOperationException($"An update of account '{accountId}' must not change its id (got '{changed.Id}').");
            }

            var next = changed with { Version = current.Version + 1, UpdatedAt = time.GetUtcNow() };
            var replaced = await Container.ReplaceAsync(
                AccountDocumentMapper.ToDocument(next, document),
                document.Id,
                PartitionKeyOf(accountId),
                document.ETag ?? throw new InvalidDataException($"Account document '{document.Id}' was read without an _etag."),
                cancellationToken).ConfigureAwait(false);

            switch (replaced.Status)
            {
                case HttpStatusCode.OK:
                    return await CommittedAsync(AccountDocumentMapper.ToDomain(replaced.Document!), cancellationToken).ConfigureAwait(false);
                case HttpStatusCode.NotFound:
                    throw new BillingAccountNotFoundException(accountId);
                default:
                    CosmosLog.AccountUpdateRetry(logger, accountId.Value, attempt, maxAttempts);
                    await DocumentOperations.PauseBeforeRetryAsync(time, attempt, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }

        CosmosLog.AccountUpdateGaveUp(logger, accountId.Value, maxAttempts);
        throw new AccountUpdateConflictException(accountId, maxAttempts);
    }

    private readonly IAccountChangeListener[] _listeners = [.. listeners];

    private async Task<BillingAccount> CommittedAsync(BillingAccount account, CancellationToken cancellationToken)
    {
        foreach (var listener in _listeners)
        {
            await listener.AccountChangedAsync(account, cancellationToken).ConfigureAwait(false);
        }

        return account;
    }

    private Task<AccountDocument?> ReadAsync(AccountId accountId, CancellationToken cancellationToken) =>
        Container.ReadAsync<AccountDocument>(DocumentIds.Account(accountId), PartitionKeyOf(accountId), cancellationToken);

    private static PartitionKey PartitionKeyOf(AccountId accountId) => new(accountId.Value);
}
