using System.Globalization;
using System.Net;
using Billing.Application.Invoicing;
using Billing.Application.StripeEvents;
using Microsoft.Extensions.Logging;
using Stripe;

namespace Billing.Infrastructure.StripeApi;

/// <summary>
/// <see cref="IStripeInvoicing"/> on Stripe.net. A usage invoice is a draft of its own (no pending items,
/// <c>auto_advance=false</c> until it is finalized) carrying metadata <c>billing_run</c>, <c>account_id</c>,
/// <c>period_start</c> and <c>period_end</c>; its items are created on it with <c>billing_run</c> and <c>meter</c>.
/// Writes carry the caller's idempotency keys; failures become <see cref="Billing.Application.Payments.PaymentProviderException"/>
/// (<see cref="StripeFailures"/>). Requests draw on the process-wide <see cref="StripeRequestBudget"/> like every Stripe call.
/// </summary>
public sealed partial class StripeInvoicing(StripeClientFactory clients, ILogger<StripeInvoicing> logger) : IStripeInvoicing
{
    private const int PageSize = 100;

    /// <summary>Stripe's longest invoice <c>description</c> (the Dashboard's memo) and invoice item <c>description</c>.</summary>
    private const int MaxInvoiceDescription = 1500;
    private const int MaxItemDescription = 5000;
    private const string ChargeAutomatically = "charge_automatically";
    private const string SendInvoice = "send_invoice";

    /// <summary>
    /// Lists the customer's invoices created at <paramref name="createdSince"/> or later (<c>created[gte]</c>, whole
    /// seconds rounded down), newest first (all pages if need be), for the one whose <c>billing_run</c> is
    /// <paramref name="runId"/>: the pages follow what was created since the period ended, not the customer's whole history
    /// (a customer of three years has some seventy subscription and usage invoices). A voided one is returned too (as it
    /// is), so a run never bills a period a second time on its own; deleted drafts are gone from Stripe and are not found.
    /// </summary>
    public async Task<StripeUsageInvoice?> FindInvoiceAsync(string customerId, string runId, DateTimeOffset createdSince, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(customerId);
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        var since = DateTimeOffset.FromUnixTimeSeconds(createdSince.ToUnixTimeSeconds()).UtcDateTime;
        var options = new InvoiceListOptions { Customer = customerId, Created = new DateRangeOptions { GreaterThanOrEqual = since }, Limit = PageSize };
        try
        {
            await foreach (var invoice in clients.Create().V1.Invoices.ListAutoPagingAsync(options, requestOptions: null, cancellationToken).ConfigureAwait(false))
            {
                if (invoice.Deleted != true && IsRun(invoice.Metadata, runId))
                {
                    return ToUsageInvoice(invoice);
                }
            }
        }
        catch (Exception exception) when (StripeFailures.Classify("list the customer's invoices", exception, logger, cancellationToken) is { } failure)
        {
            throw failure;
        }

        return null;
    }

