using System.Net;
using Billing.Application.Payments;
using Billing.Application.StripeEvents;
using Billing.Infrastructure.StripeApi;
using Billing.Infrastructure.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Billing.Infrastructure.Tests.StripeApi;

public sealed class StripeEventSourceTests
{
    private static readonly DateTimeOffset Since = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    private static readonly DateTimeOffset Until = Since.AddHours(1);

    private readonly StubStripeHandler _stripe = new();

    [Fact]
    public async Task Every_page_of_each_listing_of_at_most_20_types_within_the_window_is_read_each_event_as_the_json_Stripe_sent()
    {
        string[] types = [.. Enumerable.Range(0, 23).Select(i => $"invoice.t{i}")];
        var e5 = Event("evt_5", 500, "invoice.t0", """,  "field_this_build_does_not_know" : {"kept": [1, 2.50]}""");
        _stripe.Respond(HttpStatusCode.OK, Page(hasMore: true, e5, Event("evt_4", 500, "invoice.t1"))); // one second: listed newest first
        _stripe.Respond(HttpStatusCode.OK, Page(hasMore: false, Event("evt_2", 200, "invoice.t2")));
        _stripe.Respond(HttpStatusCode.OK, Page(hasMore: false, Event("evt_3", 300, "invoice.t21", livemode: true), Event("evt_1", 100, "invoice.t22")));

        var listed = Assert.IsAssignableFrom<IReadOnlyList<NewStripeEvent>>(await Source().ListAsync(Since, Until, types, undeliveredOnly: true, maxEvents: 5, CancellationToken.None));

        Assert.Equal(["evt_5", "evt_4", "evt_2", "evt_3", "evt_1"], listed.Select(e => e.Id)); // as listed: the recovery orders them
        var newest = listed[0];
        Assert.Equal(e5, newest.Payload);
        Assert.Equal(Event("evt_4", 500, "invoice.t1"), listed[1].Payload); // each event's own JSON, not the page's first
        Assert.Equal(("invoice.t0", DateTimeOffset.FromUnixTimeSeconds(500), "2026-10-28.endive", false), (newest.Type, newest.Created, newest.ApiVersion, newest.Livemode));
        Assert.Equal([false, false, false, true, false], listed.Select(e => e.Livemode)); // the processor ignores an event of the other mode than the key's
        Assert.All(_stripe.Requests, r => Assert.Equal(("GET", "/v1/events"), (r.Method, r.Path)));
        var queries = _stripe.Requests.Select(r => Query(r.Query)).ToList();
        Assert.Equal(types[..20], queries[0].Where(p => p.Key.StartsWith("types[", StringComparison.Ordinal)).Select(p => p.Value));
        Assert.Equal(types[20..], queries[2].Where(p => p.Key.StartsWith("types[", StringComparison.Ordinal)).Select(p => p.Value));
        Assert.All(queries, q => Assert.Equal(
            ("false", Since.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), Until.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), "100"),
            (q["delivery_success"], q["created[gte]"], q["created[lte]"], q["limit"])));
        Assert.Equal([null, "evt_4", null], queries.Select(q => q.GetValueOrDefault("starting_after")));
    }

    [Fact]
    public async Task A_window_holding_more_events_than_asked_for_is_read_no_further()
    {
        _stripe.Respond(HttpStatusCode.OK, Page(hasMore: true, Event("evt_3", 300, "invoice.paid"), Event("evt_2", 200, "invoice.paid")));

        Assert.Null(await Source().ListAsync(Since, Until, ["invoice.paid"], undeliveredOnly: true, maxEvents: 1, CancellationToken.None));

        Assert.Single(_stripe.Requests);
    }

    [Fact]
    public async Task Delivered_events_too_leave_delivery_success_out()
    {
        _stripe.Respond(HttpStatusCode.OK, Page(hasMore: false));

        Assert.Empty((await Source().ListAsync(Since, Until, ["invoice.paid"], undeliveredOnly: false, maxEvents: 1, CancellationToken.None))!);

        Assert.DoesNotContain("delivery_success", Query(Assert.Single(_stripe.Requests).Query).Keys);
    }

    [Fact]
    public async Task A_failed_listing_is_a_provider_failure_as_for_every_Stripe_call()
    {
        _stripe.Respond(HttpStatusCode.InternalServerError, """{"error":{"type":"api_error","message":"Something went wrong."}}""");

        var failure = await Assert.ThrowsAsync<PaymentProviderException>(() => Source().ListAsync(Since, Until, ["invoice.paid"], undeliveredOnly: true, maxEvents: 1, CancellationToken.None));

        Assert.True(failure.IsTransient);
        Assert.Contains("list the events", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_version_it_reads_is_the_one_Stripe_net_pins_and_the_webhook_endpoint_is_registered_with() =>
        Assert.Equal("2026-10-28.endive", new StripeEventSource(TestStripe.Clients(_stripe), NullLogger<StripeEventSource>.Instance).ReadableApiVersion);

    private StripeEventSource Source() => new(TestStripe.Clients(_stripe, maxNetworkRetries: 0), NullLogger<StripeEventSource>.Instance);

    private static string Event(string id, long created, string type, string extra = "", bool livemode = false) =>
        $$$"""{"id":"{{{id}}}","object":"event","api_version":"2026-10-28.endive","created":{{{created}}},"data":{"object":{"id":"in_{{{id}}}","object":"invoice"}},"livemode":{{{(livemode ? "true" : "false")}}},"pending_webhooks":1,"request":{"id":null,"idempotency_key":null},"type":"{{{type}}}"{{{extra}}}}""";

    private static string Page(bool hasMore, params string[] events) =>
        $$"""{"object":"list","url":"/v1/events","has_more":{{(hasMore ? "true" : "false")}},"data":[{{string.Join(",", events)}}]}""";

    private static Dictionary<string, string> Query(string query) =>
        query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => Uri.UnescapeDataString(pair[0]), pair => Uri.UnescapeDataString(pair[1]), StringComparer.Ordinal);
}
