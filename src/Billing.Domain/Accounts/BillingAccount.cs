using Billing.Domain.Credits;
using Billing.Domain.Entitlements;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Subscriptions;

namespace Billing.Domain.Accounts;

/// <summary>
/// A tenant's billing account: its Stripe customer, its (at most one live) subscription and its trial history.
/// Immutable: every change returns a new instance, so a store can re-run a change on fresh state after a
/// concurrency conflict.
/// </summary>
public sealed record BillingAccount
{
    public required AccountId Id { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Set by the store on every write.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Number of committed writes (1 after creation); maintained by the store.</summary>
    public long Version { get; init; } = 1;

    /// <summary>
    /// The account's current Stripe customer; once set it only changes when Stripe deletes it
    /// (<see cref="ForgetStripeCustomer"/>), after which the next Checkout provisions a new one.
    /// </summary>
    public string? StripeCustomerId { get; init; }

    /// <summary>How many Stripe customers the account has forgotten; part of the customer-creation idempotency key.</summary>
    public int CustomerGeneration { get; init; }

    /// <summary>Deleted Stripe customers of this account: never assigned again, their subscriptions never applied again.</summary>
    public IReadOnlyList<string> FormerStripeCustomerIds { get; init; } = [];

    /// <summary>The open subscription Checkout Session, if any (it may have expired by now; compare with the clock).</summary>
    public OpenCheckout? OpenCheckout { get; init; }

    /// <summary>The plan of the current subscription's last state seen <c>active</c> (paid); what a past_due grace period grants.</summary>
    public PlanCode? LastPaidPlan { get; init; }

    /// <summary>
    /// Whether any subscription of the account was ever seen <c>active</c> (paid); never reset, unlike
    /// <see cref="LastPaidPlan"/>, which a new subscription clears.
    /// </summary>
    public bool EverPaid { get; init; }

    /// <summary>Second live subscriptions that were canceled and refunded, oldest first.</summary>
    public IReadOnlyList<DuplicateSubscriptionResolution> DuplicateSubscriptions { get; init; } = [];

    public SubscriptionState? Subscription { get; init; }

    /// <summary>When the account's one trial began (app-side or Stripe Checkout); null while it has never had one.</summary>
    public DateTimeOffset? TrialUsedAt { get; init; }

    public LocalTrial? LocalTrial { get; init; }

    /// <summary>Add-ons bought (one per paid Checkout Session), oldest first; revoked ones are kept.</summary>
    public IReadOnlyList<MeterAddOn> AddOns { get; init; } = [];

    /// <summary>
    /// Payments refunded or lost in a dispute while nothing they bought had been applied yet (the purchase's Checkout
    /// event came later, or never), oldest first, kept <see cref="EarlyReversalRetention"/>: a purchase paid by one of
    /// them is never granted.
    /// </summary>
    public IReadOnlyList<EarlyReversal> EarlyReversals { get; init; } = [];

    /// <summary>How long an early reversal is remembered: far beyond Stripe's 3 days of webhook retries and an operator's replay.</summary>
    public static readonly TimeSpan EarlyReversalRetention = TimeSpan.FromDays(90);

    public bool HasLiveSubscription => Subscription is { IsLive: true };

    public bool IsTrialAvailable => TrialUsedAt is null && !HasLiveSubscription;

    /// <summary>
    /// When Stripe must next have said something about the live subscription (trial end, period end or scheduled
    /// cancellation, whichever is first); null without a live subscription that may grant access (a paused or incomplete
    /// one grants the free plan's limits already, and its period does not move). An account past it (plus a grace)
    /// without a newer state has missed events: the missed-event sweep reads it from Stripe again.
    /// </summary>
    public DateTimeOffset? RenewsBy => Subscription is { IsLive: true } s && (s.Status.IsInGoodStanding || s.Status.IsDelinquent)
        ? Earliest(Earliest(s.Status == SubscriptionStatus.Trialing ? s.TrialEnd : null, s.CurrentPeriodEnd), s.CancelAt)
        : null;

    public static BillingAccount Open(AccountId id, DateTimeOffset now) =>
        new() { Id = id, CreatedAt = now, UpdatedAt = now, Version = 1 };

    /// <summary>
    /// Records the account's Stripe customer unless it already has one; an existing, different customer is kept.
    /// Run inside an optimistic-concurrency update so two racing requests cannot both assign.
    /// </summary>
    public StripeCustomerAssignmentResult AssignStripeCustomer(string customerId)
    {
        StripeIds.EnsureValid(customerId, nameof(customerId));
        if (FormerStripeCustomerIds.Contains(customerId, StringComparer.Ordinal))
        {
            return new(StripeCustomerAssignmentOutcome.FormerCustomer, this);
        }

        if (StripeCustomerId is null)
        {
            return new(StripeCustomerAssignmentOutcome.Assigned, this with { StripeCustomerId = customerId });
        }

        return StripeCustomerId == customerId
            ? new(StripeCustomerAssignmentOutcome.AlreadyAssigned, this)
            : new(StripeCustomerAssignmentOutcome.KeptExisting, this);
    }

    /// <summary>
    /// Stripe deleted <paramref name="customerId"/>: the account forgets it (the next Checkout provisions a new
    /// customer under the next <see cref="CustomerGeneration"/>), never takes it back, and drops its open Checkout.
    /// Idempotent; a customer that is not the account's current one is only remembered as former.
    /// </summary>
    public BillingAccount ForgetStripeCustomer(string customerId)
    {
        StripeIds.EnsureValid(customerId, nameof(customerId));
        var former = FormerStripeCustomerIds.Contains(customerId, StringComparer.Ordinal)
            ? FormerStripeCustomerIds
            : [.. FormerStripeCustomerIds, customerId];
        if (StripeCustomerId != customerId)
        {
            return ReferenceEquals(former, FormerStripeCustomerIds) ? this : this with { FormerStripeCustomerIds = former };
        }

        return this with
        {
            StripeCustomerId = null,
            CustomerGeneration = CustomerGeneration + 1,
            FormerStripeCustomerIds = former,
            OpenCheckout = null,
        };
    }

    /// <summary>Remembers the Checkout Session just created as the account's open one.</summary>
    public BillingAccount RememberCheckout(OpenCheckout checkout)
    {
        ArgumentNullException.ThrowIfNull(checkout);
        return OpenCheckout == checkout ? this : this with { OpenCheckout = checkout };
    }

    /// <summary>The session completed, expired or was expired: it is no longer the open one (other sessions are kept).</summary>
    public BillingAccount ClearCheckout(string sessionId) =>
        OpenCheckout?.SessionId == sessionId ? this with { OpenCheckout = null } : this;

    /// <summary>Records a canceled and refunded duplicate subscription, once per subscription.</summary>
    public BillingAccount RecordDuplicateResolved(DuplicateSubscriptionResolution resolution)
    {
        ArgumentNullException.ThrowIfNull(resolution);
        return DuplicateSubscriptions.Any(d => d.SubscriptionId == resolution.SubscriptionId)
            ? this
            : this with { DuplicateSubscriptions = [.. DuplicateSubscriptions, resolution] };
    }

    /// <summary>Starts the catalog's trial plan, once per account ever, for <see cref="Plan.TrialDays"/> days from <paramref name="now"/>.</summary>
    public LocalTrialStartResult StartLocalTrial(PlanCatalog catalog, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        if (catalog.TrialPlan is not { } trialPlan)
        {
            return new(LocalTrialStartOutcome.TrialNotOffered, this);
        }

        if (TrialUsedAt is not null)
        {
            return new(LocalTrialStartOutcome.AlreadyUsed, this);
        }

        if (HasLiveSubscription)
        {
            return new(LocalTrialStartOutcome.SubscriptionLive, this);
        }

        var start = TruncateToSeconds(now);
        var trial = new LocalTrial { PlanCode = trialPlan.Code, StartedAt = start, EndsAt = start.AddDays(trialPlan.TrialDays) };
        return new(LocalTrialStartOutcome.Started, this with { TrialUsedAt = start, LocalTrial = trial });
    }

    /// <summary>
    /// Applies a Stripe subscription snapshot unless it is older than what the account reflects.
    /// For the same subscription, with <paramref name="clockSkew"/> how far apart the clocks that dated two reads may be:
    /// dated within it of the account's state, identical content -> duplicate no-op, different content ->
    /// <see cref="SubscriptionSnapshotOutcome.SameInstantConflict"/> (the order cannot be told); beyond it, newer ->
    /// applied, older -> stale; a snapshot <see cref="SubscriptionSnapshot.ReadAfter"/> the account's state -> applied
    /// (duplicate when identical). For a different subscription the one with the stronger claim (may grant access &gt;
    /// live &gt; over) wins; equal claims are settled by time (two ended ones by when they ended, else by the later read),
    /// except two that may both grant access (<see cref="SubscriptionSnapshotOutcome.ConflictsWithLiveSubscription"/>).
    /// </summary>
    public SubscriptionSnapshotResult ApplySubscriptionSnapshot(SubscriptionSnapshot snapshot, PlanCatalog catalog, TimeSpan clockSkew)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentOutOfRangeException.ThrowIfLessThan(clockSkew, TimeSpan.Zero);
        StripeIds.EnsureValid(snapshot.SubscriptionId, nameof(snapshot));
        StripeIds.EnsureValid(snapshot.CustomerId, nameof(snapshot));

        if (StripeCustomerId is not null && StripeCustomerId != snapshot.CustomerId)
        {
            return new(SubscriptionSnapshotOutcome.CustomerMismatch, this);
        }

        var current = Subscription;
        var sameSubscription = current?.SubscriptionId == snapshot.SubscriptionId;
        var incoming = ToState(snapshot, catalog, sameSubscription ? current : null);

        // A deleted customer's subscriptions are over in Stripe; a live-looking copy is a stale read and never applied.
        var formerCustomer = FormerStripeCustomerIds.Contains(snapshot.CustomerId, StringComparer.Ordinal);
        if (formerCustomer && incoming.IsLive)
        {
            return new(SubscriptionSnapshotOutcome.CustomerMismatch, this);
        }

        if (current is not null && sameSubscription)
        {
            if (RefuseSameSubscription(current, incoming, snapshot, clockSkew) is { } unordered)
            {
                return new(unordered, this);
            }
        }
        else if (current is not null && RefuseOtherSubscription(current, incoming) is { } refusal)
        {
            return new(refusal, this);
        }

        // What this state ends early goes with it, and stays while Stripe says the same (a redelivery of the event that
        // stored it, whose first delivery may have stopped before the period's end was moved, finishes the move).
        var endedEarly = sameSubscription ? EndedEarlyBetween(current!, incoming) : null;
        incoming = incoming with { PeriodEndedEarly = endedEarly ?? (sameSubscription && SameStripeContent(current!, incoming) ? current!.PeriodEndedEarly : null) };
        var updated = this with
        {
            StripeCustomerId = StripeCustomerId ?? (formerCustomer ? null : snapshot.CustomerId),
            Subscription = incoming,
            TrialUsedAt = TrialUsedAt ?? snapshot.TrialStart,
            // What a grace period of this subscription grants: never a plan another subscription was paid for.
            LastPaidPlan = incoming.Status == SubscriptionStatus.Active && incoming.PlanCode is { } paid ? paid : sameSubscription ? LastPaidPlan : null,
            EverPaid = EverPaid || (incoming.Status == SubscriptionStatus.Active && incoming.PlanCode is not null),
        };
        return new(SubscriptionSnapshotOutcome.Applied, updated) { EndedEarly = endedEarly };
    }

