using Billing.Application.Accounts;
using Billing.Application.Credits;
using Billing.Application.Invoicing;
using Billing.Application.Subscriptions;
using Billing.Domain.Accounts;
using Billing.Domain.Credits;
using Billing.Domain.Metering;
using Billing.Domain.Pricing;
using Billing.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace Billing.Application.Tests.Fakes;

/// <summary>
/// Usage invoicing wired to the usage test bed (in-memory accounts and ledger, a manual clock, <see cref="TestCatalog"/>),
/// an in-memory run store, the fake Stripe and a recording job queue. <see cref="Options"/> is read on every delivery,
/// so a test may change it between deliveries.
/// </summary>
internal sealed class InvoicingTestBed
{
    /// <summary>PRO usage the tests invoice: 250 runs and 12,000 tokens beyond the plan.</summary>
    public const long AgentRunsUsed = 1_250;
    public const long TokensUsed = 112_000;

    /// <summary>250 runs x 3.</summary>
    public const long AgentRunsAmount = 750;

    /// <summary>1,000 x 2 + (9,000 x 1 + 100) + (2,000 x 0 + 500).</summary>
    public const long TokensAmount = 11_600;

    /// <summary>750 + 11,600.</summary>
    public const long Total = 12_350;

    public InvoicingTestBed(Billing.Domain.Plans.Configuration.PlanCatalogOptions? catalog = null)
    {
        Usage = new UsageTestBed(catalog);
        Stripe = new FakeStripeInvoicing(Usage.Time);
        var options = Microsoft.Extensions.Options.Options.Create(Options);
        var pending = new PendingInvoiceSpends(Usage.Ledger, Runs);
        Credits = new CreditLedger(CreditStore, pending, Usage.Time, NullLogger<CreditLedger>.Instance);
        _order = new CreditOrder(pending, Credits, Usage.Catalog, options);
        StripeSubscriptions = new FakeStripe(Usage.Time);
        Webhooks = new SubscriptionSnapshotApplier(Usage.Accounts, Usage.Ledger, Usage.IncludedUnits, Usage.Catalog, Microsoft.Extensions.Options.Options.Create(new SubscriptionSyncOptions()), Usage.Time);
        var sync = new StripeSubscriptionSync(
            StripeSubscriptions, StripeSubscriptions, Webhooks, Usage.Accounts, Usage.Time, NullLogger<StripeSubscriptionSync>.Instance);
        Sync = sync;
        Invoicer = InvoicerOver(Usage.Accounts);
        Marks = new InMemoryInvoicingSweepMarkStore(Usage.Time);
        Sweep = new InvoicingSweep(Usage.Ledger, Jobs, Marks, Runs, options, Usage.Time, SweepLog);
        Invoices = new AccountInvoices(Runs, Usage.Accounts, Usage.Entitlements, Usage.Ledger, Credits, _order, Usage.Catalog, Usage.Time);
        StatusSync = new InvoiceRunStatusSync(Runs, Stripe, Credits, Usage.Ledger, StatusSyncLog);
    }

    /// <summary>The subscription sync the invoicer uses (the Stripe event handlers take it too).</summary>
    public StripeSubscriptionSync Sync { get; }

    private readonly CreditOrder _order;

    public UsageTestBed Usage { get; }

    public FakeTimeProvider Time => Usage.Time;

    public InMemoryUsageLedger Ledger => Usage.Ledger;

    public InvoicingOptions Options { get; } = new() { AllowTestFaults = true };

    /// <summary>What the invoice job logs (the operator's only word of a copy given up on the last delivery).</summary>
    public FakeLogger<InvoiceAccount> InvoicerLog { get; } = new();

    /// <summary>What the webhooks' status sync logs.</summary>
    public FakeLogger<InvoiceRunStatusSync> StatusSyncLog { get; } = new();

    /// <summary>The host's deliveries of a job (host.json's 5): <see cref="DeliverAsync"/>'s attempt 5 is the last.</summary>
    public QueueDeliveryOptions Queue { get; } = new();

    public InMemoryInvoiceRunStore Runs { get; } = new();

    public InMemoryCreditLedgerStore CreditStore { get; } = new();

