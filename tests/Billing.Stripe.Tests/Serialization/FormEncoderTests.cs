using Billing.Stripe.Checkout;
using Billing.Stripe.Common;
using Billing.Stripe.InvoiceItems;
using Billing.Stripe.Serialization;
using Billing.Stripe.Subscriptions;

namespace Billing.Stripe.Tests.Serialization;

public sealed class FormEncoderTests
{
    [Fact]
    public void Nested_objects_lists_and_metadata_are_flattened_with_indexes_and_brackets()
    {
        var request = new CheckoutSessionCreateRequest
        {
            Mode = CheckoutSessionModes.Subscription,
            LineItems = [new() { Price = "price_pro", Quantity = 2 }, new() { Price = "price_seats" }],
            Metadata = new Dictionary<string, string> { ["plan"] = "pro", ["tenant_id"] = "t_42" },
            SubscriptionData = new CheckoutSubscriptionData
            {
                TrialPeriodDays = 14,
                TrialSettings = new CheckoutTrialSettings { EndBehavior = new CheckoutTrialEndBehavior { MissingPaymentMethod = "cancel" } },
                Metadata = new Dictionary<string, string> { ["plan"] = "pro" },
            },
        };

        var pairs = FormEncoder.Flatten(request, StripeJsonContext.Default.CheckoutSessionCreateRequest);

        Assert.Equal(
            [
                new("mode", "subscription"),
                new("line_items[0][price]", "price_pro"),
                new("line_items[0][quantity]", "2"),
                new("line_items[1][price]", "price_seats"),
                new("metadata[plan]", "pro"),
                new("metadata[tenant_id]", "t_42"),
                new("subscription_data[trial_period_days]", "14"),
                new("subscription_data[trial_settings][end_behavior][missing_payment_method]", "cancel"),
                new("subscription_data[metadata][plan]", "pro"),
            ],
            pairs);
    }

    [Fact]
    public void Booleans_are_true_and_false_and_unset_values_are_not_sent()
    {
        var pairs = FormEncoder.Flatten(
            new SubscriptionUpdateRequest
            {
                CancelAtPeriodEnd = false,
                Items = [new SubscriptionItemUpdate { Id = "si_1", Deleted = true }],
            },
            StripeJsonContext.Default.SubscriptionUpdateRequest);

        Assert.Equal([new("items[0][id]", "si_1"), new("items[0][deleted]", "true"), new("cancel_at_period_end", "false")], pairs);
    }

    [Fact]
    public void Timestamps_are_unix_seconds_and_numbers_are_invariant()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.FromHours(2));
        var pairs = FormEncoder.Flatten(
            new InvoiceItemCreateRequest
            {
                Customer = "cus_1",
                Amount = -1250,
                Currency = "eur",
                PriceData = new InvoiceItemPriceData { Currency = "eur", Product = "prod_1", UnitAmountDecimal = 0.125m },
                Period = new InvoiceItemPeriodRequest { Start = start, End = start.AddDays(31) },
            },
            StripeJsonContext.Default.InvoiceItemCreateRequest);

        Assert.Contains(new("amount", "-1250"), pairs);
        Assert.Contains(new("price_data[unit_amount_decimal]", "0.125"), pairs);
        // 2026-01-01T00:00+02:00 is 2025-12-31T22:00Z = 1767225600 - 7200; the offset must not leak into the value.
        Assert.Contains(new("period[start]", "1767218400"), pairs);
        Assert.Contains(new("period[end]", "1769896800"), pairs);
    }

    [Fact]
    public void An_explicit_empty_string_is_sent_to_clear_a_field()
    {
        var pairs = FormEncoder.Flatten(
            new SubscriptionUpdateRequest { Metadata = new Dictionary<string, string> { ["old_key"] = string.Empty }, PaymentBehavior = string.Empty },
            StripeJsonContext.Default.SubscriptionUpdateRequest);

        Assert.Equal([new("payment_behavior", string.Empty), new("metadata[old_key]", string.Empty)], pairs);
    }

    [Fact]
    public void The_encoded_string_escapes_keys_and_values_but_keeps_brackets()
    {
        var encoded = FormEncoder.Encode(
            new CheckoutSessionCreateRequest
            {
                Mode = "payment",
                SuccessUrl = "https://app.example/ok?session={CHECKOUT_SESSION_ID}&x=1",
                Metadata = new Dictionary<string, string> { ["tenant name"] = "Ab & Co" },
            },
            StripeJsonContext.Default.CheckoutSessionCreateRequest);

        Assert.Equal(
            "mode=payment&success_url=https%3A%2F%2Fapp.example%2Fok%3Fsession%3D%7BCHECKOUT_SESSION_ID%7D%26x%3D1&metadata[tenant%20name]=Ab%20%26%20Co",
            encoded);
    }

    [Fact]
    public void Date_range_filters_and_expand_lists_are_encoded_for_queries()
    {
        var gte = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        var encoded = FormEncoder.Encode(
            new Billing.Stripe.Invoices.InvoiceListRequest { Customer = "cus_1", Created = new StripeDateRange { Gte = gte }, Limit = 100, Expand = ["data.customer"] },
            StripeJsonContext.Default.InvoiceListRequest);

        Assert.Equal("customer=cus_1&created[gte]=1700000000&limit=100&expand[0]=data.customer", encoded);
    }

    [Fact]
    public void An_empty_request_encodes_to_nothing()
    {
        Assert.Equal(string.Empty, FormEncoder.Encode(new Billing.Stripe.Events.EventListRequest(), StripeJsonContext.Default.EventListRequest));
    }
}