    /// <summary>Adds a bought add-on once: a second grant with the same id changes nothing.</summary>
    public BillingAccount GrantAddOn(MeterAddOn addOn)
    {
        ArgumentNullException.ThrowIfNull(addOn);
        return AddOns.Any(a => a.GrantId == addOn.GrantId) ? this : this with { AddOns = [.. AddOns, addOn] };
    }

    /// <summary>Revokes the add-on paid by <paramref name="paymentIntentId"/> (refund, lost dispute); already revoked or none: unchanged.</summary>
    public BillingAccount RevokeAddOn(string paymentIntentId, DateTimeOffset now) =>
        AddOns.Any(a => a.PaymentIntentId == paymentIntentId && a.RevokedAt is null)
            ? this with { AddOns = [.. AddOns.Select(a => a.PaymentIntentId == paymentIntentId && a.RevokedAt is null ? a with { RevokedAt = now } : a)] }
            : this;

    /// <summary>Gives back the add-on paid by <paramref name="paymentIntentId"/> (its refund failed); not revoked or none: unchanged.</summary>
    public BillingAccount ReinstateAddOn(string paymentIntentId) =>
        AddOns.Any(a => a.PaymentIntentId == paymentIntentId && a.RevokedAt is not null)
            ? this with { AddOns = [.. AddOns.Select(a => a.PaymentIntentId == paymentIntentId ? a with { RevokedAt = null } : a)] }
            : this;

