using Billing.FunctionsHost.Http;
using Microsoft.AspNetCore.Http;

namespace Billing.FunctionsHost.Tests.Unit;

/// <summary>
/// Host.CORS as the real host applies it: ASP.NET Core's CORS middleware with the configured origins, any header and
/// any method (CorsOptionsSetup.cs in azure-functions-host).
/// </summary>
public sealed class CorsPolicyTests
{
    [Fact]
    public void A_wildcard_origin_is_answered_with_a_wildcard()
    {
        var context = Request("GET", "http://any.example.test");

        new CorsPolicy(["*"]).AddHeaders(context);

        Assert.Equal("*", context.Response.Headers.AccessControlAllowOrigin.ToString());
    }

    [Fact]
    public void A_preflight_allows_the_requested_method_and_headers()
    {
        var context = Request("OPTIONS", "http://app.example.test");
        context.Request.Headers.AccessControlRequestMethod = "POST";
        context.Request.Headers.AccessControlRequestHeaders = "authorization,content-type";

        Assert.True(new CorsPolicy(["http://app.example.test"]).TryHandlePreflight(context));

        Assert.Equal(StatusCodes.Status204NoContent, context.Response.StatusCode);
        Assert.Equal("http://app.example.test", context.Response.Headers.AccessControlAllowOrigin.ToString());
        Assert.Equal("POST", context.Response.Headers.AccessControlAllowMethods.ToString());
        Assert.Equal("authorization,content-type", context.Response.Headers.AccessControlAllowHeaders.ToString());
    }

    [Fact]
    public void An_options_request_without_a_requested_method_is_not_a_preflight()
    {
        // CorsService/CorsMiddleware: a preflight is OPTIONS with Origin and Access-Control-Request-Method; any other
        // OPTIONS request goes on to the functions' routes.
        var context = Request("OPTIONS", "http://app.example.test");

        Assert.False(new CorsPolicy(["http://app.example.test"]).TryHandlePreflight(context));
    }

    private static DefaultHttpContext Request(string method, string origin)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Headers.Origin = origin;
        return context;
    }
}
