using Billing.StripeEmulator.State;
using Billing.StripeEmulator.Wire.Shapes;

namespace Billing.StripeEmulator.Wire.Pipeline;

/// <summary>Every response carries a `Request-Id`; API responses also the `Stripe-Version` they are shaped for.</summary>
internal sealed class RequestIdMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var requestId = IdGenerator.Request();
        context.SetRequestId(requestId);
        context.Response.OnStarting(() =>
        {
            context.Response.Headers["Request-Id"] = context.RequestId();
            if (context.Request.Path.StartsWithSegments("/v1", StringComparison.Ordinal))
            {
                context.Response.Headers["Stripe-Version"] = EventShape.ApiVersion;
            }

            return Task.CompletedTask;
        });
        return next(context);
    }
}