    /// <summary>
    /// Creates the draft: a one-off invoice of the customer, never attached to the subscription. Stripe refuses
    /// <c>subscription</c> together with <c>pending_invoice_items_behavior</c> (400 "You may only specify one of these
    /// parameters"), and <c>subscription</c> alone takes the subscription's pending items (a proration waiting for the
    /// renewal, an item added in the dashboard) onto the usage invoice, whose total would then differ from the run's.
    /// So with a subscription, the subscription is read first and what an invoice attached to it would have taken from
    /// it is copied: its <c>collection_method</c> (and <c>days_until_due</c> for <c>send_invoice</c>), as Stripe's default
    /// for a new invoice is <c>charge_automatically</c> whatever the subscription does, and its default payment method
    /// (or source), which Checkout sets on the subscription and which Stripe would otherwise not charge (a one-off
    /// invoice falls back to the customer's default only). Without one the invoice is charged automatically with the
    /// customer's default. The key ends with what was read (collection, payment method), so a subscription changed
    /// between two attempts makes a new request rather than an <c>idempotency_error</c>.
    /// </summary>
    public async Task<StripeUsageInvoice> CreateDraftAsync(NewUsageInvoice invoice, string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        var stripe = clients.Create();
        try
        {
            var billing = invoice.SubscriptionId is { Length: > 0 } subscriptionId
                ? await BillingOfAsync(stripe, subscriptionId, cancellationToken).ConfigureAwait(false)
                : SubscriptionBilling.None;
            var created = await stripe.V1.Invoices.CreateAsync(
                new InvoiceCreateOptions
                {
                    Customer = invoice.CustomerId,
                    Currency = invoice.Currency.ToLowerInvariant(),
                    Description = Fit(invoice.Description, MaxInvoiceDescription),
                    PendingInvoiceItemsBehavior = "exclude",
                    Discounts = [], // sent as `discounts=`: not the customer's coupon, whose discount would make the total differ from the run's and the run stall before finalizing
                    AutoAdvance = false,
                    CollectionMethod = billing.CollectionMethod,
                    DaysUntilDue = billing.DaysUntilDue,
                    DefaultPaymentMethod = billing.DefaultPaymentMethod,
                    DefaultSource = billing.DefaultPaymentMethod is null ? billing.DefaultSource : null,
                    Metadata = new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        [StripeMetadataKeys.BillingRun] = invoice.RunId,
                        [StripeMetadataKeys.AccountId] = invoice.AccountId,
                        [StripeMetadataKeys.PeriodStart] = Iso(invoice.PeriodStart),
                        [StripeMetadataKeys.PeriodEnd] = Iso(invoice.PeriodEnd),
                    },
                },
                new RequestOptions { IdempotencyKey = idempotencyKey + billing.KeySuffix },
                cancellationToken).ConfigureAwait(false);
            return ToUsageInvoice(created);
        }
        catch (Exception exception) when (StripeFailures.Classify("create the usage invoice", exception, logger, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>The invoice's items that have a <c>meter</c> in their metadata (all pages); should a meter appear twice, the oldest item wins.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ListItemsByMeterAsync(string invoiceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(invoiceId);
        var options = new InvoiceItemListOptions { Invoice = invoiceId, Limit = PageSize };
        var byMeter = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            await foreach (var item in clients.Create().V1.InvoiceItems.ListAutoPagingAsync(options, requestOptions: null, cancellationToken).ConfigureAwait(false))
            {
                if (item.Deleted == true || item.Metadata is null || !item.Metadata.TryGetValue(StripeMetadataKeys.Meter, out var meter) || string.IsNullOrEmpty(meter))
                {
                    continue;
                }

                if (byMeter.ContainsKey(meter))
                {
                    LogDuplicateMeter(invoiceId, meter);
                }

                byMeter[meter] = item.Id; // newest first: the last one seen is the oldest
            }
        }
        catch (Exception exception) when (StripeFailures.Classify("list the usage invoice's items", exception, logger, cancellationToken) is { } failure)
        {
            throw failure;
        }

        return byMeter;
    }

