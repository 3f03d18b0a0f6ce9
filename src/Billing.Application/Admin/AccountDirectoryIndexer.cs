using Billing.Application.Entitlements;
using Billing.Domain.Accounts;
using Billing.Domain.Entitlements;
using Billing.Domain.Plans;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Billing.Application.Admin;

/// <summary>
/// Keeps the operators' account index in step with account writes (write-behind): after each committed write it
/// records the account's summary. A failure is logged and left for the next write or an operator's read to repair;
/// it never fails the write. Reads the catalog and entitlement options directly (not <see cref="AccountEntitlements"/>,
/// which itself needs the account store this listener is part of).
/// </summary>
public sealed partial class AccountDirectoryIndexer(
    IAccountDirectory directory,
    PlanCatalog catalog,
    IOptions<EntitlementOptions> options,
    TimeProvider time,
    ILogger<AccountDirectoryIndexer> logger) : IAccountChangeListener
{
    public async Task AccountChangedAsync(BillingAccount account, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        try
        {
            var entitlement = EntitlementRules.Evaluate(account, catalog, time.GetUtcNow(), options.Value.PastDueGracePeriod);
            await directory.RecordAsync(AccountSummary.Of(account, entitlement), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            LogSummaryNotRecorded(account.Id.Value, account.Version, exception.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The admin summary of account {AccountId} (version {Version}) was not recorded ({ExceptionType}); the next write or an operator's read repairs it")]
    private partial void LogSummaryNotRecorded(string accountId, long version, string exceptionType);
}
