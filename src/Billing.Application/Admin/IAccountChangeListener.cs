using Billing.Domain.Accounts;

namespace Billing.Application.Admin;

/// <summary>
/// Told by the account store after an account write is committed (a create or a changed update; never for a read or
/// a no-op). A listener must not fail the write that already happened: it handles its own failures.
/// </summary>
public interface IAccountChangeListener
{
    Task AccountChangedAsync(BillingAccount account, CancellationToken cancellationToken);
}
