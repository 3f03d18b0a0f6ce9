using Billing.StripeEmulator.Billing;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.State.Objects;
using Billing.StripeEmulator.Wire;

namespace Billing.StripeEmulator.Checkout;

/// <summary>Pays a Checkout Session as its customer would (from the hosted page or the test control).</summary>
internal sealed class CheckoutPayments(EmulatorStore store, RenewalEngine engine)
{
    /// <summary>Completes the session; a declined card leaves it open and throws 402 card_declined.</summary>
    public CheckoutSessionRecord Pay(string sessionId, PaymentBehavior behavior, string? email, string? name, bool delayed = false)
    {
        var (session, completed) = store.Write(RequestInfo.Automatic, m =>
        {
            var found = Lookup.CheckoutSession(m.State, sessionId);
            return (found, CheckoutCompletion.TryComplete(m, found, behavior, email, name, delayed));
        });
        if (!completed)
        {
            throw StripeApiException.CardDeclined();
        }

        engine.RunDue();
        return session;
    }

    /// <summary>Ends a delayed payment (see <see cref="CheckoutCompletion.SettleAsyncPayment"/>).</summary>
    public CheckoutSessionRecord SettleAsync(string sessionId, bool succeeded) =>
        store.Write(RequestInfo.Automatic, m =>
        {
            var session = Lookup.CheckoutSession(m.State, sessionId);
            CheckoutCompletion.SettleAsyncPayment(m, session, succeeded);
            return session;
        });
}
