using Billing.Application.Accounts;
using Billing.Application.Credits;
using Billing.Application.Entitlements;
using Billing.Application.Invoicing;
using Billing.Application.Payments;
using Billing.Application.StripeCustomers;
using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Handling;
using Billing.Application.StripeEvents.Ingest;
using Billing.Application.Subscriptions;
using Billing.Application.Tests.Fakes;
using Billing.Application.Tests.StripeEvents.Simulation;
using Billing.Domain.Accounts;
using Billing.Domain.Plans;
using Billing.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Billing.Application.Tests.StripeEvents;

/// <summary>
/// The webhook pipeline (ingest, queue, processor, handlers, re-sync) wired to in-memory ports and a fake Stripe,
/// optionally with every port call under a <see cref="FaultPlan"/>.
/// </summary>
internal sealed class WebhookWorld
{
    public static readonly DateTimeOffset Start = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    public WebhookWorld(FaultPlan? faults = null, IEnumerable<ICheckoutPaymentHandler>? paymentHandlers = null)
    {
        Time = new FakeTimeProvider(Start);
        Stripe = new FakeStripe(Time);
        Events = new InMemoryStripeEventStore(Time);
        Accounts = new InMemoryBillingAccountStore(Time);
        Links = new InMemoryStripeCustomerLinks();
        Queue = new InMemoryStripeEventQueue();
        Catalog = TestCatalog.Create();

        IStripeEventStore events = faults is null ? Events : new FaultyEventStore(Events, faults);
        IBillingAccountStore accounts = faults is null ? Accounts : new FaultyAccountStore(Accounts, faults);
        IStripeCustomerLinks links = faults is null ? Links : new FaultyCustomerLinks(Links, faults);
        IStripeSubscriptionSource stripe = faults is null ? Stripe : new FaultySubscriptionSource(Stripe, faults);
        IStripeEventQueueWriter queue = faults is null ? Queue : new FaultyQueueWriter(Queue, faults);
        IStripeBillingGateway gateway = faults is null ? Stripe : new FaultyBillingGateway(Stripe, faults);

        Sync = new StripeSubscriptionSync(stripe, gateway, Applier(accounts, Time), accounts, Time, NullLogger<StripeSubscriptionSync>.Instance);
        Resync = new AccountStripeResync(accounts, links, stripe, Sync, NullLogger<AccountStripeResync>.Instance);
        var resolver = new StripeEventAccountResolver(links, NullLogger<StripeEventAccountResolver>.Instance);
        IStripeEventTypeHandler[] handlers =
        [
            new CheckoutSessionCompletedHandler(resolver, accounts, Sync, paymentHandlers ?? []),
            new SubscriptionEventsHandler(resolver, Sync),
            new InvoicePaymentEventsHandler(resolver, Sync, new InvoiceRunStatusSync(new InMemoryInvoiceRunStore(), new FakeStripeInvoicing(), new CreditLedger(new InMemoryCreditLedgerStore(), new PendingInvoiceSpends(new InMemoryUsageLedger(), new InMemoryInvoiceRunStore()), Time, NullLogger<CreditLedger>.Instance), new InMemoryUsageLedger(), NullLogger<InvoiceRunStatusSync>.Instance)),
            new CheckoutSessionExpiredHandler(resolver, accounts),
            new CustomerDeletedHandler(resolver, accounts, Sync, Resync),
        ];
        Processor = new StripeEventProcessor(events, Stripe, handlers, Options.Create(Mode), Options.Create(new QueueDeliveryOptions()), NullLogger<StripeEventProcessor>.Instance);
        Ingest = new StripeEventIngest(events, queue, NullLogger<StripeEventIngest>.Instance);
        Entitlements = new AccountEntitlements(Accounts, Catalog, Options.Create(new EntitlementOptions()), Time);
    }

    public FakeTimeProvider Time { get; }

    /// <summary>The configured key's mode (test mode unless a test says otherwise).</summary>
    public StripeModeOptions Mode { get; } = new();

