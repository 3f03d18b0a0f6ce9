using Billing.FunctionApp.Admin;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Billing.FunctionApp.Tests.Admin;

/// <summary>Every answer of the operator views is <c>Cache-Control: no-store</c> (docs/api.md, Operator views), their refusals too.</summary>
public sealed class OperatorViewsCachingTests
{
    [Fact]
    public async Task A_refused_account_listing_is_not_stored()
    {
        var request = Request("?limit=ten");

        var result = await new AdminAccountsFunctions(null!).List(request, CancellationToken.None);

        Assert.Equal(StatusCodes.Status400BadRequest, Assert.IsType<ProblemHttpResult>(result).StatusCode);
        Assert.Equal("no-store", request.HttpContext.Response.Headers.CacheControl.ToString());
    }

    [Fact]
    public async Task A_refused_account_detail_is_not_stored()
    {
        var request = Request("");

        var result = await new AdminAccountsFunctions(null!).Get(request, " padded ", CancellationToken.None);

        Assert.Equal(StatusCodes.Status400BadRequest, Assert.IsType<ProblemHttpResult>(result).StatusCode);
        Assert.Equal("no-store", request.HttpContext.Response.Headers.CacheControl.ToString());
    }

    [Fact]
    public async Task A_refused_invoice_listing_is_not_stored()
    {
        var request = Request("?status=open&status=paid");

        var result = await new AdminInvoicesFunction(null!).Run(request, CancellationToken.None);

        Assert.Equal(StatusCodes.Status400BadRequest, Assert.IsType<ProblemHttpResult>(result).StatusCode);
        Assert.Equal("no-store", request.HttpContext.Response.Headers.CacheControl.ToString());
    }

    private static HttpRequest Request(string query)
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString(query.Length == 0 ? null : query);
        return context.Request;
    }
}
