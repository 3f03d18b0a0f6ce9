using Billing.FunctionsHost.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.FunctionsHost.Tests.Unit;

public sealed class HttpRouteTableTests
{
    private static readonly IInlineConstraintResolver Constraints =
        new ServiceCollection().AddRouting().BuildServiceProvider().GetRequiredService<IInlineConstraintResolver>();

    private static readonly HttpRouteTable Table = HttpRouteTable.Build(
        [
            FunctionFactory.Http("GetItem", "items/{id:int}", "get"),
            FunctionFactory.Http("NewItem", "items/new", "get"),
            FunctionFactory.Http("UpdateItem", "items/{id:int}", "put", "patch"),
            FunctionFactory.Http("Search", "search/{term?}"),
            FunctionFactory.Http("Health", null, "get"),
        ],
        "api",
        Constraints);

    [Fact]
    public void A_parameter_route_that_does_not_match_leaves_the_path_to_the_next_function()
    {
        Assert.Equal("NewItem", Table.Match("GET", "/api/items/new").Route?.Function.Name);
    }

    [Fact]
    public void Routes_are_tried_in_function_name_order_and_the_first_that_matches_serves_the_request()
    {
        // As the real host: FunctionMetadataManager sorts the functions by name (case-insensitive) and
        // WebScriptHostHttpRoutesManager maps their routes in that order into one RouteCollection, which takes the first match.
        var table = HttpRouteTable.Build(
            [
                FunctionFactory.Http("zNewOrder", "orders/new", "get"),
                FunctionFactory.Http("GetOrder", "orders/{id}", "get"),
                FunctionFactory.Http("alpha", "tags/{*rest}", "get"),
                FunctionFactory.Http("Beta", "tags/popular", "get"),
            ],
            "api",
            Constraints);

        Assert.Equal("GetOrder", table.Match("GET", "/api/orders/new").Route?.Function.Name);
        Assert.Equal("alpha", table.Match("GET", "/api/tags/popular").Route?.Function.Name);
    }

    [Fact]
    public void Route_values_are_extracted_and_constraints_apply()
    {
        var match = Table.Match("GET", "/api/items/12");

        Assert.Equal("GetItem", match.Route?.Function.Name);
        Assert.Equal("12", match.Values!["id"]);
        Assert.Null(Table.Match("GET", "/api/items/abc").Route);
        Assert.Empty(Table.Match("GET", "/api/items/abc").AllowedMethods);
    }

    [Theory]
    [InlineData("/api/search/x%41", "x%41")]
    [InlineData("/api/search/100%25", "100%25")]
    [InlineData("/api/search/a%2Fb", "a%2Fb")] // Kestrel keeps an encoded '/' encoded
    public void Route_values_are_taken_from_the_decoded_path_as_it_is(string path, string term)
    {
        Assert.Equal(term, Table.Match("GET", path).Values!["term"]);
    }

    [Fact]
    public void A_path_matched_only_by_other_methods_reports_them()
    {
        var match = Table.Match("DELETE", "/api/items/3");

        Assert.Null(match.Route);
        Assert.Equal(["GET", "PUT", "PATCH"], match.AllowedMethods.OrderBy(m => m == "GET" ? 0 : m == "PUT" ? 1 : 2));
    }

    [Fact]
    public void No_methods_means_all_methods_and_optional_parameters_may_be_missing()
    {
        Assert.Equal("Search", Table.Match("DELETE", "/api/search").Route?.Function.Name);
        Assert.Equal("x", Table.Match("POST", "/API/Search/x").Values!["term"]);
    }

    [Fact]
    public void A_default_value_fills_a_missing_parameter_and_an_optional_constrained_parameter_may_be_missing()
    {
        // ASP.NET Core route templates, as the real host's Route parses them: {n=1} takes its default, {page:int?} may be
        // left out (its constraint applies only to a value that is there).
        var table = HttpRouteTable.Build(
            [
                FunctionFactory.Http("Pages", "pages/{n=1}", "get"),
                FunctionFactory.Http("List", "list/{page:int?}", "get"),
            ],
            "api",
            Constraints);

        Assert.Equal("1", table.Match("GET", "/api/pages").Values!["n"]);
        Assert.Equal("List", table.Match("GET", "/api/list").Route?.Function.Name);
        Assert.Equal("2", table.Match("GET", "/api/list/2").Values!["page"]);
        Assert.Null(table.Match("GET", "/api/list/two").Route);
    }

    [Fact]
    public void The_function_name_is_the_route_when_none_is_given()
    {
        Assert.Equal("Health", Table.Match("GET", "/api/health").Route?.Function.Name);
        Assert.Null(Table.Match("GET", "/health").Route);
    }

    [Fact]
    public void An_empty_route_prefix_serves_routes_at_the_root()
    {
        var table = HttpRouteTable.Build([FunctionFactory.Http("Ping", "ping")], string.Empty, Constraints);

        Assert.Equal("Ping", table.Match("GET", "/ping").Route?.Function.Name);
    }
}
