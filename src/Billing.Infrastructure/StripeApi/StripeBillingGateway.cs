using System.Globalization;
using System.Net;
using Billing.Application.Payments;
using Billing.Application.StripeEvents;
using Billing.Domain.Pricing;
using Microsoft.Extensions.Logging;
using Stripe;
using Stripe.Checkout;

namespace Billing.Infrastructure.StripeApi;

/// <summary>
/// <see cref="IStripeBillingGateway"/> on Stripe.net. Every object carries the account id in metadata
/// <c>account_id</c>; failures become <see cref="PaymentProviderException"/> (<see cref="StripeFailures"/>).
/// </summary>
public sealed partial class StripeBillingGateway(StripeClientFactory clients, TimeProvider time, ILogger<StripeBillingGateway> logger) : IStripeBillingGateway
{
    /// <summary>
    /// Stripe answers 409 to a request whose idempotency key another in-flight request is using; Stripe.net already
    /// retries twice, and a burst of first requests for one account can outlast that, so creation keeps trying a little longer.
    /// </summary>
    private const int MaxCustomerCreateAttempts = 4;

    private static readonly TimeSpan CustomerCreateRetryDelay = TimeSpan.FromSeconds(1);

    public async Task<string> CreateCustomerAsync(NewStripeCustomer customer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(customer);
        var request = new CustomerCreateOptions { Metadata = AccountMetadata(customer.AccountId.Value) };
        var stripe = clients.Create();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var created = await UnderKeyAsync(customer.IdempotencyKey, options => stripe.V1.Customers.CreateAsync(request, options, cancellationToken)).ConfigureAwait(false);
                return created.Id;
            }
            catch (StripeException exception) when (exception.HttpStatusCode == HttpStatusCode.Conflict && attempt < MaxCustomerCreateAttempts)
            {
                LogCustomerCreateConflict(attempt);
                await Task.Delay(CustomerCreateRetryDelay, time, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (StripeFailures.Classify("create the Stripe customer", exception, logger, cancellationToken) is { } failure)
            {
                throw failure;
            }
        }
    }

