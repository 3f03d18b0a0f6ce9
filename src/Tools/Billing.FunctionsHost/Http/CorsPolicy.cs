using Microsoft.Extensions.Primitives;

namespace Billing.FunctionsHost.Http;

/// <summary>Host.CORS / --cors: allowed origins (<c>*</c> = any), any method and header, like Core Tools.</summary>
internal sealed class CorsPolicy(IReadOnlyList<string> origins)
{
    private readonly bool any = origins.Contains("*");

    public bool Enabled => origins.Count > 0;

    public bool IsAllowed(string origin) =>
        any || origins.Any(o => string.Equals(o.TrimEnd('/'), origin.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));

    /// <summary>Answers a preflight request; false when the request is not one.</summary>
    public bool TryHandlePreflight(HttpContext context)
    {
        var request = context.Request;
        if (!Enabled || !HttpMethods.IsOptions(request.Method)
            || StringValues.IsNullOrEmpty(request.Headers.Origin)
            || StringValues.IsNullOrEmpty(request.Headers.AccessControlRequestMethod))
        {
            return false;
        }

        if (AddHeaders(context))
        {
            var headers = context.Response.Headers;
            headers.AccessControlAllowMethods = request.Headers.AccessControlRequestMethod;
            if (!StringValues.IsNullOrEmpty(request.Headers.AccessControlRequestHeaders))
            {
                headers.AccessControlAllowHeaders = request.Headers.AccessControlRequestHeaders;
            }

            headers.AccessControlMaxAge = "3600";
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return true;
    }

    /// <summary>Adds Access-Control-Allow-Origin for an allowed Origin; returns whether it did.</summary>
    public bool AddHeaders(HttpContext context)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (!Enabled || origin.Length == 0 || !IsAllowed(origin))
        {
            return false;
        }

        context.Response.Headers.AccessControlAllowOrigin = any ? "*" : origin;
        context.Response.Headers.Append("Vary", "Origin");
        return true;
    }
}
