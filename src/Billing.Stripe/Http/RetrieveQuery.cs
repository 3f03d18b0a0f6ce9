using Billing.Stripe.Common;
using Billing.Stripe.Serialization;

namespace Billing.Stripe.Http;

/// <summary>The query string of a retrieve (<c>expand[0]=...</c>), or null.</summary>
internal static class RetrieveQuery
{
    public static string? Encode(RetrieveRequest? request) =>
        request is null ? null : FormEncoder.Encode(request, StripeJsonContext.Default.RetrieveRequest);
}
