using System.Text.Json.Nodes;
using Billing.Stripe.Tests.Support;

namespace Billing.Stripe.Tests.Contract;

/// <summary>The contract checker itself must catch what it is meant to catch.</summary>
public sealed class SpecParameterValidatorTests
{
    [RequiresStripeSpecFact]
    public void An_unknown_parameter_is_reported()
    {
        var errors = Check(HttpMethod.Post, "/v1/customers", ("email", "a@b.c"), ("favourite_colour", "blue"), ("metadata[k]", "v"));

        Assert.Equal(["favourite_colour: no such parameter in the spec"], errors);
    }

    [RequiresStripeSpecFact]
    public void A_nested_unknown_parameter_is_reported()
    {
        var errors = Check(HttpMethod.Post, "/v1/checkout/sessions", ("mode", "payment"), ("line_items[0][price]", "p"), ("line_items[0][colour]", "red"));

        Assert.Contains("line_items[0][colour]: no such parameter in the spec", errors);
    }

    [RequiresStripeSpecFact]
    public void Wrong_types_bad_enum_values_and_unindexed_lists_are_reported()
    {
        Assert.NotEmpty(Check(HttpMethod.Post, "/v1/checkout/sessions", ("mode", "payment"), ("allow_promotion_codes", "yes")));
        Assert.NotEmpty(Check(HttpMethod.Post, "/v1/checkout/sessions", ("mode", "rental")));
        Assert.NotEmpty(Check(HttpMethod.Post, "/v1/checkout/sessions", ("mode", "payment"), ("subscription_data[trial_period_days]", "fourteen")));
        Assert.NotEmpty(Check(HttpMethod.Post, "/v1/checkout/sessions", ("mode", "payment"), ("line_items[first][price]", "p")));
        Assert.NotEmpty(Check(HttpMethod.Post, "/v1/checkout/sessions", ("mode", "payment"), ("ui_mode", "embedded")));
    }

    [RequiresStripeSpecFact]
    public void Missing_required_parameters_are_reported_at_every_level()
    {
        Assert.Contains("event_name: required by the spec but not sent", Check(HttpMethod.Post, "/v1/billing/meter_events", ("payload[value]", "1")));
        Assert.Contains(
            "subscription_data[trial_settings][end_behavior][missing_payment_method]: required by the spec but not sent",
            Check(HttpMethod.Post, "/v1/checkout/sessions", ("mode", "subscription"), ("subscription_data[trial_settings][end_behavior][x]", "cancel")));
    }

    [RequiresStripeSpecFact]
    public void The_2026_deltas_are_applied()
    {
        Assert.Empty(Check(HttpMethod.Post, "/v1/invoiceitems", ("customer", "cus_1"), ("pricing[price]", "price_1")));
        Assert.Contains("price: no such parameter in the spec", Check(HttpMethod.Post, "/v1/invoiceitems", ("customer", "cus_1"), ("price", "price_1")));
        Assert.Empty(Check(HttpMethod.Post, "/v1/billing_portal/sessions", ("return_url", "https://x")));
        Assert.Empty(Check(HttpMethod.Post, "/v1/checkout/sessions", ("mode", "payment"), ("ui_mode", "embedded_page"), ("return_url", "https://x")));
    }

    [RequiresStripeSpecFact]
    public void Query_parameters_of_a_get_are_checked_against_the_operations_parameters()
    {
        Assert.Empty(Check(HttpMethod.Get, "/v1/invoices", ("customer", "cus_1"), ("created[gte]", "1"), ("expand[0]", "data.customer")));
        Assert.Contains("email: no such parameter in the spec", Check(HttpMethod.Get, "/v1/invoices", ("email", "a@b.c")));
        Assert.Contains("query: required by the spec but not sent", Check(HttpMethod.Get, "/v1/customers/search", ("limit", "10")));
    }

    [RequiresStripeSpecFact]
    public void Literal_paths_win_over_templates()
    {
        Assert.Equal("/v1/customers/search", StripeSpec.Current.FindOperation(HttpMethod.Get, "/v1/customers/search")?.Template);
        Assert.Equal("/v1/customers/{customer}", StripeSpec.Current.FindOperation(HttpMethod.Get, "/v1/customers/cus_1")?.Template);
        Assert.Null(StripeSpec.Current.FindOperation(HttpMethod.Get, "/v1/nothing_here"));
    }

    private static List<string> Check(HttpMethod method, string path, params (string Key, string Value)[] parameters)
    {
        var operation = StripeSpec.Current.FindOperation(method, path) ?? throw new InvalidOperationException(path);
        JsonObject schema = StripeSpec.ParameterSchema(method, operation.Operation);
        return new SpecParameterValidator(StripeSpec.Current).Validate(parameters.Select(p => KeyValuePair.Create(p.Key, p.Value)), schema);
    }
}