    public async Task<HostedCheckoutSession> CreateCheckoutSessionAsync(HostedCheckoutRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var metadata = AccountMetadata(request.AccountId.Value);
        var options = new SessionCreateOptions
        {
            Mode = "subscription",
            Customer = request.CustomerId,
            ClientReferenceId = request.AccountId.Value,
            LineItems = [new SessionLineItemOptions { Price = request.PriceId, Quantity = 1 }],
            SuccessUrl = request.SuccessUrl,
            CancelUrl = request.CancelUrl,
            Metadata = metadata,
            SubscriptionData = new SessionSubscriptionDataOptions { TrialPeriodDays = request.TrialDays, Metadata = metadata },
        };
        Session session;
        try
        {
            var stripe = clients.Create();
            session = request.IdempotencyKey is { } key
                ? await UnderKeyAsync(key, requestOptions => stripe.V1.Checkout.Sessions.CreateAsync(options, requestOptions, cancellationToken)).ConfigureAwait(false)
                : await stripe.V1.Checkout.Sessions.CreateAsync(options, requestOptions: null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (StripeFailures.Classify("create the Checkout Session", exception, logger, cancellationToken) is { } failure)
        {
            throw failure;
        }

        return new HostedCheckoutSession(session.Id, HostedUrl(session.Url, "Checkout Session"), session.ExpiresAt <= DateTime.UnixEpoch ? null : new DateTimeOffset(DateTime.SpecifyKind(session.ExpiresAt, DateTimeKind.Utc)));
    }

    public async Task<HostedCheckoutSession> CreatePaymentCheckoutSessionAsync(HostedPaymentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var metadata = AccountMetadata(request.AccountId.Value);
        foreach (var (key, value) in request.Terms.ToMetadata())
        {
            metadata[key] = value;
        }
        var options = new SessionCreateOptions
        {
            Mode = "payment",
            Customer = request.CustomerId,
            ClientReferenceId = request.AccountId.Value,
            LineItems = [new SessionLineItemOptions { Price = request.PriceId, Quantity = 1 }],
            SuccessUrl = request.SuccessUrl,
            CancelUrl = request.CancelUrl,
            Metadata = metadata,
            PaymentIntentData = new SessionPaymentIntentDataOptions { Metadata = new Dictionary<string, string>(metadata, StringComparer.Ordinal) },
        };
        Session session;
        try
        {
            session = await clients.Create().V1.Checkout.Sessions.CreateAsync(options, requestOptions: null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (StripeFailures.Classify("create the payment Checkout Session", exception, logger, cancellationToken) is { } failure)
        {
            throw failure;
        }

        return new HostedCheckoutSession(session.Id, HostedUrl(session.Url, "Checkout Session"), session.ExpiresAt <= DateTime.UnixEpoch ? null : new DateTimeOffset(DateTime.SpecifyKind(session.ExpiresAt, DateTimeKind.Utc)));
    }

    public async Task<ChargeStanding?> GetChargeAsync(string chargeId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(chargeId);
        try
        {
            // The refunds and disputes themselves, not the charge's `amount_refunded` and `disputed`: a refund that failed
            // or was canceled no longer counts, and a dispute the merchant won no longer takes the payment back.
            var stripe = clients.Create();
            var charge = await stripe.V1.Charges.GetAsync(chargeId, options: null, requestOptions: null, cancellationToken).ConfigureAwait(false);
            var refunded = 0L;
            await foreach (var refund in stripe.V1.Refunds.ListAutoPagingAsync(new RefundListOptions { Charge = chargeId, Limit = 100 }, requestOptions: null, cancellationToken).ConfigureAwait(false))
            {
                refunded += Stands(refund) ? refund.Amount : 0;
            }

            var disputed = false;
            if (charge.Disputed)
            {
                await foreach (var dispute in stripe.V1.Disputes.ListAutoPagingAsync(new DisputeListOptions { Charge = chargeId, Limit = 100 }, requestOptions: null, cancellationToken).ConfigureAwait(false))
                {
                    disputed |= dispute.Status is not ("won" or "warning_closed");
                }
            }

            return new ChargeStanding(string.IsNullOrEmpty(charge.CustomerId) ? null : charge.CustomerId, refunded, disputed);
        }
        catch (StripeException exception) when (exception.HttpStatusCode is HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception exception) when (StripeFailures.Classify("read the charge", exception, logger, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    public async Task<HostedPortalSession> CreatePortalSessionAsync(HostedPortalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Stripe.BillingPortal.Session session;
        try
        {
            session = await clients.Create().V1.BillingPortal.Sessions.CreateAsync(
                new Stripe.BillingPortal.SessionCreateOptions { Customer = request.CustomerId, ReturnUrl = request.ReturnUrl },
                requestOptions: null,
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (StripeFailures.Classify("create the portal session", exception, logger, cancellationToken) is { } failure)
        {
            throw failure;
        }

        return new HostedPortalSession(session.Id, HostedUrl(session.Url, "portal session"));
    }

    public async Task<CheckoutSessionExpiry> ExpireCheckoutSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        var stripe = clients.Create();
        try
        {
            var session = await stripe.V1.Checkout.Sessions.GetAsync(sessionId, options: null, requestOptions: null, cancellationToken).ConfigureAwait(false);
            if (session.Status != "open")
            {
                return ExpiryOf(session);
            }

            try
            {
                await stripe.V1.Checkout.Sessions.ExpireAsync(sessionId, options: null, requestOptions: null, cancellationToken).ConfigureAwait(false);
                return CheckoutSessionExpiry.Expired;
            }
            catch (StripeException refused) when (refused.HttpStatusCode is HttpStatusCode.BadRequest)
            {
                // Stripe expires only open sessions, and its error for one that completed or expired after the read
                // has no documented code: the session's state decides.
                var now = await stripe.V1.Checkout.Sessions.GetAsync(sessionId, options: null, requestOptions: null, cancellationToken).ConfigureAwait(false);
                if (now.Status == "open")
                {
                    throw;
                }

                return ExpiryOf(now);
            }
        }
        catch (StripeException exception) when (exception.HttpStatusCode is HttpStatusCode.NotFound)
        {
            // Gone: no longer payable, which is all the caller needs.
            return CheckoutSessionExpiry.Expired;
        }
        catch (Exception exception) when (StripeFailures.Classify("expire the Checkout Session", exception, logger, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    private static bool IsEnded(Subscription subscription) => subscription.Status is "canceled" or "incomplete_expired";

    private static CheckoutSessionExpiry ExpiryOf(Session session) =>
        session.Status == "complete" ? CheckoutSessionExpiry.Completed : CheckoutSessionExpiry.Expired;

    public async Task CancelSubscriptionAsync(string subscriptionId, string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(subscriptionId);
        var stripe = clients.Create();
        try
        {
            var subscription = await stripe.V1.Subscriptions.GetAsync(subscriptionId, options: null, requestOptions: null, cancellationToken).ConfigureAwait(false);
            if (IsEnded(subscription))
            {
                return;
            }

            try
            {
                // A DELETE: Stripe keeps no answer under its key (idempotent by definition), so nothing is replayed here.
                await stripe.V1.Subscriptions.CancelAsync(
                    subscriptionId,
                    new SubscriptionCancelOptions { Prorate = false, InvoiceNow = false },
                    new RequestOptions { IdempotencyKey = idempotencyKey },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (StripeException refused) when (refused.HttpStatusCode is HttpStatusCode.NotFound && refused.StripeError?.Code == "resource_missing")
            {
                // Stripe answers a cancel of a subscription canceled meanwhile (the customer in the portal, between the
                // read and the cancel) as it does an unknown id, though a read still finds it: the read decides.
                if (!IsEnded(await stripe.V1.Subscriptions.GetAsync(subscriptionId, options: null, requestOptions: null, cancellationToken).ConfigureAwait(false)))
                {
                    throw;
                }
            }
        }
        catch (Exception exception) when (StripeFailures.Classify("cancel the subscription", exception, logger, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    public async Task<Money?> RefundLatestInvoicePaymentAsync(string subscriptionId, string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(subscriptionId);
        var stripe = clients.Create();
        try
        {
            var subscription = await stripe.V1.Subscriptions.GetAsync(subscriptionId, options: null, requestOptions: null, cancellationToken).ConfigureAwait(false);
            if (subscription.LatestInvoiceId is not { Length: > 0 } invoiceId)
            {
                return null;
            }

            var invoice = await stripe.V1.Invoices.GetAsync(invoiceId, new InvoiceGetOptions { Expand = ["payments"] }, requestOptions: null, cancellationToken).ConfigureAwait(false);
            var paymentIntentId = invoice.Payments?.Data?
                .Where(p => p.Status == "paid")
                .Select(p => p.Payment?.PaymentIntentId)
                .FirstOrDefault(id => id is { Length: > 0 });
            if (invoice.AmountPaid <= 0 || paymentIntentId is null)
            {
                return null;
            }

            var currency = Currency.Parse(invoice.Currency);
            var existing = await stripe.V1.Refunds.ListAsync(new RefundListOptions { PaymentIntent = paymentIntentId, Limit = 100 }, requestOptions: null, cancellationToken).ConfigureAwait(false);
            var refunded = existing.Data.Where(Stands).Sum(r => r.Amount);
            if (refunded < invoice.AmountPaid)
            {
                // The key names the refunds seen: the same listing gives the same amount under the same key (racing
                // deliveries refund once), and a listing that changed (a refund failed, another was made) is a new
                // request, never a replay of an old result nor a key reused with another amount (idempotency_error).
                var key = string.Create(CultureInfo.InvariantCulture, $"{idempotencyKey}:{existing.Data.Count}:{refunded}");
                try
                {
                    var refund = await stripe.V1.Refunds.CreateAsync(
                        new RefundCreateOptions
                        {
                            PaymentIntent = paymentIntentId,
                            Amount = invoice.AmountPaid - refunded,
                            Reason = "duplicate",
                            Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["subscription_id"] = subscriptionId },
                        },
                        new RequestOptions { IdempotencyKey = key },
                        cancellationToken).ConfigureAwait(false);
                    if (Stands(refund))
                    {
                        refunded += refund.Amount;
                    }
                }
                catch (StripeException refused) when (refused.HttpStatusCode == HttpStatusCode.BadRequest && refused.StripeError?.Code == ChargeDisputed)
                {
                    // Charged back: Stripe refunds no disputed charge, the bank takes the money back through the dispute.
                    // Nothing more to refund here; the duplicate must still be canceled, or it bills again.
                    LogChargedBack(subscriptionId, paymentIntentId);
                }
            }

            return new Money(refunded, currency);
        }
        catch (Exception exception) when (StripeFailures.Classify("refund the duplicate subscription's payment", exception, logger, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>
    /// Whether a refund takes the payment back: succeeded, or on its way (<c>pending</c>, or <c>requires_action</c>:
    /// waiting for the customer's details on a payment method without native refunds, until it succeeds or is canceled
    /// as its instructions expire). Failed and canceled ones gave nothing back. One rule for a charge's standing and for
    /// what a duplicate's refund still has to refund.
    /// </summary>
    private static bool Stands(Refund refund) => refund.Status is "succeeded" or "pending" or "requires_action";

    /// <summary>
    /// Sends a keyed request; when Stripe answers it with a failure it saved earlier under that key and replays
    /// (<c>Idempotent-Replayed: true</c>): Stripe saves what a keyed POST answered once its endpoint began executing,
    /// a 500 included, and replays it under that key for at least 24 hours
    /// (https://docs.stripe.com/api/idempotent_requests, https://docs.stripe.com/error-low-level), so the key of an
    /// operation that is only repeated (the same account, the same Checkout) would fail for a day after one outage. The
    /// request is then sent again, once per replayed failure and at most <see cref="MaxReplayedFailureEscapes"/> times,
    /// under <c>{key}:after:{the failed request's id}</c> (<c>Original-Request</c>): racing requests that got the same
    /// replay share the new key, so they still get one object. Only for operations whose failed attempt left nothing
    /// the product could have used (a customer or a session nobody received the answer of).
    /// </summary>
    private async Task<T> UnderKeyAsync<T>(string key, Func<RequestOptions, Task<T>> send)
    {
        var current = key;
        for (var escape = 0; ; escape++)
        {
            try
            {
                return await send(new RequestOptions { IdempotencyKey = current }).ConfigureAwait(false);
            }
            catch (StripeException failure) when (escape < MaxReplayedFailureEscapes
                                                  && ReplayedFailureOrigin(failure) is { } origin
                                                  && DerivedKey(key, origin) is var derived
                                                  && derived != current)
            {
                LogReplayedFailure((int)failure.HttpStatusCode, origin, derived);
                current = derived;
            }
        }
    }

    private const int MaxReplayedFailureEscapes = 2;

    /// <summary>The id of the request whose saved failure Stripe replayed, or null when the answer is not a replay.</summary>
    private static string? ReplayedFailureOrigin(StripeException failure)
    {
        var headers = failure.StripeResponse?.Headers;
        if (headers is null
            || (int)failure.HttpStatusCode < 400
            || failure.HttpStatusCode is HttpStatusCode.Conflict or HttpStatusCode.TooManyRequests // never saved: in flight, or refused before the idempotency layer
            || !headers.TryGetValues("Idempotent-Replayed", out var replayed)
            || !replayed.Any(v => string.Equals(v, "true", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        return headers.TryGetValues("Original-Request", out var original) && original.FirstOrDefault() is { Length: > 0 } id
            ? id
            : failure.StripeResponse?.RequestId is { Length: > 0 } requestId ? requestId : "replay";
    }

    /// <summary><c>{key}:after:{requestId}</c>, or its SHA-256 when that is longer than Stripe's 255 characters or not plain ASCII.</summary>
    private static string DerivedKey(string key, string requestId)
    {
        var derived = $"{key}:after:{requestId}";
        return derived.Length <= 255 && derived.All(c => c is > ' ' and <= '~')
            ? derived
            : "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(derived)));
    }

    /// <summary>Stripe's error code for a refund of a charge that was charged back (a dispute that is not an inquiry).</summary>
    private const string ChargeDisputed = "charge_disputed";

    private static Dictionary<string, string> AccountMetadata(string accountId) =>
        new(StringComparer.Ordinal) { [StripeMetadataKeys.AccountId] = accountId };

    private static Uri HostedUrl(string? url, string what) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? uri
            : throw new PaymentProviderException($"Stripe returned a {what} without a usable URL.");

    [LoggerMessage(Level = LogLevel.Warning, Message = "The payment {PaymentIntentId} of duplicate subscription {SubscriptionId} was charged back: Stripe refuses to refund it (charge_disputed), the dispute returns it; not refunded")]
    private partial void LogChargedBack(string subscriptionId, string paymentIntentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe replayed the {Status} it saved for request {OriginalRequest} under this idempotency key; sending the request again under {IdempotencyKey}")]
    private partial void LogReplayedFailure(int status, string originalRequest, string idempotencyKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stripe customer creation is in flight under the same idempotency key (attempt {Attempt}); trying again")]
    private partial void LogCustomerCreateConflict(int attempt);
}
