using System.Net;
using Billing.Stripe.Customers;
using Billing.Stripe.Invoices;
using Billing.Stripe.Tests.Support;

namespace Billing.Stripe.Tests.Paging;

public sealed class AutoPagingTests
{
    [Fact]
    public async Task List_auto_paging_follows_starting_after_until_has_more_is_false()
    {
        var handler = new StubHttpMessageHandler()
            .Respond(HttpStatusCode.OK, Page(true, "in_1", "in_2"))
            .Respond(HttpStatusCode.OK, Page(true, "in_3"))
            .Respond(HttpStatusCode.OK, Page(false, "in_4"));

        var ids = await TestStripe.Client(handler).Invoices
            .ListAutoPagingAsync(new InvoiceListRequest { Customer = "cus_1", Limit = 2 })
            .Select(i => i.Id)
            .ToListAsync();

        Assert.Equal(["in_1", "in_2", "in_3", "in_4"], ids);
        Assert.Equal(3, handler.Requests.Count);
        Assert.Equal("?customer=cus_1&limit=2", handler.Requests[0].Uri.Query);
        Assert.Equal("?customer=cus_1&limit=2&starting_after=in_2", handler.Requests[1].Uri.Query);
        Assert.Equal("?customer=cus_1&limit=2&starting_after=in_3", handler.Requests[2].Uri.Query);
    }

    [Fact]
    public async Task List_auto_paging_starts_after_the_callers_cursor_and_stops_on_an_empty_page()
    {
        var handler = new StubHttpMessageHandler()
            .Respond(HttpStatusCode.OK, Page(true, "in_8"))
            .Respond(HttpStatusCode.OK, Page(true));

        var ids = await TestStripe.Client(handler).Invoices
            .ListAutoPagingAsync(new InvoiceListRequest { StartingAfter = "in_7" })
            .Select(i => i.Id)
            .ToListAsync();

        Assert.Equal(["in_8"], ids);
        Assert.Equal("?starting_after=in_7", handler.Requests[0].Uri.Query);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task List_auto_paging_is_lazy_and_honours_cancellation()
    {
        var handler = new StubHttpMessageHandler()
            .Respond(HttpStatusCode.OK, Page(true, "in_1", "in_2"))
            .Respond(HttpStatusCode.OK, Page(false, "in_3"));
        using var cts = new CancellationTokenSource();

        var seen = new List<string>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var invoice in TestStripe.Client(handler).Invoices.ListAutoPagingAsync(cancellationToken: cts.Token))
            {
                seen.Add(invoice.Id);
                await cts.CancelAsync();
            }
        });

        Assert.Equal(["in_1", "in_2"], seen);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task Search_auto_paging_follows_next_page()
    {
        var handler = new StubHttpMessageHandler()
            .Respond(HttpStatusCode.OK, SearchPage("page_2", "cus_1"))
            .Respond(HttpStatusCode.OK, SearchPage(null, "cus_2"));

        var ids = await TestStripe.Client(handler).Customers
            .SearchAutoPagingAsync(new CustomerSearchRequest { Query = "metadata['tenant_id']:'t_1'" })
            .Select(c => c.Id)
            .ToListAsync();

        Assert.Equal(["cus_1", "cus_2"], ids);
        Assert.Equal("metadata['tenant_id']:'t_1'", TestStripe.ParseForm(handler.Requests[0].Uri.Query).Single().Value);
        Assert.Equal(
            [new("query", "metadata['tenant_id']:'t_1'"), new("page", "page_2")],
            TestStripe.ParseForm(handler.Requests[1].Uri.Query));
    }

    private static string Page(bool hasMore, params string[] ids) =>
        $$"""{"object":"list","url":"/v1/invoices","has_more":{{(hasMore ? "true" : "false")}},"data":[{{string.Join(",", ids.Select(id => $$"""{"id":"{{id}}","object":"invoice","amount_due":0}"""))}}]}""";

    private static string SearchPage(string? nextPage, params string[] ids) =>
        $$"""{"object":"search_result","url":"/v1/customers/search","has_more":{{(nextPage is null ? "false" : "true")}},"next_page":{{(nextPage is null ? "null" : $"\"{nextPage}\"")}},"data":[{{string.Join(",", ids.Select(id => $$"""{"id":"{{id}}","object":"customer"}"""))}}]}""";
}
