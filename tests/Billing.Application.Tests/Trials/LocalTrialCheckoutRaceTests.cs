using Billing.Application.Accounts;
using Billing.Application.Checkout;
using Billing.Application.Outcomes;
using Billing.Application.Tests.Fakes;
using Billing.Application.Trials;
using Billing.Domain.Accounts;
using Microsoft.Extensions.Logging.Abstractions;

namespace Billing.Application.Tests.Trials;

/// <summary>
/// A Checkout that grants Stripe's trial, opened by another tab after the trial request read the account and before
/// it stored the trial: the Checkout saw no trial yet (so it does not refuse itself), and the trial must not leave it
/// payable, or the account gets the local trial and then Stripe's.
/// </summary>
public sealed class LocalTrialCheckoutRaceTests
{
    private readonly AccountsTestBed _bed = new();
    private readonly AccountId _id = AccountsTestBed.NewAccountId();

    [Fact]
    public async Task A_checkout_with_a_trial_opened_between_the_trial_s_read_and_its_write_is_not_left_payable()
    {
        await _bed.Accounts.GetOrCreateAsync(_id, CancellationToken.None);
        StartedCheckout? opened = null;
        var accounts = new AfterFirstRead(_bed.Accounts, async () =>
        {
            // Another tab, start to finish, right after the trial request read the account.
            var outcome = await _bed.Checkout.StartAsync(_id, new StartCheckout { Plan = "basic", Interval = "year" }, CancellationToken.None);
            opened = Assert.IsType<Succeeded<StartedCheckout>>(outcome).Value;
        });
        var trials = new LocalTrials(_bed.Catalog, accounts, _bed.Gateway, _bed.Time, NullLogger<LocalTrials>.Instance);

        var trial = await trials.StartAsync(_id, CancellationToken.None);

        Assert.NotNull(opened!.TrialDays); // the Checkout grants Stripe's trial and was answered as open
        var stored = (await _bed.Accounts.GetAsync(_id, CancellationToken.None))!;
        if (trial is Succeeded<StartedTrial>)
        {
            Assert.NotNull(stored.LocalTrial);
            Assert.Contains(opened.SessionId, _bed.Gateway.ExpiredSessions); // no second trial through Stripe
            Assert.Null(stored.OpenCheckout);
        }
        else
        {
            Assert.Null(stored.LocalTrial);
        }
    }

    /// <summary>The account store, running <paramref name="afterFirstRead"/> once right after the first <see cref="GetAsync"/>.</summary>
    private sealed class AfterFirstRead(IBillingAccountStore inner, Func<Task> afterFirstRead) : IBillingAccountStore
    {
        private Func<Task>? _pending = afterFirstRead;

        public async Task<BillingAccount?> GetAsync(AccountId accountId, CancellationToken cancellationToken)
        {
            var read = await inner.GetAsync(accountId, cancellationToken);
            if (Interlocked.Exchange(ref _pending, null) is { } hook)
            {
                await hook();
            }

            return read;
        }

        public Task<BillingAccount> GetOrCreateAsync(AccountId accountId, CancellationToken cancellationToken) => inner.GetOrCreateAsync(accountId, cancellationToken);

        public Task<BillingAccount> UpdateAsync(AccountId accountId, Func<BillingAccount, BillingAccount?> change, CancellationToken cancellationToken) =>
            inner.UpdateAsync(accountId, change, cancellationToken);
    }
}
