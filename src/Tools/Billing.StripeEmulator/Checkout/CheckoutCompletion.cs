using Billing.StripeEmulator.Billing;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.State.Objects;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Shapes;

namespace Billing.StripeEmulator.Checkout;

/// <summary>
/// What happens when a customer pays on the Checkout page: the customer (if new), the saved payment method, for
/// subscription mode the subscription and its first invoice (paid; zero during a trial), and the events in
/// Stripe's order: customer.created, checkout.session.completed, customer.subscription.created, invoice.created,
/// invoice.finalized, invoice.paid, invoice.payment_succeeded.
/// </summary>
internal static class CheckoutCompletion
{
    public const string DefaultEmail = "customer@example.com";

    /// <summary>Returns false (and changes nothing) when the card is declined for an amount due now: the page stays open.</summary>
    /// <param name="delayed">
    /// Payment mode only: a delayed-notification method (a bank debit): the session completes with
    /// `payment_status: unpaid` and the outcome comes later (<see cref="SettleAsyncPayment"/>).
    /// </param>
    public static bool TryComplete(Mutation m, CheckoutSessionRecord session, PaymentBehavior behavior, string? email, string? name, bool delayed = false)
    {
        if (session.Status != "open")
        {
            throw StripeApiException.InvalidRequest($"This Checkout Session is {session.Status} and can no longer be paid.", null);
        }

        if (delayed && session.Mode != "payment")
        {
            throw StripeApiException.ParameterInvalid("payment_method", "The emulator supports delayed (asynchronous) payments in `payment` mode only.");
        }

        var subtotal = session.LineItems.Sum(line => m.State.Prices[line.PriceId].UnitAmount * line.Quantity);
        var trialing = session.Mode == "subscription" && session.TrialPeriodDays is > 0;
        var dueNow = trialing ? 0 : subtotal;
        if (behavior == PaymentBehavior.Failing && dueNow > 0)
        {
            return false;
        }

        CustomerRecord? customer = session.CustomerId is null ? null : m.State.Customers[session.CustomerId];
        var needsCustomer = session.Mode == "subscription" || session.CustomerCreation == "always";
        if (customer is null && needsCustomer)
        {
            customer = Customers.Create(m, email ?? session.CustomerEmail ?? DefaultEmail, name);
            Customers.EmitCreated(m, customer);
        }

        if (customer is not null)
        {
            Customers.SetPaymentBehavior(customer, behavior);
        }

        session.Status = "complete";
        session.CustomerId = customer?.Id;
        session.CompletedEmail = email ?? customer?.Email ?? session.CustomerEmail ?? DefaultEmail;
        session.CompletedName = name ?? customer?.Name;
        var completedAt = m.Mark();

        if (session.Mode == "subscription")
        {
            StartSubscription(m, session, customer!, trialing);
            session.PaymentStatus = trialing ? "no_payment_required" : "paid";
        }
        else if (subtotal == 0)
        {
            session.PaymentStatus = "no_payment_required";
        }
        else
        {
            var intent = Payments.NewIntent(m, subtotal, session.Currency, customer?.Id, session.PaymentIntentDescription, invoiceId: null, session.PaymentIntentMetadata);
            session.PaymentIntentId = intent.Id;
            if (delayed)
            {
                intent.Status = "processing";
                intent.PaymentMethod = IdGenerator.New("pm");
                session.PaymentStatus = "unpaid";
            }
            else
            {
                Payments.Succeed(m, intent, session.CompletedEmail, session.CompletedName);
                session.PaymentStatus = "paid";
            }
        }

        m.EmitAt(completedAt, "checkout.session.completed", CheckoutSessionShape.ToJson(session, m.State));
        return true;
    }

    /// <summary>
    /// The outcome of a delayed payment on a completed session: `checkout.session.async_payment_succeeded`
    /// (payment_status paid) or `checkout.session.async_payment_failed` (payment_status stays unpaid).
    /// </summary>
    public static void SettleAsyncPayment(Mutation m, CheckoutSessionRecord session, bool succeeded)
    {
        if (session.Status != "complete" || session.PaymentStatus != "unpaid" || session.PaymentIntentId is null
            || m.State.PaymentIntents[session.PaymentIntentId].Status != "processing")
        {
            throw StripeApiException.InvalidRequest($"Checkout Session {session.Id} has no delayed payment in progress.", null);
        }

        var intent = m.State.PaymentIntents[session.PaymentIntentId];
        if (succeeded)
        {
            Payments.Succeed(m, intent, session.CompletedEmail, session.CompletedName);
            session.PaymentStatus = "paid";
            m.Emit("checkout.session.async_payment_succeeded", CheckoutSessionShape.ToJson(session, m.State));
        }
        else
        {
            intent.Status = "requires_payment_method";
            m.Emit("checkout.session.async_payment_failed", CheckoutSessionShape.ToJson(session, m.State));
        }
    }

    private static void StartSubscription(Mutation m, CheckoutSessionRecord session, CustomerRecord customer, bool trialing)
    {
        var subscription = Subscriptions.Create(
            m,
            customer,
            session.LineItems.Select(line => (line.PriceId, line.Quantity)),
            trialing ? session.TrialEnd ?? m.Now + (session.TrialPeriodDays!.Value * 86400) : null,
            session.SubscriptionMetadata,
            session.SubscriptionDescription);
        var invoice = Invoicing.NewDraft(m, customer, "subscription_create", subscription.Currency, subscription.Id);
        Invoicing.AddSubscriptionLines(m, invoice, subscription, subscription.CurrentPeriodStart, subscription.CurrentPeriodEnd, trialing);
        subscription.LatestInvoiceId = invoice.Id;
        session.SubscriptionId = subscription.Id;
        session.InvoiceId = invoice.Id;

        m.Emit("customer.subscription.created", SubscriptionShape.ToJson(subscription, m.State));
        Invoicing.EmitCreated(m, invoice);
        Invoicing.Finalize(m, invoice);
        if (invoice.Status == "open")
        {
            // The customer is on the page: a card that needs authentication is authenticated there.
            invoice.AttemptCount++;
            invoice.Attempted = true;
            Invoicing.MarkPaid(m, invoice, viaPayment: true);
        }
    }
}