    /// <summary>Forgets that <paramref name="paymentIntentId"/> was taken back early (its refund failed): its purchase is granted when it comes.</summary>
    public BillingAccount ForgetEarlyReversal(string paymentIntentId) =>
        WasReversedEarly(paymentIntentId) ? this with { EarlyReversals = [.. EarlyReversals.Where(r => r.PaymentIntentId != paymentIntentId)] } : this;

    /// <summary>Remembers that <paramref name="paymentIntentId"/> was taken back before its purchase was applied; forgets those past the retention.</summary>
    public BillingAccount NoteEarlyReversal(string paymentIntentId, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(paymentIntentId);
        var kept = EarlyReversals.Where(r => r.At > now - EarlyReversalRetention || r.PaymentIntentId == paymentIntentId).ToList();
        if (!kept.Any(r => r.PaymentIntentId == paymentIntentId))
        {
            kept.Add(new EarlyReversal(paymentIntentId, now));
        }

        return kept.SequenceEqual(EarlyReversals) ? this : this with { EarlyReversals = kept };
    }

    /// <summary>Whether <paramref name="paymentIntentId"/> was refunded or lost in a dispute before its purchase was applied.</summary>
    public bool WasReversedEarly(string? paymentIntentId) =>
        paymentIntentId is not null && EarlyReversals.Any(r => string.Equals(r.PaymentIntentId, paymentIntentId, StringComparison.Ordinal));