    /// <summary>How Stripe reads are ordered (the default clock skew).</summary>
    public SubscriptionSyncOptions SyncOptions { get; } = new();

    public FakeStripe Stripe { get; }

    public InMemoryStripeEventStore Events { get; }

    public InMemoryBillingAccountStore Accounts { get; }

    public InMemoryStripeCustomerLinks Links { get; }

    public InMemoryStripeEventQueue Queue { get; }

    public PlanCatalog Catalog { get; }

    public StripeSubscriptionSync Sync { get; }

    public StripeEventProcessor Processor { get; }

    public StripeEventIngest Ingest { get; }

    public AccountStripeResync Resync { get; }

    public AccountEntitlements Entitlements { get; }

    /// <summary>How many events of <see cref="FakeStripe.Events"/> were handed to the ingest by <see cref="DeliverNewEventsAsync"/>.</summary>
    public int Delivered { get; private set; }

    public static NewStripeEvent ToDelivery(StripeEventPayload stripeEvent) =>
        new() { Id = stripeEvent.Id, Type = stripeEvent.Type, Created = stripeEvent.Created, Payload = stripeEvent.Id };

    public Task<StripeEventIngestOutcome> DeliverAsync(StripeEventPayload stripeEvent) =>
        Ingest.IngestAsync(ToDelivery(stripeEvent), CancellationToken.None);

    /// <summary>Delivers every event Stripe raised since the last call, in order, then processes the queue.</summary>
    public async Task DeliverNewEventsAsync(bool reverse = false)
    {
        var fresh = Stripe.Events.Skip(Delivered).ToList();
        Delivered = Stripe.Events.Count;
        if (reverse)
        {
            fresh.Reverse();
        }

        foreach (var stripeEvent in fresh)
        {
            await DeliverAsync(stripeEvent);
        }

        await ProcessQueueAsync();
    }

    /// <summary>Processes queued messages first in, first out until the queue is empty.</summary>
    public async Task ProcessQueueAsync()
    {
        while (Queue.Messages.Count > 0)
        {
            var message = Queue.Messages[0];
            Queue.Messages.RemoveAt(0);
            message.DequeueCount++;
            await Processor.ProcessAsync(StripeEventQueueMessage.Parse(message.Text), message.DequeueCount, CancellationToken.None);
        }
    }

    /// <summary>Processes a stored event once more, as a replay from the poison queue does (its second delivery).</summary>
    public Task ReplayAsync(string eventId) =>
        Processor.ProcessAsync(new StripeEventQueueMessage { EventId = eventId }, 2, CancellationToken.None);

    /// <summary>The sync of another Functions instance: the same Stripe and stores, its reads, its clock and its log its own.</summary>
    public StripeSubscriptionSync InstanceSync(IStripeSubscriptionSource reads, TimeProvider clock, ILogger<StripeSubscriptionSync>? log = null) =>
        new(reads, Stripe, Applier(Accounts, clock), Accounts, clock, log ?? NullLogger<StripeSubscriptionSync>.Instance);

    /// <summary>The snapshot applier writing through <paramref name="accounts"/> on <paramref name="clock"/>, with a usage ledger of its own (these tests read no usage).</summary>
    public SubscriptionSnapshotApplier Applier(IBillingAccountStore accounts, TimeProvider clock)
    {
        var ledger = new InMemoryUsageLedger();
        var entitlements = new AccountEntitlements(accounts, Catalog, Options.Create(new EntitlementOptions()), clock);
        return new SubscriptionSnapshotApplier(accounts, ledger, new Billing.Application.Usage.IncludedUnits(accounts, entitlements, ledger), Catalog, Options.Create(SyncOptions), clock);
    }

    public BillingAccount Account(string accountId) =>
        Accounts.GetAsync(AccountId.Parse(accountId), CancellationToken.None).Result ?? throw new InvalidOperationException($"No account {accountId}.");
}