    public async Task<string> AddItemAsync(NewUsageInvoiceItem item, string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        try
        {
            var created = await clients.Create().V1.InvoiceItems.CreateAsync(
                new InvoiceItemCreateOptions
                {
                    Customer = item.CustomerId,
                    Invoice = item.InvoiceId,
                    Amount = item.Amount,
                    Currency = item.Currency.ToLowerInvariant(),
                    Description = Fit(item.Description, MaxItemDescription),
                    Period = new InvoiceItemPeriodOptions { Start = item.PeriodStart.UtcDateTime, End = item.PeriodEnd.UtcDateTime },
                    Metadata = new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        [StripeMetadataKeys.BillingRun] = item.RunId,
                        [StripeMetadataKeys.Meter] = item.Meter,
                    },
                },
                new RequestOptions { IdempotencyKey = idempotencyKey },
                cancellationToken).ConfigureAwait(false);
            return created.Id;
        }
        catch (Exception exception) when (StripeFailures.Classify("add the usage invoice item", exception, logger, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    public async Task<StripeUsageInvoice?> GetInvoiceAsync(string invoiceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(invoiceId);
        try
        {
            return ToUsageInvoice(await clients.Create().V1.Invoices.GetAsync(invoiceId, options: null, requestOptions: null, cancellationToken).ConfigureAwait(false));
        }
        catch (StripeException exception) when (exception.HttpStatusCode is HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception exception) when (StripeFailures.Classify("read the usage invoice", exception, logger, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>
    /// Finalizes the draft with <c>auto_advance=true</c>, so that from now on Stripe collects it the way it was set
    /// up: charges the customer's payment method (<c>charge_automatically</c>) or emails it (<c>send_invoice</c>).
    /// Stripe refuses (400) to finalize an invoice that is no longer a draft; then the invoice is read and, unless it
    /// is still a draft, returned as it is.
    /// </summary>
    public async Task<StripeUsageInvoice> FinalizeAsync(string invoiceId, string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(invoiceId);
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        var stripe = clients.Create();
        try
        {
            return ToUsageInvoice(await StepAsync(
                stripe,
                invoiceId,
                status => status != "draft",
                () => stripe.V1.Invoices.FinalizeInvoiceAsync(invoiceId, new InvoiceFinalizeOptions { AutoAdvance = true }, new RequestOptions { IdempotencyKey = idempotencyKey }, cancellationToken),
                cancellationToken).ConfigureAwait(false));
        }
        catch (Exception exception) when (StripeFailures.Classify("finalize the usage invoice", exception, logger, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    public async Task<CollectionPause?> GetCollectionPauseAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subscriptionId);
        try
        {
            var subscription = await clients.Create().V1.Subscriptions.GetAsync(subscriptionId, options: null, requestOptions: null, cancellationToken).ConfigureAwait(false);
            return subscription.PauseCollection is { } pause
                ? new CollectionPause(BehaviorOf(pause.Behavior), StripeSubscriptionSnapshots.Utc(pause.ResumesAt))
                : null;
        }
        catch (StripeException exception) when (exception.HttpStatusCode is HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception exception) when (StripeFailures.Classify("read the subscription's collection", exception, logger, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>
    /// Finalizes the draft with <c>auto_advance=false</c> (Stripe neither charges nor emails it), then voids it or
    /// marks it uncollectible, each with its own key derived from <paramref name="idempotencyKey"/>. Stripe refuses
    /// (400) a step already done (finalizing an open invoice, voiding a void one); then the invoice is read and, once
    /// past that step, taken as it is.
    /// </summary>
    public async Task<StripeUsageInvoice> FinalizeUncollectedAsync(string invoiceId, CollectionPauseBehavior behavior, string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(invoiceId);
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        if (behavior is not (CollectionPauseBehavior.Void or CollectionPauseBehavior.MarkUncollectible))
        {
            throw new ArgumentOutOfRangeException(nameof(behavior), behavior, "Only a voided or uncollectible invoice is finalized without collection; a kept draft is left as it is.");
        }

        var stripe = clients.Create();
        try
        {
            var invoice = await StepAsync(
                stripe,
                invoiceId,
                status => status != "draft",
                () => stripe.V1.Invoices.FinalizeInvoiceAsync(invoiceId, new InvoiceFinalizeOptions { AutoAdvance = false }, new RequestOptions { IdempotencyKey = idempotencyKey + ":finalize" }, cancellationToken),
                cancellationToken).ConfigureAwait(false);
            if (invoice.Status != "open")
            {
                return ToUsageInvoice(invoice); // voided, marked or paid already
            }

            Func<Task<Invoice>> settle = behavior == CollectionPauseBehavior.Void
                ? () => stripe.V1.Invoices.VoidInvoiceAsync(invoiceId, options: null, new RequestOptions { IdempotencyKey = idempotencyKey + ":void" }, cancellationToken)
                : () => stripe.V1.Invoices.MarkUncollectibleAsync(invoiceId, options: null, new RequestOptions { IdempotencyKey = idempotencyKey + ":mark_uncollectible" }, cancellationToken);
            var settled = await StepAsync(stripe, invoiceId, status => status is not ("draft" or "open"), settle, cancellationToken).ConfigureAwait(false);
            return ToUsageInvoice(settled);
        }
        catch (Exception exception) when (StripeFailures.Classify("finalize the usage invoice without collecting it", exception, logger, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>One state change of the invoice; refused with 400, the invoice is read and returned if <paramref name="done"/> says it is past that change.</summary>
    private async Task<Invoice> StepAsync(StripeClient stripe, string invoiceId, Func<string, bool> done, Func<Task<Invoice>> change, CancellationToken cancellationToken)
    {
        try
        {
            return await change().ConfigureAwait(false);
        }
        catch (StripeException exception) when (exception.HttpStatusCode == HttpStatusCode.BadRequest)
        {
            var current = await stripe.V1.Invoices.GetAsync(invoiceId, options: null, requestOptions: null, cancellationToken).ConfigureAwait(false);
            if (!done(current.Status))
            {
                throw;
            }

            LogAlreadyFinalized(invoiceId, current.Status);
            return current;
        }
    }

    private static CollectionPauseBehavior BehaviorOf(string? behavior) => behavior switch
    {
        "void" => CollectionPauseBehavior.Void,
        "mark_uncollectible" => CollectionPauseBehavior.MarkUncollectible,
        _ => CollectionPauseBehavior.KeepAsDraft, // keep_as_draft, or one Stripe adds later: never collected by us
    };

    private static async Task<SubscriptionBilling> BillingOfAsync(StripeClient stripe, string subscriptionId, CancellationToken cancellationToken)
    {
        var subscription = await stripe.V1.Subscriptions.GetAsync(subscriptionId, options: null, requestOptions: null, cancellationToken).ConfigureAwait(false);
        var (collection, days) = subscription.CollectionMethod == SendInvoice ? (SendInvoice, subscription.DaysUntilDue) : (ChargeAutomatically, (long?)null);
        return new SubscriptionBilling(collection, days, NullIfEmpty(subscription.DefaultPaymentMethodId), NullIfEmpty(subscription.DefaultSourceId));
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>What a usage invoice takes from its subscription: how it is collected and what it is charged to.</summary>
    private sealed record SubscriptionBilling(string CollectionMethod, long? DaysUntilDue, string? DefaultPaymentMethod, string? DefaultSource)
    {
        public static readonly SubscriptionBilling None = new(ChargeAutomatically, null, null, null);

        /// <summary>Empty for a subscription charged automatically without a payment method of its own, and without a subscription.</summary>
        public string KeySuffix =>
            (CollectionMethod == SendInvoice ? $":{SendInvoice}:{DaysUntilDue}" : "")
            + ((DefaultPaymentMethod ?? DefaultSource) is { } method ? ":pay:" + method : "");
    }

    private static bool IsRun(Dictionary<string, string>? metadata, string runId) =>
        metadata is not null
        && metadata.TryGetValue(StripeMetadataKeys.BillingRun, out var run)
        && string.Equals(run, runId, StringComparison.Ordinal);

    private static StripeUsageInvoice ToUsageInvoice(Invoice invoice) =>
        new(invoice.Id, invoice.Status, string.IsNullOrEmpty(invoice.Number) ? null : invoice.Number, string.IsNullOrEmpty(invoice.HostedInvoiceUrl) ? null : invoice.HostedInvoiceUrl, invoice.Total, invoice.AmountDue, invoice.AmountPaid);

    /// <summary>
    /// <paramref name="text"/>, or its start and an ellipsis in <paramref name="maxLength"/> characters: Stripe refuses a
    /// longer description (400), and a period with many plan changes names them all. The same text always gives the same
    /// cut, so a retry sends the same parameters under its key.
    /// </summary>
    private static string Fit(string text, int maxLength)
    {
        if (text.Length <= maxLength)
        {
            return text;
        }

        var keep = char.IsHighSurrogate(text[maxLength - 2]) ? maxLength - 2 : maxLength - 1;
        return string.Concat(text.AsSpan(0, keep), "…");
    }

    private static string Iso(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe invoice {InvoiceId} has more than one item for meter {Meter}; the oldest is taken")]
    private partial void LogDuplicateMeter(string invoiceId, string meter);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stripe invoice {InvoiceId} was past that step already ({Status}); taken as it is")]
    private partial void LogAlreadyFinalized(string invoiceId, string status);
}