    public CreditLedger Credits { get; }

    public FakeStripeInvoicing Stripe { get; }

    /// <summary>Stripe's subscriptions as the invoice job reads them when the account has not heard what followed a period (empty: none is known).</summary>
    public FakeStripe StripeSubscriptions { get; }

    public RecordingInvoiceJobs Jobs { get; } = new();

    /// <summary>The timer sweep's mark (where the last successful run left off).</summary>
    public InMemoryInvoicingSweepMarkStore Marks { get; }

    /// <summary>What the timer's sweep logs.</summary>
    public FakeLogger<InvoicingSweep> SweepLog { get; } = new();

    /// <summary>Applies Stripe's subscription snapshots to the accounts, as the webhooks and the job's own reads of Stripe do.</summary>
    public SubscriptionSnapshotApplier Webhooks { get; }

    public InvoiceAccount Invoicer { get; }

    public InvoicingSweep Sweep { get; }

    public AccountInvoices Invoices { get; }

    public InvoiceRunStatusSync StatusSync { get; }

    /// <summary>
    /// The database as it is now (invoice runs, credit books); calling the answer puts it back, Stripe staying as it is
    /// then: a point-in-time restore of Cosmos DB (docs/deploy.md, "After a restore").
    /// </summary>
    public Action BackUp()
    {
        var runs = Runs.BackUp();
        var credits = CreditStore.BackUp();
        return () =>
        {
            runs();
            credits();
        };
    }

    /// <summary>The first page of the account's usage invoices (<c>GET /api/billing/invoices</c> without a cursor), newest first.</summary>
    public async Task<IReadOnlyList<InvoiceRun>> ListedInvoicesAsync(AccountId accountId)
    {
        var outcome = await Invoices.ListAsync(accountId, cursor: null, limit: null, CancellationToken.None);
        return Xunit.Assert.IsType<Billing.Application.Outcomes.Succeeded<InvoicePage>>(outcome).Value.Invoices;
    }

    /// <summary>A PRO subscriber (period started 3 days ago) whose usage was recorded through the metering use case.</summary>
    public async Task<Subscriber> SubscribeProAsync(long agentRuns = AgentRunsUsed, long tokens = TokensUsed)
    {
        var (id, period) = Usage.Subscribe(TestCatalog.ProMonthly);
        if (agentRuns > 0)
        {
            (await Usage.RecordAsync(id, UsageTestBed.AgentRuns, agentRuns)).AssertSucceeded();
        }

        if (tokens > 0)
        {
            (await Usage.RecordAsync(id, UsageTestBed.Tokens, tokens)).AssertSucceeded();
        }

        var account = await Usage.Accounts.GetAsync(id, CancellationToken.None) ?? throw new InvalidOperationException("not stored");
        var subscription = account.Subscription!;

        // Stripe has it too, as the account does (a job that reads it before pricing finds it, and ends nothing).
        StripeSubscriptions.Subscriptions.Add(subscription.SubscriptionId, new FakeStripeSubscription
        {
            Id = subscription.SubscriptionId, CustomerId = subscription.CustomerId, Created = period.Start, PriceId = TestCatalog.ProMonthly,
            PeriodStart = period.Start, PeriodEnd = period.End,
        });
        return new Subscriber(id, period, account.StripeCustomerId!, subscription.SubscriptionId);
    }

    /// <summary>The clock just after <paramref name="period"/> closed (plus <paramref name="after"/>).</summary>
    public void Close(UsagePeriod period, TimeSpan? after = null)
    {
        var instant = period.End + (after ?? TimeSpan.FromHours(2));
        if (instant > Time.GetUtcNow())
        {
            Time.SetUtcNow(instant);
        }
    }

    /// <summary>A PRO subscriber with the standard overage, its period closed.</summary>
    public async Task<Subscriber> ClosedProPeriodAsync(long agentRuns = AgentRunsUsed, long tokens = TokensUsed)
    {
        var subscriber = await SubscribeProAsync(agentRuns, tokens);
        Close(subscriber.Period);
        return subscriber;
    }

