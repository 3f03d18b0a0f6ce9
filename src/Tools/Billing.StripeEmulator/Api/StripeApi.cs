using Billing.StripeEmulator.Wire;

namespace Billing.StripeEmulator.Api;

/// <summary>All `/v1` endpoints, and Stripe's answer for any other `/v1` URL.</summary>
internal static class StripeApi
{
    public static IEndpointRouteBuilder MapStripeApi(this IEndpointRouteBuilder routes)
    {
        routes.MapCustomersApi();
        routes.MapPricesApi();
        routes.MapCheckoutSessionsApi();
        routes.MapPortalSessionsApi();
        routes.MapSubscriptionsApi();
        routes.MapInvoiceItemsApi();
        routes.MapInvoicesApi();
        routes.MapEventsApi();
        routes.MapMeterEventsApi();
        routes.MapRefundsApi();
        routes.Map("/v1/{**rest}", Unrecognized);
        return routes;
    }

    private static IResult Unrecognized(HttpContext context) =>
        throw new StripeApiException(
            404,
            ErrorTypes.InvalidRequest,
            $"Unrecognized request URL ({context.Request.Method}: {context.Request.Path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/. (The Stripe emulator implements a subset of the API: see docs/stripe-emulator.md.)");
}
