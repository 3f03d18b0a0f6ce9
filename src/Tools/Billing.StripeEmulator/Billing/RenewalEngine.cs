using Billing.StripeEmulator.State;
using Billing.StripeEmulator.Wire.Shapes;

namespace Billing.StripeEmulator.Billing;

/// <summary>
/// Moves every object through what is due by the emulator clock's "now", in time order, each change dated at its
/// own milestone: trial warnings and ends, renewals, scheduled cancellations, paused collection resuming, invoice
/// auto-advance, session expiry.
/// </summary>
internal sealed class RenewalEngine(EmulatorStore store, EmulatorClock clock)
{
    private const int MaxStepsPerRun = 100_000;

    /// <summary>Processes everything due now; returns how many milestones were handled.</summary>
    public int RunDue() => store.Write(RequestInfo.Automatic, m => Process(m, clock.UnixNow()));

    private static int Process(Mutation m, long now)
    {
        var handled = 0;
        while (handled < MaxStepsPerRun && Milestones.Next(m.State, now) is { } milestone)
        {
            m.Now = milestone.At;
            Handle(m, milestone);
            handled++;
        }

        m.Now = now;
        return handled;
    }

    private static void Handle(Mutation m, Milestone milestone)
    {
        switch (milestone.Kind)
        {
            case MilestoneKind.TrialWillEnd:
                var warned = m.State.Subscriptions[milestone.TargetId];
                warned.TrialWillEndSent = true;
                m.Emit("customer.subscription.trial_will_end", SubscriptionShape.ToJson(warned, m.State));
                break;
            case MilestoneKind.TrialEnd or MilestoneKind.PeriodEnd:
                var subscription = m.State.Subscriptions[milestone.TargetId];
                if (subscription.CancelAtPeriodEnd || subscription.CancelAt <= milestone.At)
                {
                    Subscriptions.Cancel(m, subscription, "cancellation_requested", subscription.CanceledAt);
                }
                else
                {
                    Renewals.Renew(m, subscription);
                }

                break;
            case MilestoneKind.CancelAt:
                var ending = m.State.Subscriptions[milestone.TargetId];
                Subscriptions.Cancel(m, ending, "cancellation_requested", ending.CanceledAt);
                break;
            case MilestoneKind.CollectionResume:
                Subscriptions.ResumeCollection(m, m.State.Subscriptions[milestone.TargetId]);
                break;
            case MilestoneKind.InvoiceAutoFinalize:
                var draft = m.State.Invoices[milestone.TargetId];
                Invoicing.Finalize(m, draft);
                if (draft.CollectionMethod == "charge_automatically")
                {
                    Invoicing.Collect(m, draft);
                }

                break;
            case MilestoneKind.InvoiceAutoCollect:
                Invoicing.Collect(m, m.State.Invoices[milestone.TargetId]);
                break;
            case MilestoneKind.CheckoutSessionExpiry:
                var session = m.State.CheckoutSessions[milestone.TargetId];
                session.Status = "expired";
                m.Emit("checkout.session.expired", CheckoutSessionShape.ToJson(session, m.State));
                break;
        }
    }
}