    /// <summary>A paid pack of <paramref name="amount"/> usd cents (or minor units of <paramref name="currency"/>; <c>cs:{sessionId}</c>), a second after the last, so grants keep a known order.</summary>
    public Task<CreditPosting> GrantAsync(AccountId accountId, string sessionId, long amount, DateTimeOffset? expiresAt = null, string currency = "usd")
    {
        Time.Advance(TimeSpan.FromSeconds(1));
        return Credits.PostAsync(accountId, CreditOperation.Grant("cs:" + sessionId, Currency.Parse(currency), amount, expiresAt, "pack:TEST", "pi_" + sessionId, sessionId), CancellationToken.None);
    }

    /// <summary>The invoice job reading the account through <paramref name="accounts"/> (a <see cref="HookedAccountStore"/> over <see cref="UsageTestBed.Accounts"/>), the rest of the bed as it is.</summary>
    public InvoiceAccount InvoicerOver(IBillingAccountStore accounts) =>
        new(accounts, Usage.Entitlements, Usage.Ledger, Runs, Stripe, Sync, Credits, _order, Usage.Catalog, Microsoft.Extensions.Options.Options.Create(Options), Microsoft.Extensions.Options.Options.Create(Queue), Usage.Time, InvoicerLog);

    /// <summary>One delivery of the job.</summary>
    public Task<InvoiceRun?> DeliverAsync(InvoiceJob job, long deliveryAttempt = 1) => Invoicer.RunAsync(job, deliveryAttempt, CancellationToken.None);

    /// <summary>
    /// The subscription's collection paused with its invoices kept as drafts, and the job's delivery stopped after
    /// keeping the run's draft, before recording the run: at <see cref="InvoiceRunStep.Finalized"/>, <c>draft</c>.
    /// </summary>
    public async Task<InvoiceRun> RunKeptAsDraftNotRecordedAsync(Subscriber subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        Stripe.PauseCollection(subscriber.SubscriptionId, new CollectionPause(CollectionPauseBehavior.KeepAsDraft, ResumesAt: null));
        Options.FailOnceAt = [nameof(InvoiceRunStep.Finalized)];
        await Assert.ThrowsAsync<InjectedInvoicingFaultException>(() => DeliverAsync(subscriber.Job));
        var kept = Runs.Find(subscriber.Id, subscriber.Period.Key)!;
        Assert.Equal((InvoiceRunStep.Finalized, "draft"), (kept.Step, kept.Status));
        return kept;
    }

