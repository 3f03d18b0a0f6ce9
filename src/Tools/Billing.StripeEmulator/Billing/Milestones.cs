using Billing.StripeEmulator.State;

namespace Billing.StripeEmulator.Billing;

/// <summary>Lists what is due by a given time, earliest first.</summary>
internal static class Milestones
{
    public const long InvoiceAutoAdvanceDelay = 3600;

    public static Milestone? Next(EmulatorState state, long now)
    {
        Milestone? best = null;
        foreach (var candidate in All(state))
        {
            if (candidate.At <= now && (best is null || (candidate.At, candidate.Order).CompareTo((best.Value.At, best.Value.Order)) < 0))
            {
                best = candidate;
            }
        }

        return best;
    }

    private static IEnumerable<Milestone> All(EmulatorState state)
    {
        foreach (var subscription in state.Subscriptions.Values)
        {
            var order = subscription.Sequence;

            // First at its second, so a renewal at resumes_at is collected (Stripe spares the invoices made before it).
            if (subscription.IsLive && subscription.PauseResumesAt is { } resumesAt)
            {
                yield return new Milestone(resumesAt, order, MilestoneKind.CollectionResume, subscription.Id);
            }

            switch (subscription.Status)
            {
                case "trialing" when subscription.TrialEnd is { } trialEnd:
                    if (!subscription.TrialWillEndSent)
                    {
                        yield return new Milestone(Math.Max(trialEnd - Subscriptions.TrialWillEndNotice, subscription.Created), order, MilestoneKind.TrialWillEnd, subscription.Id);
                    }

                    yield return new Milestone(trialEnd, order, MilestoneKind.TrialEnd, subscription.Id);
                    break;
                case "active" or "past_due" or "unpaid":
                    if (subscription.CancelAt is { } cancelAt && cancelAt < subscription.CurrentPeriodEnd)
                    {
                        yield return new Milestone(cancelAt, order, MilestoneKind.CancelAt, subscription.Id);
                    }

                    yield return new Milestone(subscription.CurrentPeriodEnd, order, MilestoneKind.PeriodEnd, subscription.Id);
                    break;
            }
        }

        foreach (var invoice in state.Invoices.Values)
        {
            if (!invoice.AutoAdvance)
            {
                continue;
            }

            if (invoice.Status == "draft")
            {
                yield return new Milestone(invoice.Created + InvoiceAutoAdvanceDelay, invoice.Sequence, MilestoneKind.InvoiceAutoFinalize, invoice.Id);
            }
            else if (invoice.Status == "open" && invoice.CollectionMethod == "charge_automatically" && invoice.AttemptCount == 0 && invoice.FinalizedAt is { } finalizedAt)
            {
                yield return new Milestone(finalizedAt + InvoiceAutoAdvanceDelay, invoice.Sequence, MilestoneKind.InvoiceAutoCollect, invoice.Id);
            }
        }

        foreach (var session in state.CheckoutSessions.Values)
        {
            if (session.Status == "open")
            {
                yield return new Milestone(session.ExpiresAt, session.Sequence, MilestoneKind.CheckoutSessionExpiry, session.Id);
            }
        }
    }
}
