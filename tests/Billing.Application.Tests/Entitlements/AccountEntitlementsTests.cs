using Billing.Application.Entitlements;
using Billing.Application.Tests.Fakes;
using Billing.Domain.Accounts;
using Billing.Domain.Entitlements;
using Billing.Domain.Subscriptions;
using Microsoft.Extensions.Options;
using Billing.TestSupport;

namespace Billing.Application.Tests.Entitlements;

public sealed class AccountEntitlementsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly InMemoryBillingAccountStore _store;
    private readonly AccountEntitlements _entitlements;

    public AccountEntitlementsTests()
    {
        _store = new InMemoryBillingAccountStore(_time);
        _entitlements = new AccountEntitlements(
            _store,
            TestCatalog.Create(),
            Options.Create(new EntitlementOptions { PastDueGracePeriod = TimeSpan.FromDays(3) }),
            _time);
    }

    [Fact]
    public async Task An_unknown_account_gets_the_free_plan_without_being_created()
    {
        var id = AccountId.Parse("nobody");

        var entitlement = await _entitlements.GetAsync(id, CancellationToken.None);

        Assert.Equal(EntitlementSource.Free, entitlement.Source);
        Assert.Equal("month-2026-11", entitlement.PeriodKey.Value);
        Assert.Null(await _store.GetAsync(id, CancellationToken.None));
    }

    [Fact]
    public async Task Uses_the_configured_grace_period_and_the_clock()
    {
        var id = AccountId.Parse("late-payer");
        var account = BillingAccount.Open(id, Now).ApplySubscriptionSnapshot(
            new SubscriptionSnapshot
            {
                SubscriptionId = "sub_1",
                CustomerId = "cus_1",
                Status = SubscriptionStatus.PastDue,
                PriceId = TestCatalog.ProMonthly,
                CurrentPeriodStart = Now.AddDays(-1),
                CurrentPeriodEnd = Now.AddDays(29),
                AsOf = Now,
            },
            TestCatalog.Create(), TimeSpan.Zero).Account;
        _store.Put(account);

        Assert.Equal(EntitlementSource.GracePeriod, (await _entitlements.GetAsync(id, CancellationToken.None)).Source);

        _time.Advance(TimeSpan.FromDays(3));
        var afterGrace = await _entitlements.GetAsync(id, CancellationToken.None);
        Assert.Equal(EntitlementSource.Free, afterGrace.Source);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(61)]
    public void Grace_period_outside_0_to_60_days_is_rejected(int days)
    {
        var result = new EntitlementOptionsValidator().Validate(null, new EntitlementOptions { PastDueGracePeriod = TimeSpan.FromDays(days) });

        Assert.True(result.Failed);
        Assert.Contains("PastDueGracePeriod", result.FailureMessage, StringComparison.Ordinal);
    }
}