    /// <summary>
    /// The run's draft changed in the dashboard (an item of 99 added) before it was finalized: the job refuses to
    /// finalize it and leaves it at <see cref="InvoiceRunStep.ItemsCreated"/> for an operator (the job's delivery
    /// fails, as every later one would, and ends in the poison queue).
    /// </summary>
    public async Task<InvoiceRun> RunLeftForAnOperatorAsync(Subscriber subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        Options.FailOnceAt = [nameof(InvoiceRunStep.ItemsCreated)];
        await Assert.ThrowsAsync<InjectedInvoicingFaultException>(() => DeliverAsync(subscriber.Job));
        var run = Runs.Find(subscriber.Id, subscriber.Period.Key)!;
        await Stripe.AddItemAsync(
            new NewUsageInvoiceItem("other", run.StripeInvoiceId!, subscriber.CustomerId, "other", 99, "usd", "added in the dashboard", subscriber.Period.Start, subscriber.Period.End),
            "dashboard-item",
            CancellationToken.None);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => DeliverAsync(subscriber.Job));
        Assert.Contains("needs an operator", refused.Message, StringComparison.Ordinal);
        run = Runs.Find(subscriber.Id, subscriber.Period.Key)!;
        Assert.Equal((InvoiceRunStep.ItemsCreated, "draft"), (run.Step, run.Status));
        return run;
    }

    /// <summary>
    /// Delivers the job again and again, as the queue would after each failure, until a delivery ends the run;
    /// <paramref name="betweenDeliveries"/> runs after every failed delivery. Gives up after <paramref name="maxDeliveries"/>.
    /// </summary>
    public async Task<Deliveries> DeliverUntilDoneAsync(InvoiceJob job, Action? betweenDeliveries = null, int maxDeliveries = 8)
    {
        var failures = new List<Exception>();
        for (var delivery = 1; delivery <= maxDeliveries; delivery++)
        {
            try
            {
                var run = await DeliverAsync(job);
                Assert.NotNull(run);
                Assert.True(run.IsDone, $"delivery {delivery} returned without failing, but the run is at {run.Step}");
                return new Deliveries(run, delivery, failures);
            }
            catch (Exception exception) when (exception is not Xunit.Sdk.XunitException)
            {
                failures.Add(exception);
                betweenDeliveries?.Invoke();
            }
        }

        throw Xunit.Sdk.FailException.ForFailure($"the job was not done after {maxDeliveries} deliveries: {string.Join(" | ", failures.Select(f => f.Message))}");
    }

    /// <summary>Exactly one finalized invoice for the run with one item per charged meter, amounts as worked out by hand.</summary>
    public FakeStripeInvoice AssertInvoicedOnce(Subscriber subscriber, long agentRunsAmount = AgentRunsAmount, long tokensAmount = TokensAmount)
    {
        var runId = subscriber.Job.RunId;
        var invoice = Assert.Single(Stripe.InvoicesFor(runId));
        Assert.Equal("open", invoice.Status);
        Assert.NotNull(invoice.Number);
        Assert.Equal(subscriber.CustomerId, invoice.CustomerId);
        Assert.Equal(subscriber.SubscriptionId, invoice.SubscriptionId);
        Assert.Equal("usd", invoice.Currency);

        var items = Stripe.ItemsFor(runId);
        Assert.Equal(items.Count, invoice.Items.Count); // no item of the run sits anywhere else
        Assert.Equal(["agent_runs", "tokens"], items.Select(i => i.Metadata[FakeStripeInvoicing.MeterMetadata]).Order());
        Assert.Equal(agentRunsAmount, items.Single(i => i.Metadata[FakeStripeInvoicing.MeterMetadata] == "agent_runs").Amount);
        Assert.Equal(tokensAmount, items.Single(i => i.Metadata[FakeStripeInvoicing.MeterMetadata] == "tokens").Amount);
        Assert.Equal(agentRunsAmount + tokensAmount, invoice.Total);
        return invoice;
    }

    /// <summary>The run is recorded as the one invoice, and the period no longer waits for invoicing.</summary>
    public async Task<InvoiceRun> AssertRecordedAsync(Subscriber subscriber, FakeStripeInvoice invoice)
    {
        var run = await Runs.GetAsync(subscriber.Id, subscriber.Period.Key, CancellationToken.None);
        Assert.NotNull(run);
        Assert.Equal(InvoiceRunStep.Recorded, run.Step);
        Assert.Equal(invoice.Id, run.StripeInvoiceId);
        Assert.Equal(invoice.Number, run.Number);
        Assert.Equal(invoice.HostedInvoiceUrl, run.HostedInvoiceUrl);
        Assert.Equal("open", run.Status);
        Assert.Equal(invoice.Total, run.Total);
        Assert.Equal(invoice.Items.Select(i => i.Id).Order(), run.Lines.Select(l => l.StripeItemId!).Order());
        AssertMarkedInvoiced(subscriber.Id, subscriber.Period);
        return run;
    }

    public void AssertMarkedInvoiced(AccountId accountId, UsagePeriod period)
    {
        Assert.NotNull(Ledger.InvoicedAt(accountId, period.Key));
        var ending = Ledger.ListPeriodsEndingAsync(DateOnly.FromDateTime(period.End.UtcDateTime), CancellationToken.None).GetAwaiter().GetResult();
        Assert.DoesNotContain(ending, e => e.AccountId == accountId && e.PeriodKey == period.Key);
    }
}

/// <summary>A PRO subscriber of the test bed and the job invoicing its period.</summary>
internal sealed record Subscriber(AccountId Id, UsagePeriod Period, string CustomerId, string SubscriptionId)
{
    public InvoiceJob Job => new(Id, Period.Key);
}

/// <summary>How a job ended after redeliveries: the run, the delivery that ended it, the failures before.</summary>
internal sealed record Deliveries(InvoiceRun Run, int Count, IReadOnlyList<Exception> Failures);
