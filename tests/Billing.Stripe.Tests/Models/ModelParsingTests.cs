using System.Text.Json;
using Billing.Stripe.Checkout;
using Billing.Stripe.Serialization;
using Billing.Stripe.Subscriptions;

namespace Billing.Stripe.Tests.Models;

public sealed class ModelParsingTests
{
    [Fact]
    public void The_current_period_spans_the_items_periods()
    {
        var subscription = Parse<StripeSubscription>("""
            {"id":"sub_1","object":"subscription","items":{"object":"list","has_more":false,"data":[
              {"id":"si_a","current_period_start":1000,"current_period_end":5000},
              {"id":"si_b","current_period_start":800,"current_period_end":4000}]}}
            """);

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(800), subscription.CurrentPeriod?.Start);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(5000), subscription.CurrentPeriod?.End);
    }

    [Fact]
    public void Without_items_there_is_no_current_period()
    {
        Assert.Null(Parse<StripeSubscription>("""{"id":"sub_1","object":"subscription"}""").CurrentPeriod);
        Assert.Null(Parse<StripeSubscription>("""{"id":"sub_1","items":{"data":[{"id":"si_1"}]}}""").CurrentPeriod);
    }

    [Fact]
    public void Expandable_fields_accept_an_id_or_an_object()
    {
        var byId = Parse<StripeCheckoutSession>("""{"id":"cs_1","customer":"cus_1","subscription":null}""");
        var expanded = Parse<StripeCheckoutSession>("""{"id":"cs_1","customer":{"id":"cus_2","object":"customer","email":"a@b.c"}}""");

        Assert.Equal("cus_1", byId.Customer?.Id);
        Assert.False(byId.Customer?.IsExpanded);
        Assert.Null(byId.Subscription);
        Assert.Equal("cus_2", expanded.Customer?.Id);
        Assert.Equal("a@b.c", expanded.Customer?.Expanded?.Email);
    }

    [Fact]
    public void Unknown_fields_and_unknown_enum_values_are_tolerated()
    {
        var subscription = Parse<StripeSubscription>("""{"id":"sub_1","status":"a_status_from_2030","brand_new":{"x":[1]},"cancel_at_period_end":false}""");

        Assert.Equal("a_status_from_2030", subscription.Status);
    }

    [Fact]
    public void A_missing_id_is_rejected()
    {
        Assert.Throws<JsonException>(() => Parse<StripeSubscription>("""{"object":"subscription"}"""));
    }

    private static T Parse<T>(string json) => (T)JsonSerializer.Deserialize(json, typeof(T), StripeJsonContext.Default)!;
}
