using Billing.Application.Accounts;
using Billing.Application.Catalog;
using Billing.Application.Outcomes;
using Billing.Application.Payments;
using Billing.Application.Redirects;
using Billing.Domain.Accounts;
using Billing.Domain.Plans;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Billing.Application.Checkout;

/// <summary>
/// Starts a subscription-mode Stripe Checkout for the caller's account: the plan's price for the interval (refused when
/// <see cref="PlanPricing"/> knows Stripe bills it otherwise than the catalog says), the plan's
/// trial when the account never had one, and the account id on the session (client_reference_id, metadata) and on the
/// subscription it creates (subscription_data.metadata). Validation and the live-subscription refusal come first, so
/// a rejected request writes nothing, neither in Cosmos nor in Stripe. One open Checkout per account: the same plan and
/// interval while it is open gets the same session back; anything else expires it at Stripe first, and is refused when
/// the customer already paid it (its subscription exists in Stripe before its completion is processed here). Once a
/// new session is stored, the expiries and writes that follow are not cancelled with the request: a session the account
/// no longer remembers would stay payable.
/// </summary>
public sealed partial class CheckoutSessions(
    PlanCatalog catalog,
    PlanPricing pricing,
    IBillingAccountStore accounts,
    StripeCustomerProvisioning customers,
    IStripeBillingGateway gateway,
    RedirectUrlPolicy redirects,
    IOptions<CheckoutOptions> options,
    TimeProvider time,
    ILogger<CheckoutSessions> logger)
{
    public const string SubscriptionLiveDetail =
        "The account already has a subscription; change or cancel it in the customer portal instead of starting a new Checkout.";

    public const string CheckoutCompletedDetail =
        "The account's Checkout was just completed and its subscription is being set up; change it in the customer portal instead of starting a new Checkout.";

    public async Task<Outcome<StartedCheckout>> StartAsync(AccountId accountId, StartCheckout request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new ValidationErrors();
        var price = ResolvePrice(request, errors);
        var successUrl = redirects.Choose(request.SuccessUrl, options.Value.SuccessUrl, "successUrl", errors);
        var cancelUrl = redirects.Choose(request.CancelUrl, options.Value.CancelUrl, "cancelUrl", errors);
        if (!errors.IsEmpty || price is null || successUrl is null || cancelUrl is null)
        {
            return Outcome.Invalid<StartedCheckout>(errors);
        }

        // A price Stripe is known to bill otherwise than the catalog says (the last prices read) is not sold: Stripe
        // would refuse it (archived, unknown) or sell what the app does not count (another interval, another currency
        // than the plan's usage invoices). Not known (Stripe's prices never read): sold, and Stripe decides as before.
        if (await pricing.WhyNotSoldAsync(price.Plan, price.Interval, cancellationToken).ConfigureAwait(false) is { } notSold)
        {
            LogNotSold(accountId.Value, price.Plan.Code.Value, price.Interval, notSold);
            return Outcome.Refused<StartedCheckout>(
                RefusalReason.PlanNotSold,
                $"The {price.Plan.Code} plan is not sold by the {price.Interval.ToStripeValue()} now: {notSold}. Nothing was created; choose another plan or interval, or try again later.");
        }

        // Read first (no write) so a refused request leaves no trace.
        var existing = await accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false);
        if (existing is not null && CheckoutEligibility.HasStandingSubscription(existing, time.GetUtcNow()))
        {
            return Outcome.Refused<StartedCheckout>(RefusalReason.SubscriptionLive, SubscriptionLiveDetail);
        }

        // An account never stored is created, not read again (null: a concurrent request created it, and it is read).
        var read = existing ?? await accounts.CreateAsync(accountId, cancellationToken).ConfigureAwait(false);
        var account = await customers.EnsureCustomerAsync(accountId, read, cancellationToken).ConfigureAwait(false);
        if (CheckoutEligibility.HasStandingSubscription(account, time.GetUtcNow()))
        {
            return Outcome.Refused<StartedCheckout>(RefusalReason.SubscriptionLive, SubscriptionLiveDetail);
        }

        var now = time.GetUtcNow();
        var trialDays = CheckoutEligibility.TrialDaysFor(price.Plan, account);
        if (account.OpenCheckout is { } open && open.IsOpenAt(now))
        {
            if (open.Sells(price.Plan.Code, price.Interval, price.PriceId, trialDays, successUrl, cancelUrl))
            {
                LogReused(accountId.Value, open.SessionId, price.Plan.Code.Value);
                return Outcome.Succeeded(Started(open, trialDays, reused: true));
            }

            // One open Checkout per account: the other one must no longer be payable before a new one exists. One the
            // customer already paid has its subscription in Stripe before its completion is processed here: a new one
            // would be a second subscription (refunded and canceled as a duplicate once both are seen), so it is refused.
            if (await gateway.ExpireCheckoutSessionAsync(open.SessionId, cancellationToken).ConfigureAwait(false) == CheckoutSessionExpiry.Completed)
            {
                LogOpenCompleted(accountId.Value, open.SessionId, open.PlanCode.Value, price.Plan.Code.Value);
                return Outcome.Refused<StartedCheckout>(RefusalReason.SubscriptionLive, CheckoutCompletedDetail);
            }

            // Expired at Stripe: forgotten whatever the caller does now, or a Checkout on its terms would get its dead page back.
            account = await accounts.UpdateAsync(accountId, a => a.ClearCheckout(open.SessionId), CancellationToken.None).ConfigureAwait(false);
            LogExpiredOther(accountId.Value, open.SessionId, open.PlanCode.Value, price.Plan.Code.Value);
        }

        var session = await gateway.CreateCheckoutSessionAsync(
            new HostedCheckoutRequest
            {
                AccountId = accountId,
                CustomerId = account.StripeCustomerId!,
                PriceId = price.PriceId,
                TrialDays = trialDays,
                SuccessUrl = successUrl,
                CancelUrl = cancelUrl,
                IdempotencyKey = PaymentIdempotencyKeys.CheckoutCreation(account, price.PriceId, trialDays, successUrl, cancelUrl),
            },
            cancellationToken).ConfigureAwait(false);

        var opened = new OpenCheckout
        {
            SessionId = session.SessionId,
            Url = session.Url,
            PlanCode = price.Plan.Code,
            Interval = price.Interval,
            PriceId = price.PriceId,
            TrialDays = trialDays,
            SuccessUrl = successUrl,
            CancelUrl = cancelUrl,
            ExpiresAt = session.ExpiresAt ?? now + options.Value.SessionLifetime,
        };
        OpenCheckout? replaced = null;
        // Once the account remembers this session instead of another tab's, nothing else knows that one: what follows is
        // done whatever the caller does (it went away, the host is stopping), or a forgotten session stays payable.
        var finishing = CancellationToken.None;
        var stored = await accounts.UpdateAsync(
            accountId,
            a =>
            {
                // Another request (a second tab) may have opened one meanwhile: it must not stay payable too.
                replaced = a.OpenCheckout is { } other && other.SessionId != opened.SessionId && other.IsOpenAt(now) ? other : null;
                return a.RememberCheckout(opened);
            },
            cancellationToken).ConfigureAwait(false);
        if (replaced is not null)
        {
            if (await gateway.ExpireCheckoutSessionAsync(replaced.SessionId, finishing).ConfigureAwait(false) == CheckoutSessionExpiry.Completed)
            {
                // Paid while this session was being created: its subscription exists in Stripe, so this session must not
                // be payable either, and the paid one stays the account's open Checkout until its completion is processed
                // (a Checkout on other terms then finds it paid and is refused), as when it was open before this request.
                await gateway.ExpireCheckoutSessionAsync(opened.SessionId, finishing).ConfigureAwait(false);
                await accounts.UpdateAsync(accountId, a => a.OpenCheckout?.SessionId == opened.SessionId ? a.RememberCheckout(replaced) : null, finishing).ConfigureAwait(false);
                LogOpenCompleted(accountId.Value, replaced.SessionId, replaced.PlanCode.Value, price.Plan.Code.Value);
                return Outcome.Refused<StartedCheckout>(RefusalReason.SubscriptionLive, CheckoutCompletedDetail);
            }

            LogExpiredOther(accountId.Value, replaced.SessionId, replaced.PlanCode.Value, price.Plan.Code.Value);
        }

        if (trialDays is > 0 && stored.TrialUsedAt is not null)
        {
            // A trial started while this session was being created: paid, it would give a second one.
            await gateway.ExpireCheckoutSessionAsync(opened.SessionId, finishing).ConfigureAwait(false);
            await accounts.UpdateAsync(accountId, a => a.ClearCheckout(opened.SessionId), finishing).ConfigureAwait(false);
            return Outcome.Refused<StartedCheckout>(RefusalReason.TrialAlreadyUsed, "A trial started while this Checkout was being created; start the Checkout again (without a trial).");
        }

        LogStarted(accountId.Value, price.Plan.Code.Value, price.PriceId, trialDays ?? 0, session.SessionId);
        return Outcome.Succeeded(Started(opened, trialDays, reused: false));
    }

    private static StartedCheckout Started(OpenCheckout session, int? trialDays, bool reused) => new()
    {
        SessionId = session.SessionId,
        Url = session.Url,
        Plan = session.PlanCode,
        Interval = session.Interval,
        PriceId = session.PriceId,
        TrialDays = trialDays,
        Reused = reused,
    };

    private PlanPrice? ResolvePrice(StartCheckout request, ValidationErrors errors)
    {
        Plan? plan = null;
        if (string.IsNullOrWhiteSpace(request.Plan))
        {
            errors.Add("plan", "The plan is required (a plan code from GET /api/billing/plans, e.g. PRO).");
        }
        else if (!PlanCode.TryParse(request.Plan, out var code) || catalog.Find(code) is not { } found)
        {
            errors.Add("plan", $"{ValidationErrors.Quote(request.Plan)} is not a plan of the catalog; sold through Checkout: {string.Join(", ", catalog.Plans.Where(p => p.Kind == PlanKind.Paid).Select(p => p.Code.Value))}.");
        }
        else if (found.Kind != PlanKind.Paid)
        {
            errors.Add("plan", $"The {found.Code} plan is not sold through Checkout.");
        }
        else
        {
            plan = found;
        }

        BillingInterval? interval = null;
        if (string.IsNullOrWhiteSpace(request.Interval))
        {
            errors.Add("interval", "The interval is required: month or year.");
        }
        else if (!BillingIntervals.TryParseStripe(request.Interval, out var parsed))
        {
            errors.Add("interval", $"{ValidationErrors.Quote(request.Interval)} is not an interval: use month or year.");
        }
        else
        {
            interval = parsed;
        }

        if (plan is null || interval is not { } chosen)
        {
            return null;
        }

        if (plan.PriceIdFor(chosen) is not { } priceId)
        {
            errors.Add("interval", $"The {plan.Code} plan is not sold by the {chosen.ToStripeValue()}.");
            return null;
        }

        return new PlanPrice(plan, chosen, priceId);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checkout of plan {Plan} by the {Interval} refused for account {AccountId}: {Reason}")]
    private partial void LogNotSold(string accountId, string plan, BillingInterval interval, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Checkout {SessionId} of account {AccountId} is still open for plan {Plan}; reused")]
    private partial void LogReused(string accountId, string sessionId, string plan);

    [LoggerMessage(Level = LogLevel.Information, Message = "Checkout {SessionId} of account {AccountId} for plan {OldPlan} expired at Stripe before a Checkout of plan {NewPlan}")]
    private partial void LogExpiredOther(string accountId, string sessionId, string oldPlan, string newPlan);

    [LoggerMessage(Level = LogLevel.Information, Message = "Checkout {SessionId} of account {AccountId} for plan {OldPlan} was already completed at Stripe (its webhook not processed yet); a Checkout of plan {NewPlan} is refused")]
    private partial void LogOpenCompleted(string accountId, string sessionId, string oldPlan, string newPlan);

    [LoggerMessage(Level = LogLevel.Information, Message = "Checkout {SessionId} started for account {AccountId}: plan {Plan}, price {PriceId}, trial days {TrialDays}")]
    private partial void LogStarted(string accountId, string plan, string priceId, int trialDays, string sessionId);
}
