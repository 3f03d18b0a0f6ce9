using Billing.Application.Admin;
using Billing.Application.Entitlements;
using Billing.Application.Tests.Fakes;
using Billing.Domain.Accounts;
using Billing.Domain.Subscriptions;
using Billing.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Billing.Application.Tests.Admin;

/// <summary>The operators' account index kept after each committed account write, never failing the write.</summary>
public sealed class AccountDirectoryIndexerTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly FakeLogger<AccountDirectoryIndexer> _log = new();

    [Fact]
    public async Task A_committed_write_records_the_accounts_summary_with_the_plan_in_force()
    {
        var directory = new InMemoryAccountDirectory();
        var account = BillingAccount.Open(AccountId.Parse("user-42"), Now.AddDays(-3));

        await Indexer(directory).AccountChangedAsync(account, CancellationToken.None);

        var summary = Assert.Single(directory.Stored);
        Assert.Equal((account.Id, "FREE", AccountSummary.NoSubscription, account.Version), (summary.AccountId, summary.Plan.Value, summary.Status, summary.AccountVersion));
    }

    [Fact]
    public async Task A_past_due_account_within_its_grace_period_is_recorded_with_its_paid_plan()
    {
        var bed = new UsageTestBed();
        bed.Time.SetUtcNow(Now);
        var (id, _) = bed.Subscribe(TestCatalog.ProMonthly, SubscriptionStatus.PastDue);
        var directory = new InMemoryAccountDirectory();

        await Indexer(directory).AccountChangedAsync((await bed.Accounts.GetAsync(id, CancellationToken.None))!, CancellationToken.None);

        var summary = Assert.Single(directory.Stored);
        Assert.Equal(("PRO", "past_due"), (summary.Plan.Value, summary.Status)); // as the listing's plan filter and the entitlement have it
    }

    [Fact]
    public async Task A_summary_that_cannot_be_recorded_is_logged_and_never_fails_the_write()
    {
        var account = BillingAccount.Open(AccountId.Parse("user-42"), Now);

        await Indexer(new FailingDirectory()).AccountChangedAsync(account, CancellationToken.None);

        var warning = Assert.Single(_log.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("user-42", warning.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(TimeoutException), warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_write_whose_caller_cancelled_stops_with_the_cancellation()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAsync<TimeoutException>(() => Indexer(new FailingDirectory()).AccountChangedAsync(BillingAccount.Open(AccountId.Parse("user-42"), Now), cancelled.Token));
        Assert.Empty(_log.Collector.GetSnapshot());
    }

    private AccountDirectoryIndexer Indexer(IAccountDirectory directory) =>
        new(directory, TestCatalog.Create(), Options.Create(new EntitlementOptions()), _time, _log);

    private sealed class FailingDirectory : IAccountDirectory
    {
        public Task RecordAsync(AccountSummary summary, CancellationToken cancellationToken) => throw new TimeoutException("The index did not answer.");

        public Task<AccountDirectoryPage> ListAsync(AccountDirectoryQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
