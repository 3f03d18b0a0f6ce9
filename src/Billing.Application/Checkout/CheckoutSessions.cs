using Billing.Application.Accounts;
using Billing.Application.Outcomes;
using Billing.Application.Payments;
using Billing.Application.Redirects;
using Billing.Domain.Accounts;
using Billing.Domain.Plans;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Billing.Application.Checkout;

/// <summary>
/// Starts a subscription-mode Stripe Checkout for the caller's account: the plan's price for the interval, the plan's
/// trial when the account never had one, and the account id on the session (client_reference_id, metadata) and on the
/// subscription it creates (subscription_data.metadata). Validation and the live-subscription refusal come first, so
/// a rejected request writes nothing, neither in Cosmos nor in Stripe.
/// </summary>
public sealed partial class CheckoutSessions(
    PlanCatalog catalog,
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

        // Read first (no write) so a refused request leaves no trace.
        var existing = await accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false);
        if (existing is not null && CheckoutEligibility.HasStandingSubscription(existing, time.GetUtcNow()))
        {
            return Outcome.Refused<StartedCheckout>(RefusalReason.SubscriptionLive, SubscriptionLiveDetail);
        }

        var account = await customers.EnsureCustomerAsync(accountId, cancellationToken).ConfigureAwait(false);
        if (CheckoutEligibility.HasStandingSubscription(account, time.GetUtcNow()))
        {
            return Outcome.Refused<StartedCheckout>(RefusalReason.SubscriptionLive, SubscriptionLiveDetail);
        }

        var trialDays = CheckoutEligibility.TrialDaysFor(price.Plan, account);
        var session = await gateway.CreateCheckoutSessionAsync(
            new HostedCheckoutRequest
            {
                AccountId = accountId,
                CustomerId = account.StripeCustomerId!,
                PriceId = price.PriceId,
                TrialDays = trialDays,
                SuccessUrl = successUrl,
                CancelUrl = cancelUrl,
            },
            cancellationToken).ConfigureAwait(false);

        LogStarted(accountId.Value, price.Plan.Code.Value, price.PriceId, trialDays ?? 0, session.SessionId);
        return Outcome.Succeeded(new StartedCheckout
        {
            SessionId = session.SessionId,
            Url = session.Url,
            Plan = price.Plan.Code,
            Interval = price.Interval,
            PriceId = price.PriceId,
            TrialDays = trialDays,
        });
    }

    private PlanPrice? ResolvePrice(StartCheckout request, ValidationErrors errors)
    {
        Plan? plan = null;
        if (string.IsNullOrWhiteSpace(request.Plan))
        {
            errors.Add("plan", "The plan is required (a plan code from GET /api/billing/plans, e.g. PRO).");
        }
        else if (!PlanCode.TryParse(request.Plan, out var code) || catalog.Find(code) is not { } found)
        {
            errors.Add("plan", $"'{request.Plan}' is not a plan of the catalog.");
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
            errors.Add("interval", $"'{request.Interval}' is not an interval: use month or year.");
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Checkout {SessionId} started for account {AccountId}: plan {Plan}, price {PriceId}, trial days {TrialDays}")]
    private partial void LogStarted(string accountId, string plan, string priceId, int trialDays, string sessionId);
}
