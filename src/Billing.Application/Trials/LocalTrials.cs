using Billing.Application.Accounts;
using Billing.Application.Outcomes;
using Billing.Application.Payments;
using Billing.Domain.Accounts;
using Billing.Domain.Plans;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Trials;

/// <summary>
/// Starts the catalog's trial plan for the caller's account, once per account ever: refused after any earlier trial
/// (app-side or through Checkout, running, ended or cancelled) and while a subscription is live. The trial ends by
/// time (the entitlement rules compare its end with the clock), not by a webhook. The decision is taken inside the
/// ETag-guarded update, so two racing requests start one trial; a refused request writes nothing. An open Checkout
/// that grants Stripe's trial is expired first (also one another request opened while this one ran: the update finds it
/// and the trial waits for another pass), one the customer already completed refuses this trial (Stripe's has begun,
/// its webhook not processed yet), and a Checkout created meanwhile with a trial refuses itself
/// (<see cref="Checkout.CheckoutSessions"/>), so no account gets both trials.
/// </summary>
public sealed partial class LocalTrials(
    PlanCatalog catalog,
    IBillingAccountStore accounts,
    IStripeBillingGateway gateway,
    TimeProvider time,
    ILogger<LocalTrials> logger)
{
    /// <summary>Passes over the account while other requests keep opening Checkouts with Stripe's trial under it.</summary>
    private const int MaxAttempts = 3;

    public async Task<Outcome<StartedTrial>> StartAsync(AccountId accountId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var existing = await accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false);
            var probe = (existing ?? BillingAccount.Open(accountId, now)).StartLocalTrial(catalog, now);
            if (!probe.Changed)
            {
                return Refusal(probe.Outcome);
            }

            if (existing is null)
            {
                // Created, not read again (null: a concurrent request created it; the update below reads theirs).
                await accounts.CreateAsync(accountId, cancellationToken).ConfigureAwait(false);
            }

            // An open Checkout that grants Stripe's trial would give a second trial once paid: no longer payable first.
            var trialCheckout = TrialCheckout(existing, now);
            if (trialCheckout is not null
                && await gateway.ExpireCheckoutSessionAsync(trialCheckout.SessionId, cancellationToken).ConfigureAwait(false) == CheckoutSessionExpiry.Completed)
            {
                // Completed before it could be expired: Stripe's trial has begun (its webhook not processed yet).
                return Outcome.Refused<StartedTrial>(RefusalReason.TrialAlreadyUsed, "The account's Checkout with the plan's trial was just completed: its trial has begun; a trial is offered once per account.");
            }

            LocalTrialStartResult? decision = null;
            OpenCheckout? openedMeanwhile = null;
            BillingAccount stored;
            try
            {
                stored = await accounts.UpdateAsync(
                    accountId,
                    account =>
                    {
                        decision = account.StartLocalTrial(catalog, now);
                        // A Checkout with Stripe's trial opened since the read above (another tab) saw no trial yet, so it did
                        // not refuse itself, and it is not expired: the trial waits until it is (the next pass expires it).
                        openedMeanwhile = decision.Changed && TrialCheckout(account, now) is { } open && open.SessionId != trialCheckout?.SessionId ? open : null;
                        return !decision.Changed || openedMeanwhile is not null ? null : trialCheckout is null ? decision.Account : decision.Account.ClearCheckout(trialCheckout.SessionId);
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (trialCheckout is not null)
            {
                // Stripe expired it: the account forgets it whatever stopped the trial's write (the caller went away, the
                // host is stopping), or a Checkout on its terms would get its dead page back until it would have expired.
                await accounts.UpdateAsync(accountId, a => a.ClearCheckout(trialCheckout.SessionId), CancellationToken.None).ConfigureAwait(false);
                throw;
            }

            if (openedMeanwhile is not null)
            {
                continue;
            }

            if (!decision!.Changed || stored.LocalTrial is not { } trial)
            {
                return Refusal(decision.Outcome);
            }

            LogStarted(accountId.Value, trial.PlanCode.Value, trial.EndsAt);
            return Outcome.Succeeded(new StartedTrial { Plan = catalog.Get(trial.PlanCode), StartedAt = trial.StartedAt, EndsAt = trial.EndsAt });
        }

        throw new AccountUpdateConflictException(accountId, MaxAttempts);
    }

    /// <summary>The account's open Checkout that grants Stripe's trial, if any.</summary>
    private static OpenCheckout? TrialCheckout(BillingAccount? account, DateTimeOffset now) =>
        account?.OpenCheckout is { TrialDays: > 0 } open && open.IsOpenAt(now) ? open : null;

    private static Outcome<StartedTrial> Refusal(LocalTrialStartOutcome outcome) => outcome switch
    {
        LocalTrialStartOutcome.AlreadyUsed =>
            Outcome.Refused<StartedTrial>(RefusalReason.TrialAlreadyUsed, "The account already had its trial; a trial is offered once per account."),
        LocalTrialStartOutcome.SubscriptionLive =>
            Outcome.Refused<StartedTrial>(RefusalReason.SubscriptionLive, "The account has a live subscription; a trial is only for accounts without one."),
        LocalTrialStartOutcome.TrialNotOffered =>
            Outcome.Refused<StartedTrial>(RefusalReason.TrialNotOffered, "No trial is offered."),
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Not a refusal."),
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {AccountId} started the {Plan} trial, ending {EndsAt:O}")]
    private partial void LogStarted(string accountId, string plan, DateTimeOffset endsAt);
}
