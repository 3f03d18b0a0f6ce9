using Billing.Application.Outcomes;
using Billing.Domain.Accounts;

namespace Billing.Application.Accounts;

/// <summary>The registered account and whether this call created it.</summary>
public sealed record RegisteredAccount(AccountId AccountId, DateTimeOffset CreatedAt, bool Created);

/// <summary>
/// Registers a billing account for the product's backend (<c>PUT /api/accounts/{accountId}</c>), idempotently: usage
/// and allocations are only accepted for registered accounts, so a typo in an account id is a 404, not a new tenant.
/// </summary>
public sealed class AccountRegistration(IBillingAccountStore accounts)
{
    public async Task<Outcome<RegisteredAccount>> RegisterAsync(string? accountId, CancellationToken cancellationToken)
    {
        if (!AccountId.TryParse(accountId, out var id, out var error))
        {
            return Outcome.Invalid<RegisteredAccount>("accountId", error!);
        }

        if (await accounts.GetAsync(id, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return Outcome.Succeeded(new RegisteredAccount(id, existing.CreatedAt, Created: false));
        }

        // Missing when read: the create decides, since a concurrent registration may have created it since.
        if (await accounts.CreateAsync(id, cancellationToken).ConfigureAwait(false) is { } created)
        {
            return Outcome.Succeeded(new RegisteredAccount(id, created.CreatedAt, Created: true));
        }

        var account = await accounts.GetOrCreateAsync(id, cancellationToken).ConfigureAwait(false);
        return Outcome.Succeeded(new RegisteredAccount(id, account.CreatedAt, Created: false));
    }
}