    /// <summary>Which plan's limits apply at <paramref name="now"/> and the current usage period.</summary>
    public Entitlement EntitlementAt(PlanCatalog catalog, DateTimeOffset now, TimeSpan pastDueGracePeriod) =>
        EntitlementRules.Evaluate(this, catalog, now, pastDueGracePeriod);

    private static SubscriptionState ToState(SubscriptionSnapshot snapshot, PlanCatalog catalog, SubscriptionState? previous)
    {
        // The plan's item: the first with a catalog price, wherever it sits among the items; else the first item. Its own
        // period is the subscription's when read: the items of a mixed-interval subscription (a yearly fee beside a
        // monthly plan) each have one, and the snapshot's spans them all (from the earliest start to the latest end).
        var planItem = snapshot.Items.FirstOrDefault(i => catalog.FindPrice(i.PriceId) is not null);
        var (priceId, interval) = planItem is not null ? (planItem.PriceId, planItem.Interval) : (snapshot.PriceId, snapshot.Interval);
        var (periodStart, periodEnd) = planItem is { PeriodStart: { } itemStart, PeriodEnd: { } itemEnd } && itemStart < itemEnd
            ? (itemStart, itemEnd)
            : (snapshot.CurrentPeriodStart, snapshot.CurrentPeriodEnd);
        var price = priceId is null ? null : catalog.FindPrice(priceId);
        DateTimeOffset? pastDueSince = null;
        if (snapshot.Status.IsDelinquent)
        {
            pastDueSince = previous is { Status.IsDelinquent: true, PastDueSince: { } since } && since <= snapshot.AsOf
                ? since
                : snapshot.AsOf;
        }
        else if (snapshot.Status == SubscriptionStatus.Canceled && previous is { PastDueSince: { } since } && (previous.Status.IsDelinquent || previous.Status == SubscriptionStatus.Canceled) && since <= snapshot.AsOf)
        {
            // Canceled after its payment failed (Stripe gave up retrying): its access ended when the grace period did,
            // which may be well before the cancellation, so that start is kept (EntitlementRules: when access ended).
            pastDueSince = since;
        }

        return new SubscriptionState
        {
            SubscriptionId = snapshot.SubscriptionId,
            CustomerId = snapshot.CustomerId,
            Status = snapshot.Status,
            PlanCode = price?.Plan.Code,
            PriceId = priceId,
            Interval = interval ?? price?.Interval,
            CurrentPeriodStart = periodStart,
            CurrentPeriodEnd = periodEnd,
            CancelAtPeriodEnd = snapshot.CancelAtPeriodEnd,
            CancelAt = snapshot.CancelAt,
            CanceledAt = snapshot.CanceledAt,
            EndedAt = snapshot.EndedAt,
            TrialStart = snapshot.TrialStart,
            TrialEnd = snapshot.TrialEnd,
            LatestInvoiceId = snapshot.LatestInvoiceId,
            PastDueSince = pastDueSince,
            StripeStateAsOf = snapshot.AsOf,
        };
    }

