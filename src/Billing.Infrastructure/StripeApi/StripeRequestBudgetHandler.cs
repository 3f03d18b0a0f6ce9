namespace Billing.Infrastructure.StripeApi;

/// <summary>
/// Holds every request on the <c>Stripe</c> HttpClient until the process-wide <see cref="StripeRequestBudget"/> lets
/// it go. It sits in the HttpClient's handler chain, below Stripe.net's <c>SystemNetHttpClient</c>, so it sees each
/// attempt: the retries Stripe.net makes by itself (<see cref="StripeOptions.MaxNetworkRetries"/>: connection
/// failures, timeouts, 409, 5xx and <c>Stripe-Should-Retry: true</c>, with its exponential backoff and the same
/// idempotency key) spend the budget too, so a burst of 429 or 5xx answers cannot push the process over it. A request
/// waits (it is never refused) until the budget allows it or its token is cancelled; the wait counts in the attempt's
/// <see cref="StripeOptions.RequestTimeout"/>, and a timeout there is an ordinary timeout that Stripe.net retries.
/// </summary>
internal sealed class StripeRequestBudgetHandler(StripeRequestBudget budget) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var lease = await budget.AcquireAsync(cancellationToken).ConfigureAwait(false);
        if (!lease.IsAcquired)
        {
            // Only when the budget is being disposed (the process is stopping): no answer, a transient failure.
            throw new HttpRequestException("The Stripe request budget is closed; the request was not sent.");
        }

        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
