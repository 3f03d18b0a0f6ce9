using System.Net;
using Billing.Application.Payments;
using Billing.Stripe;
using Billing.Stripe.BillingPortal;
using Billing.Stripe.Checkout;
using Billing.Stripe.Customers;
using Billing.Stripe.Errors;

namespace Billing.FunctionApp.Infrastructure.Stripe;

/// <summary>
/// <see cref="IStripeBillingGateway"/> on the project's Stripe client. Every object carries the account id in metadata
/// <c>account_id</c>; Stripe failures become <see cref="PaymentProviderException"/> (no key, no payload in the message).
/// </summary>
public sealed partial class StripeBillingGateway(IStripeClient stripe, TimeProvider time, ILogger<StripeBillingGateway> logger) : IStripeBillingGateway
{
    public const string AccountIdMetadataKey = "account_id";

    /// <summary>
    /// Stripe answers 409 to a request whose idempotency key another in-flight request is using; the client already
    /// retries twice, and a burst of first requests for one account can outlast that, so creation keeps trying a little longer.
    /// </summary>
    private const int MaxCustomerCreateAttempts = 4;
    private static readonly TimeSpan CustomerCreateRetryDelay = TimeSpan.FromSeconds(1);

    public async Task<string> CreateCustomerAsync(NewStripeCustomer customer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(customer);
        var request = new CustomerCreateRequest { Metadata = AccountMetadata(customer.AccountId.Value) };
        var options = new StripeRequestOptions { IdempotencyKey = customer.IdempotencyKey };
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var created = await stripe.Customers.CreateAsync(request, options, cancellationToken).ConfigureAwait(false);
                return created.Id;
            }
            catch (StripeApiException exception) when (exception.StatusCode == HttpStatusCode.Conflict && attempt < MaxCustomerCreateAttempts)
            {
                LogCustomerCreateConflict(attempt);
                await Task.Delay(CustomerCreateRetryDelay, time, cancellationToken).ConfigureAwait(false);
            }
            catch (StripeException exception)
            {
                throw Failure("create the Stripe customer", exception);
            }
        }
    }

    public async Task<HostedCheckoutSession> CreateCheckoutSessionAsync(HostedCheckoutRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var metadata = AccountMetadata(request.AccountId.Value);
        StripeCheckoutSession session;
        try
        {
            session = await stripe.CheckoutSessions.CreateAsync(
                new CheckoutSessionCreateRequest
                {
                    Mode = CheckoutSessionModes.Subscription,
                    Customer = request.CustomerId,
                    ClientReferenceId = request.AccountId.Value,
                    LineItems = [new CheckoutLineItemRequest { Price = request.PriceId, Quantity = 1 }],
                    SuccessUrl = request.SuccessUrl,
                    CancelUrl = request.CancelUrl,
                    Metadata = metadata,
                    SubscriptionData = new CheckoutSubscriptionData { TrialPeriodDays = request.TrialDays, Metadata = metadata },
                },
                requestOptions: null,
                cancellationToken).ConfigureAwait(false);
        }
        catch (StripeException exception)
        {
            throw Failure("create the Checkout Session", exception);
        }

        return new HostedCheckoutSession(session.Id, HostedUrl(session.Url, "Checkout Session"));
    }

    public async Task<HostedPortalSession> CreatePortalSessionAsync(HostedPortalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        StripeBillingPortalSession session;
        try
        {
            session = await stripe.BillingPortalSessions.CreateAsync(
                new BillingPortalSessionCreateRequest { Customer = request.CustomerId, ReturnUrl = request.ReturnUrl },
                requestOptions: null,
                cancellationToken).ConfigureAwait(false);
        }
        catch (StripeException exception)
        {
            throw Failure("create the portal session", exception);
        }

        return new HostedPortalSession(session.Id, HostedUrl(session.Url, "portal session"));
    }

    private static Dictionary<string, string> AccountMetadata(string accountId) =>
        new(StringComparer.Ordinal) { [AccountIdMetadataKey] = accountId };

    private static Uri HostedUrl(string? url, string what) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? uri
            : throw new PaymentProviderException($"Stripe returned a {what} without a usable URL.");

    private static PaymentProviderException Failure(string action, StripeException exception)
    {
        var transient = exception switch
        {
            StripeConnectionException => true,
            StripeApiException { StatusCode: { } status } => status == HttpStatusCode.TooManyRequests || (int)status >= 500 || status == HttpStatusCode.Conflict,
            _ => false,
        };
        var reason = exception switch
        {
            StripeApiException api => $"Stripe answered {(int?)api.StatusCode} {api.ErrorType}/{api.Code} (request {api.RequestId})",
            StripeConnectionException { IsTimeout: true } => "Stripe did not answer in time",
            StripeConnectionException => "Stripe could not be reached",
            _ => "Stripe's answer could not be read",
        };
        return new PaymentProviderException($"Could not {action}: {reason}.", exception) { IsTransient = transient };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stripe customer creation is in flight under the same idempotency key (attempt {Attempt}); trying again")]
    private partial void LogCustomerCreateConflict(int attempt);
}
