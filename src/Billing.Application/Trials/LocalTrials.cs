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
/// that grants Stripe's trial is expired first, and a Checkout created meanwhile with a trial refuses itself
/// (<see cref="Checkout.CheckoutSessions"/>), so no account gets both trials.
/// </summary>
public sealed partial class LocalTrials(
    PlanCatalog catalog,
    IBillingAccountStore accounts,
    IStripeBillingGateway gateway,
    TimeProvider time,
    ILogger<LocalTrials> logger)
{
    public async Task<Outcome<StartedTrial>> StartAsync(AccountId accountId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var existing = await accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false);
        var probe = (existing ?? BillingAccount.Open(accountId, now)).StartLocalTrial(catalog, now);
        if (!probe.Changed)
        {
            return Refusal(probe.Outcome);
        }

        if (existing is null)
        {
            await accounts.GetOrCreateAsync(accountId, cancellationToken).ConfigureAwait(false);
        }

        // An open Checkout that grants Stripe's trial would give a second trial once paid: no longer payable first.
        var trialCheckout = existing?.OpenCheckout is { TrialDays: > 0 } open && open.IsOpenAt(now) ? open : null;
        if (trialCheckout is not null)
        {
            await gateway.ExpireCheckoutSessionAsync(trialCheckout.SessionId, cancellationToken).ConfigureAwait(false);
        }

        LocalTrialStartResult? decision = null;
        var stored = await accounts.UpdateAsync(
            accountId,
            account =>
            {
                decision = account.StartLocalTrial(catalog, now);
                return !decision.Changed ? null : trialCheckout is null ? decision.Account : decision.Account.ClearCheckout(trialCheckout.SessionId);
            },
            cancellationToken).ConfigureAwait(false);

        if (!decision!.Changed || stored.LocalTrial is not { } trial)
        {
            return Refusal(decision.Outcome);
        }

        LogStarted(accountId.Value, trial.PlanCode.Value, trial.EndsAt);
        return Outcome.Succeeded(new StartedTrial { Plan = catalog.Get(trial.PlanCode), StartedAt = trial.StartedAt, EndsAt = trial.EndsAt });
    }

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
