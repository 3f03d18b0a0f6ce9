using Billing.FunctionApp.Auth;
using Billing.FunctionApp.Functions.AdminListPoisonEvents;
using Billing.FunctionApp.Functions.AdminReplayPoisonEvents;
using Billing.FunctionApp.Functions.AdminResyncAccount;
using Billing.FunctionApp.Functions.StripeWebhook;
using Billing.FunctionApp.Hosting;

namespace Billing.FunctionApp.Functions;

/// <summary>The webhook endpoint (anonymous: Stripe signs it) and the admin endpoints for poison messages and re-sync (admin role).</summary>
public static class StripeWebhookEndpoints
{
    public static IEndpointRouteBuilder MapStripeWebhookFunctions(this IEndpointRouteBuilder app)
    {
        app.MapHttpFunction(StripeWebhookFunction.Name, (HttpRequest request, StripeWebhookFunction function, CancellationToken cancellationToken) => function.HandleAsync(request, cancellationToken))
            .AllowAnonymous();
        app.MapHttpFunction(AdminListPoisonEventsFunction.Name, AdminListPoisonEventsFunction.HandleAsync)
            .RequireAuthorization(AuthenticationSetup.AdminPolicy);
        app.MapHttpFunction(AdminReplayPoisonEventsFunction.Name, AdminReplayPoisonEventsFunction.HandleAsync)
            .RequireAuthorization(AuthenticationSetup.AdminPolicy);
        app.MapHttpFunction(AdminResyncAccountFunction.Name, AdminResyncAccountFunction.HandleAsync)
            .RequireAuthorization(AuthenticationSetup.AdminPolicy);
        return app;
    }
}
