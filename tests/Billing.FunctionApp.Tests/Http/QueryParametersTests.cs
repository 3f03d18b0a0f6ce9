using Billing.FunctionApp.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Billing.FunctionApp.Tests.Http;

/// <summary>The one reader of query parameters: a repeated parameter is refused, never joined nor cut to its first value.</summary>
public sealed class QueryParametersTests
{
    [Fact]
    public void A_repeated_parameter_is_refused_not_joined_with_a_comma()
    {
        var query = Query("?accountId=rp-7001&accountId=x&limit=5");

        Assert.Null(query.Text("accountId"));
        Assert.Equal(5, query.WholeNumber("limit", "rule"));
        var errors = Errors(query);
        Assert.Equal(["accountId"], errors.Keys);
        Assert.Equal("Give accountId once (it was given 2 times).", Assert.Single(errors["accountId"]));
    }

    [Theory]
    [InlineData("", null)]
    [InlineData("?period=", null)]
    [InlineData("?period=2026-11", "2026-11")]
    [InlineData("?period=a%2Cb", "a,b")]
    public void A_parameter_given_once_reads_as_sent_and_empty_is_absent(string queryString, string? expected)
    {
        var query = Query(queryString);

        Assert.Equal(expected, query.Text("period"));
        Assert.Null(query.Problem);
    }

    [Theory]
    [InlineData("?max=abc")]
    [InlineData("?max=+5")]
    [InlineData("?max=1e2")]
    [InlineData("?max=0")]
    [InlineData("?max=33")]
    [InlineData("?max=99999999999")]
    [InlineData("?max=1&max=2")]
    public void A_whole_number_outside_its_rule_is_refused_with_the_rule(string queryString)
    {
        var query = Query(queryString);

        Assert.Null(query.WholeNumber("max", "Must be a whole number from 1 to 32.", 1, 32));
        Assert.True(Errors(query).ContainsKey("max"));
    }

    [Fact]
    public void Every_bad_parameter_is_named_in_one_problem()
    {
        var query = Query("?limit=x&cursor=a&cursor=b");
        _ = query.WholeNumber("limit", "Must be a whole number.");
        _ = query.Text("cursor");
        query.Refuse("queue", "Must be one of a, b.");

        Assert.Equal(["cursor", "limit", "queue"], Errors(query).Keys.Order(StringComparer.Ordinal));
    }

    private static QueryParameters Query(string queryString)
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString(queryString.Length == 0 ? null : queryString);
        return new QueryParameters(context.Request);
    }

    private static IDictionary<string, string[]> Errors(QueryParameters query)
    {
        var problem = Assert.IsType<ProblemHttpResult>(query.Problem);
        Assert.Equal(StatusCodes.Status400BadRequest, problem.StatusCode);
        return Assert.IsType<HttpValidationProblemDetails>(problem.ProblemDetails).Errors;
    }
}
