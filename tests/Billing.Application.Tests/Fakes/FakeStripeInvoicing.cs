using System.Globalization;
using Billing.Application.Invoicing;
using Billing.Application.Payments;

namespace Billing.Application.Tests.Fakes;

/// <summary>The calls of <see cref="IStripeInvoicing"/>.</summary>
public enum StripeInvoicingCall
{
    FindInvoice,
    CreateDraft,
    ListItems,
    AddItem,
    GetInvoice,
    Finalize,
    GetCollectionPause,
    FinalizeUncollected,
}

/// <summary>A Stripe invoice as the fake holds it (a snapshot).</summary>
internal sealed record FakeStripeInvoice(
    string Id,
    string CustomerId,
    string? SubscriptionId,
    string Currency,
    string Description,
    DateTimeOffset PeriodStart,
    DateTimeOffset PeriodEnd,
    string Status,
    string? Number,
    string? HostedInvoiceUrl,
    IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyList<FakeStripeInvoiceItem> Items)
{
    public long Total => Items.Sum(i => i.Amount);
}

/// <summary>A Stripe invoice item as the fake holds it.</summary>
internal sealed record FakeStripeInvoiceItem(
    string Id,
    string InvoiceId,
    string CustomerId,
    long Amount,
    string Currency,
    string Description,
    DateTimeOffset PeriodStart,
    DateTimeOffset PeriodEnd,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// Stripe, as far as usage invoicing uses it, in memory under one lock:
/// <list type="bullet">
/// <item>idempotency keys: a key seen before answers the first response again and creates nothing (a key reused with
/// other parameters is refused, as Stripe does); <see cref="ForgetIdempotencyKeys"/> simulates the 24-hour window
/// passing;</item>
/// <item>metadata: invoices carry <c>billing_run</c> and <c>account_id</c>, items <c>billing_run</c> and <c>meter</c>,
/// which <see cref="FindInvoiceAsync"/> and <see cref="ListItemsByMeterAsync"/> search; an invoice's <c>created</c> is
/// the clock's time in whole seconds, and <see cref="FindInvoiceAsync"/> looks only among those created at
/// <c>createdSince</c> (rounded down to the second, as <c>created[gte]</c>) or later;</item>
/// <item>drafts take items (only drafts do, in the invoice's currency and customer); finalizing numbers the invoice,
/// gives it a hosted URL and status <c>open</c>; its total is the sum of its items; finalizing it again returns it;</item>
/// <item>subscriptions: collection is paused with <see cref="PauseCollection"/>; a paused invoice is finalized without
/// collection and voided or marked uncollectible (each step once: one already past it is returned as it is; a failure
/// after applying is one between the two steps, the invoice left open);</item>
/// <item>failures: <see cref="FailOnce"/> makes the next call of a kind fail with a transient
/// <see cref="PaymentProviderException"/> (a Stripe 5xx), before doing anything or after doing it (the answer lost).</item>
/// </list>
/// Every call yields first, so concurrent callers really overlap.
/// </summary>
internal sealed class FakeStripeInvoicing(TimeProvider? time = null) : IStripeInvoicing
{
    public const string RunMetadata = "billing_run";
    public const string MeterMetadata = "meter";
    public const string AccountMetadata = "account_id";

    private readonly Lock _gate = new();
    private readonly List<Invoice> _invoices = [];
    private readonly List<FakeStripeInvoiceItem> _items = [];
    private readonly Dictionary<string, (string Request, object Response)> _keys = new(StringComparer.Ordinal);
    private readonly List<(StripeInvoicingCall Call, bool AfterApplying)> _failures = [];
    private readonly List<StripeInvoicingCall> _calls = [];
    private readonly Dictionary<string, CollectionPause> _pauses = new(StringComparer.Ordinal);
    private int _notFoundReads;
    private int _sequence;
    private int _numbers;

    /// <summary>Awaited at the start of every call (to make two jobs interleave).</summary>
    public Func<StripeInvoicingCall, Task>? BeforeCall { get; set; }

    /// <summary>How far Stripe's clock runs behind ours: an invoice's <c>created</c> is the clock's time less this.</summary>
    public TimeSpan ClockBehind { get; set; }

    /// <summary>Every call, in order (failed ones included).</summary>
    public IReadOnlyList<StripeInvoicingCall> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>Every invoice, in creation order.</summary>
    public IReadOnlyList<FakeStripeInvoice> Invoices
    {
        get
        {
            lock (_gate)
            {
                return [.. _invoices.Select(Snapshot)];
            }
        }
    }

    /// <summary>Every invoice item, in creation order.</summary>
    public IReadOnlyList<FakeStripeInvoiceItem> Items
    {
        get
        {
            lock (_gate)
            {
                return [.. _items];
            }
        }
    }

    /// <summary>The invoices created for a run (by metadata).</summary>
    public IReadOnlyList<FakeStripeInvoice> InvoicesFor(string runId) => [.. Invoices.Where(i => i.Metadata[RunMetadata] == runId)];

    /// <summary>The invoice items created for a run (by metadata), whichever invoice they are on.</summary>
    public IReadOnlyList<FakeStripeInvoiceItem> ItemsFor(string runId) => [.. Items.Where(i => i.Metadata[RunMetadata] == runId)];

    public int CallsOf(StripeInvoicingCall call) => Calls.Count(c => c == call);

    /// <summary>Stripe forgets every idempotency key, as it does 24 hours after a key was first used.</summary>
    public void ForgetIdempotencyKeys()
    {
        lock (_gate)
        {
            _keys.Clear();
        }
    }

    /// <summary>
    /// The next call of <paramref name="call"/> fails with a transient error: before Stripe did anything, or, with
    /// <paramref name="afterApplying"/>, after it did (the response was lost on the way back).
    /// </summary>
    public void FailOnce(StripeInvoicingCall call, bool afterApplying = false)
    {
        lock (_gate)
        {
            _failures.Add((call, afterApplying));
        }
    }

    /// <summary>
    /// The next <paramref name="reads"/> invoice reads answer "no such invoice" although it exists: what Stripe answers a
    /// key of another Stripe account or mode (a wrong key deployed for a while), for every id.
    /// </summary>
    public void AnswerNotFound(int reads = 1)
    {
        lock (_gate)
        {
            _notFoundReads += reads;
        }
    }

    /// <summary>Stripe's state changes behind the app's back (e.g. an operator finalizes or voids the invoice).</summary>
    public void SetStatus(string invoiceId, string status)
    {
        lock (_gate)
        {
            InvoiceOf(invoiceId).Status = status;
        }
    }

    /// <summary>The merchant pauses the subscription's collection in Stripe (null: resumes it).</summary>
    public void PauseCollection(string subscriptionId, CollectionPause? pause)
    {
        lock (_gate)
        {
            if (pause is null)
            {
                _pauses.Remove(subscriptionId);
            }
            else
            {
                _pauses[subscriptionId] = pause;
            }
        }
    }

    /// <summary>Someone deletes the draft in the dashboard: it and its items are gone (Stripe deletes drafts only).</summary>
    public void DeleteDraft(string invoiceId)
    {
        lock (_gate)
        {
            var invoice = InvoiceOf(invoiceId);
            Require(invoice.Status == "draft", $"Invoice {invoiceId} is {invoice.Status}: only drafts can be deleted.");
            _invoices.Remove(invoice);
            _items.RemoveAll(i => i.InvoiceId == invoiceId);
        }
    }

    public async Task<StripeUsageInvoice?> FindInvoiceAsync(string customerId, string runId, DateTimeOffset createdSince, CancellationToken cancellationToken)
    {
        await EnterAsync(StripeInvoicingCall.FindInvoice);
        lock (_gate)
        {
            var failure = Begin(StripeInvoicingCall.FindInvoice);
            var since = createdSince.ToUnixTimeSeconds();
            var found = _invoices.LastOrDefault(i => i.CustomerId == customerId && i.Created >= since && i.Metadata[RunMetadata] == runId); // newest first, as Stripe lists them
            return Answer(failure, found is null ? null : Response(found));
        }
    }

    public async Task<StripeUsageInvoice> CreateDraftAsync(NewUsageInvoice invoice, string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        await EnterAsync(StripeInvoicingCall.CreateDraft);
        lock (_gate)
        {
            var failure = Begin(StripeInvoicingCall.CreateDraft);
            var response = Idempotent(idempotencyKey, "create_invoice " + invoice, () =>
            {
                Require(invoice.CustomerId.StartsWith("cus_", StringComparison.Ordinal), $"No such customer: '{invoice.CustomerId}'");
                RequireCurrency(invoice.Currency);
                var created = new Invoice
                {
                    Id = NextId("in_"),
                    CustomerId = invoice.CustomerId,
                    SubscriptionId = invoice.SubscriptionId,
                    Currency = invoice.Currency,
                    Description = invoice.Description,
                    PeriodStart = invoice.PeriodStart,
                    PeriodEnd = invoice.PeriodEnd,
                    Status = "draft",
                    Created = ((time ?? TimeProvider.System).GetUtcNow() - ClockBehind).ToUnixTimeSeconds(),
                    Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [RunMetadata] = invoice.RunId, [AccountMetadata] = invoice.AccountId },
                };
                _invoices.Add(created);
                return Response(created);
            });
            return Answer(failure, response);
        }
    }

    public async Task<IReadOnlyDictionary<string, string>> ListItemsByMeterAsync(string invoiceId, CancellationToken cancellationToken)
    {
        await EnterAsync(StripeInvoicingCall.ListItems);
        lock (_gate)
        {
            var failure = Begin(StripeInvoicingCall.ListItems);
            var invoice = InvoiceOf(invoiceId);
            var byMeter = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var item in _items.Where(i => i.InvoiceId == invoice.Id && i.Metadata.ContainsKey(MeterMetadata)))
            {
                byMeter.TryAdd(item.Metadata[MeterMetadata], item.Id);
            }

            return Answer<IReadOnlyDictionary<string, string>>(failure, byMeter);
        }
    }

    public async Task<string> AddItemAsync(NewUsageInvoiceItem item, string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        await EnterAsync(StripeInvoicingCall.AddItem);
        lock (_gate)
        {
            var failure = Begin(StripeInvoicingCall.AddItem);
            var id = Idempotent(idempotencyKey, "create_invoiceitem " + item, () =>
            {
                var invoice = InvoiceOf(item.InvoiceId);
                Require(invoice.Status == "draft", $"Invoice {invoice.Id} is {invoice.Status}: items can only be added to draft invoices.");
                Require(invoice.CustomerId == item.CustomerId, $"Invoice {invoice.Id} belongs to {invoice.CustomerId}, not {item.CustomerId}.");
                RequireCurrency(item.Currency);
                Require(invoice.Currency == item.Currency, $"Invoice {invoice.Id} is in {invoice.Currency}, the item in {item.Currency}.");
                var created = new FakeStripeInvoiceItem(
                    NextId("ii_"),
                    invoice.Id,
                    item.CustomerId,
                    item.Amount,
                    item.Currency,
                    item.Description,
                    item.PeriodStart,
                    item.PeriodEnd,
                    new Dictionary<string, string>(StringComparer.Ordinal) { [RunMetadata] = item.RunId, [MeterMetadata] = item.Meter });
                _items.Add(created);
                return created.Id;
            });
            return Answer(failure, id);
        }
    }

    public async Task<StripeUsageInvoice?> GetInvoiceAsync(string invoiceId, CancellationToken cancellationToken)
    {
        await EnterAsync(StripeInvoicingCall.GetInvoice);
        lock (_gate)
        {
            var failure = Begin(StripeInvoicingCall.GetInvoice);
            var invoice = _notFoundReads > 0 && _notFoundReads-- > 0 ? null : _invoices.FirstOrDefault(i => i.Id == invoiceId);
            return Answer(failure, invoice is null ? null : Response(invoice));
        }
    }

    public async Task<StripeUsageInvoice> FinalizeAsync(string invoiceId, string idempotencyKey, CancellationToken cancellationToken)
    {
        await EnterAsync(StripeInvoicingCall.Finalize);
        lock (_gate)
        {
            var failure = Begin(StripeInvoicingCall.Finalize);
            var response = Idempotent(idempotencyKey, "finalize_invoice " + invoiceId, () =>
            {
                var invoice = InvoiceOf(invoiceId);
                Open(invoice);

                return Response(invoice);
            });
            return Answer(failure, response);
        }
    }

    public async Task<CollectionPause?> GetCollectionPauseAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        await EnterAsync(StripeInvoicingCall.GetCollectionPause);
        lock (_gate)
        {
            var failure = Begin(StripeInvoicingCall.GetCollectionPause);
            return Answer(failure, _pauses.GetValueOrDefault(subscriptionId));
        }
    }

    public async Task<StripeUsageInvoice> FinalizeUncollectedAsync(string invoiceId, CollectionPauseBehavior behavior, string idempotencyKey, CancellationToken cancellationToken)
    {
        await EnterAsync(StripeInvoicingCall.FinalizeUncollected);
        lock (_gate)
        {
            var failure = Begin(StripeInvoicingCall.FinalizeUncollected);
            Require(behavior is CollectionPauseBehavior.Void or CollectionPauseBehavior.MarkUncollectible, $"A {behavior} invoice is not finalized.");
            if (failure)
            {
                // Two Stripe calls: a failure "after applying" is one between them, the invoice finalized (never collected) and left open
                Open(InvoiceOf(invoiceId));
                throw Transient(StripeInvoicingCall.FinalizeUncollected, "between finalizing and settling; the invoice left open");
            }

            var response = Idempotent(idempotencyKey, $"finalize_uncollected {invoiceId} {behavior}", () =>
            {
                var invoice = InvoiceOf(invoiceId);
                Open(invoice);

                if (invoice.Status == "open")
                {
                    invoice.Status = behavior == CollectionPauseBehavior.Void ? "void" : "uncollectible";
                }

                return Response(invoice);
            });
            return Answer(failure, response);
        }
    }

    /// <summary>Finalizes a draft: numbered, with a hosted URL, open.</summary>
    private void Open(Invoice invoice)
    {
        if (invoice.Status == "draft")
        {
            invoice.Status = "open";
            invoice.Number = "FAKE-" + (++_numbers).ToString("D4", CultureInfo.InvariantCulture);
            invoice.HostedInvoiceUrl = "https://invoice.stripe.test/i/" + invoice.Id;
        }
    }

    private async Task EnterAsync(StripeInvoicingCall call)
    {
        await Task.Yield();
        if (BeforeCall is { } before)
        {
            await before(call);
        }
    }

    /// <summary>Records the call; throws when it is to fail before applying; returns true when it is to fail after.</summary>
    private bool Begin(StripeInvoicingCall call)
    {
        _calls.Add(call);
        var index = _failures.FindIndex(f => f.Call == call);
        if (index < 0)
        {
            return false;
        }

        var failure = _failures[index];
        _failures.RemoveAt(index);
        if (!failure.AfterApplying)
        {
            throw Transient(call, "before applying");
        }

        return true;
    }

    private static T Answer<T>(bool failAfterApplying, T response) =>
        failAfterApplying ? throw Transient(typeof(T).Name, "after applying, the answer lost") : response;

    private static PaymentProviderException Transient(object call, string when) =>
        new($"Stripe answered 500 to {call} ({when}; injected by the test).") { IsTransient = true };

    private T Idempotent<T>(string key, string request, Func<T> apply)
        where T : notnull
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        if (_keys.TryGetValue(key, out var seen))
        {
            Require(seen.Request == request, $"Keys for idempotent requests can only be used with the same parameters they were first used with ('{key}').");
            return (T)seen.Response;
        }

        var response = apply();
        _keys[key] = (request, response);
        return response;
    }

    private Invoice InvoiceOf(string invoiceId) =>
        _invoices.FirstOrDefault(i => i.Id == invoiceId) ?? throw new PaymentProviderException($"No such invoice: '{invoiceId}'");

    private string NextId(string prefix) => prefix + "fake" + (++_sequence).ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>As Stripe answers for a customer without a balance, above the minimum charge: the total is due, and paid once paid.</summary>
    private StripeUsageInvoice Response(Invoice invoice)
    {
        var total = TotalOf(invoice);
        var due = Math.Max(0, total);
        return new(invoice.Id, invoice.Status, invoice.Number, invoice.HostedInvoiceUrl, total, due, invoice.Status == "paid" ? due : 0);
    }

    private long TotalOf(Invoice invoice) => _items.Where(i => i.InvoiceId == invoice.Id).Sum(i => i.Amount);

    private FakeStripeInvoice Snapshot(Invoice invoice) => new(
        invoice.Id,
        invoice.CustomerId,
        invoice.SubscriptionId,
        invoice.Currency,
        invoice.Description,
        invoice.PeriodStart,
        invoice.PeriodEnd,
        invoice.Status,
        invoice.Number,
        invoice.HostedInvoiceUrl,
        new Dictionary<string, string>(invoice.Metadata, StringComparer.Ordinal),
        [.. _items.Where(i => i.InvoiceId == invoice.Id)]);

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new PaymentProviderException(message) { IsTransient = false };
        }
    }

    private static void RequireCurrency(string currency) =>
        Require(currency is { Length: 3 } && currency.All(char.IsAsciiLetterLower), $"Invalid currency: '{currency}'");

    private sealed class Invoice
    {
        public required string Id { get; init; }

        public required string CustomerId { get; init; }

        public string? SubscriptionId { get; init; }

        public required string Currency { get; init; }

        public required string Description { get; init; }

        public DateTimeOffset PeriodStart { get; init; }

        public DateTimeOffset PeriodEnd { get; init; }

        public required string Status { get; set; }

        /// <summary>When Stripe created it, in Unix seconds (Stripe's <c>created</c>).</summary>
        public long Created { get; init; }

        public string? Number { get; set; }

        public string? HostedInvoiceUrl { get; set; }

        public required Dictionary<string, string> Metadata { get; init; }
    }
}