    /// <summary>
    /// Null when a snapshot of the account's own subscription is newer. Two reads dated within the clock skew of each
    /// other cannot be ordered by their times (the instance that read first may have the faster clock): identical content
    /// is a duplicate, different content a conflict to settle by reading again. A read that began after the account's
    /// state was stored is at least as new as it, whatever its date.
    /// </summary>
    private static SubscriptionSnapshotOutcome? RefuseSameSubscription(SubscriptionState current, SubscriptionState incoming, SubscriptionSnapshot snapshot, TimeSpan clockSkew)
    {
        var identical = SameStripeContent(current, incoming);
        if (snapshot.ReadAfterStateAsOf == current.StripeStateAsOf)
        {
            return identical ? SubscriptionSnapshotOutcome.Duplicate : null;
        }

        var gap = snapshot.AsOf - current.StripeStateAsOf;
        if (gap.Duration() <= clockSkew)
        {
            return identical ? SubscriptionSnapshotOutcome.Duplicate : SubscriptionSnapshotOutcome.SameInstantConflict;
        }

        return gap < TimeSpan.Zero ? SubscriptionSnapshotOutcome.Stale : null;
    }

    /// <summary>Whether two states of one subscription say the same, whenever read (PastDueSince is derived from the times, PeriodEndedEarly from the state before).</summary>
    private static bool SameStripeContent(SubscriptionState current, SubscriptionState incoming) =>
        incoming with { StripeStateAsOf = current.StripeStateAsOf, PastDueSince = current.PastDueSince, PeriodEndedEarly = current.PeriodEndedEarly } == current;

    private static SubscriptionSnapshotOutcome? RefuseOtherSubscription(SubscriptionState current, SubscriptionState incoming)
    {
        if (incoming.Claim != current.Claim)
        {
            return incoming.Claim > current.Claim ? null : SubscriptionSnapshotOutcome.SupersededByCurrent;
        }

        if (current.Claim == SubscriptionState.AccessClaim)
        {
            return SubscriptionSnapshotOutcome.ConflictsWithLiveSubscription;
        }

        // Two ended subscriptions: the one that ended last is the account's latest, however late an event about the other
        // is read (an old open invoice paid, a dashboard edit); without both ends, the later read.
        if (current.EndedAt is { } currentEnd && incoming.EndedAt is { } incomingEnd && currentEnd != incomingEnd)
        {
            return incomingEnd > currentEnd ? null : SubscriptionSnapshotOutcome.SupersededByCurrent;
        }

        return incoming.StripeStateAsOf > current.StripeStateAsOf ? null : SubscriptionSnapshotOutcome.SupersededByCurrent;
    }

    /// <summary>
    /// The usage period the change ends before the end it was counted with: the subscription ended (canceled at once),
    /// or its billing period restarted early (a new anchor): the period that was current then, cut at that instant; or
    /// the usage period counted at the snapshot's time ends earlier by the snapshot (a trial shortened, a renewal whose
    /// period is shorter than projected or longer than a month, hence sliced): that period, cut at its new end.
    /// </summary>
    private static UsagePeriod? EndedEarlyBetween(SubscriptionState before, SubscriptionState after)
    {
        if (!before.IsLive || before.CurrentPeriodStart is not { } start)
        {
            return null;
        }

        DateTimeOffset? cut = after.IsLive
            ? after.CurrentPeriodStart is { } nextStart && nextStart > start ? nextStart : null
            : after.EndedAt ?? after.StripeStateAsOf;
        if (cut is { } at && EntitlementRules.SubscriptionUsagePeriod(before, at.AddTicks(-1)) is var counted && counted.Start < at && at < counted.End)
        {
            return new UsagePeriod(counted.Start, at, counted.Key);
        }

        if (!after.IsLive)
        {
            return null;
        }

        // The period counted at the snapshot's time (with a renewal, the one projected from the old period), as the
        // snapshot has it: the same key ending earlier means the counters' end moves there.
        var current = EntitlementRules.SubscriptionUsagePeriod(before, after.StripeStateAsOf);
        var recounted = EntitlementRules.SubscriptionUsagePeriod(after, current.Start);
        return recounted.Key == current.Key && recounted.End < current.End ? new UsagePeriod(current.Start, recounted.End, current.Key) : null;
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is { } x && b is { } y ? (x < y ? x : y) : a ?? b;

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset instant)
    {
        var utc = instant.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }
}
