using Billing.Application.Accounts;

namespace Billing.Application.StripeEvents.Handling;

/// <summary>
/// <c>checkout.session.expired</c>: the session can no longer be paid, so it stops being the account's open Checkout
/// (a new Checkout then creates a new session). Sessions of other accounts or older sessions change nothing.
/// </summary>
public sealed class CheckoutSessionExpiredHandler(StripeEventAccountResolver resolver, IBillingAccountStore accounts) : IStripeEventTypeHandler
{
    private static readonly HashSet<string> Types = new(StringComparer.Ordinal) { "checkout.session.expired" };

    public IReadOnlySet<string> EventTypes => Types;

    public async Task<StripeEventHandlingResult> HandleAsync(StripeEventPayload stripeEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stripeEvent);
        if (stripeEvent.ObjectId is not { } sessionId)
        {
            return StripeEventHandlingResult.Ignored(null, "The event carries no Checkout Session id.");
        }

        var resolution = await resolver.ResolveAsync(stripeEvent.CustomerId, stripeEvent.AccountReference, cancellationToken).ConfigureAwait(false);
        if (resolution.AccountId is not { } accountId)
        {
            return StripeEventHandlingResult.Ignored(null, resolution.Problem!);
        }

        var account = await accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false);
        if (account?.OpenCheckout?.SessionId != sessionId)
        {
            return StripeEventHandlingResult.Ignored(accountId, $"Checkout Session {sessionId} is not the account's open Checkout.");
        }

        await accounts.UpdateAsync(accountId, a => a.ClearCheckout(sessionId), cancellationToken).ConfigureAwait(false);
        return StripeEventHandlingResult.Applied(accountId, $"Checkout Session {sessionId} expired; no open Checkout any more.");
    }
}
