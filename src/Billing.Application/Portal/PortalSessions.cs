using Billing.Application.Accounts;
using Billing.Application.Outcomes;
using Billing.Application.Payments;
using Billing.Application.Redirects;
using Billing.Domain.Accounts;
using Microsoft.Extensions.Options;

namespace Billing.Application.Portal;

/// <summary>
/// Opens Stripe's customer portal for the caller's account (change plan, payment method, invoices, cancel). Only reads
/// the account: an account without a Stripe customer is refused, never provisioned here.
/// </summary>
public sealed class PortalSessions(
    IBillingAccountStore accounts,
    IStripeBillingGateway gateway,
    RedirectUrlPolicy redirects,
    IOptions<PortalOptions> options)
{
    public const string NoCustomerDetail = "The account has no Stripe customer yet; start a Checkout first.";

    public async Task<Outcome<HostedPortalSession>> OpenAsync(AccountId accountId, OpenPortal request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new ValidationErrors();
        var returnUrl = redirects.Choose(request.ReturnUrl, options.Value.ReturnUrl, "returnUrl", errors);
        if (returnUrl is null)
        {
            return Outcome.Invalid<HostedPortalSession>(errors);
        }

        var account = await accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false);
        if (account?.StripeCustomerId is not { } customerId)
        {
            return Outcome.Refused<HostedPortalSession>(RefusalReason.NoStripeCustomer, NoCustomerDetail);
        }

        var session = await gateway.CreatePortalSessionAsync(new HostedPortalRequest { CustomerId = customerId, ReturnUrl = returnUrl }, cancellationToken)
            .ConfigureAwait(false);
        return Outcome.Succeeded(session);
    }
}

/// <summary>A request to open the customer portal, as received: an optional return URL (allow-listed origins only).</summary>
public sealed record OpenPortal
{
    public string? ReturnUrl { get; init; }
}
