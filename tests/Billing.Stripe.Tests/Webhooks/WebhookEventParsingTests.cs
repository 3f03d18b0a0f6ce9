using System.Text;
using System.Text.Json;
using Billing.Stripe.Events;
using Billing.Stripe.Tests.Support;
using Billing.Stripe.Webhooks;

namespace Billing.Stripe.Tests.Webhooks;

public sealed class WebhookEventParsingTests
{
    private const string Secret = "whsec_parse";
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_750_000_000);

    private const string SubscriptionUpdated = """
        {
          "id": "evt_1SubUpd",
          "object": "event",
          "api_version": "2026-07-29.dahlia",
          "created": 1749999990,
          "livemode": false,
          "pending_webhooks": 2,
          "request": { "id": "req_abc", "idempotency_key": "subscription:sub_1:update:plan" },
          "type": "customer.subscription.updated",
          "some_future_field": { "nested": [1, 2, 3] },
          "data": {
            "object": {
              "id": "sub_1",
              "object": "subscription",
              "customer": "cus_1",
              "status": "active",
              "cancel_at_period_end": true,
              "metadata": { "tenant_id": "t_1" },
              "items": {
                "object": "list",
                "has_more": false,
                "data": [
                  { "id": "si_1", "object": "subscription_item", "quantity": 3, "current_period_start": 1748736000, "current_period_end": 1751328000,
                    "price": { "id": "price_pro", "object": "price", "active": true, "currency": "eur", "unit_amount": 4900, "lookup_key": "pro_monthly", "product": "prod_1", "recurring": { "interval": "month", "interval_count": 1, "usage_type": "licensed" } } }
                ]
              }
            },
            "previous_attributes": { "cancel_at_period_end": false }
          }
        }
        """;

    [Fact]
    public void A_verified_event_is_parsed_with_envelope_and_typed_object()
    {
        var payload = Encoding.UTF8.GetBytes(SubscriptionUpdated);
        var result = Verifier().VerifyAndParse(payload, StripeSignature.ComputeHeader(Now, payload, Secret));

        Assert.True(result.IsValid, result.Reason);
        var stripeEvent = result.Event;
        Assert.Equal("evt_1SubUpd", stripeEvent.Id);
        Assert.Equal(StripeEventTypes.CustomerSubscriptionUpdated, stripeEvent.Type);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_749_999_990), stripeEvent.Created);
        Assert.False(stripeEvent.Livemode);
        Assert.Equal("2026-07-29.dahlia", stripeEvent.ApiVersion);
        Assert.Equal(2, stripeEvent.PendingWebhooks);
        Assert.Equal("req_abc", stripeEvent.Request?.Id);
        Assert.Equal("subscription:sub_1:update:plan", stripeEvent.Request?.IdempotencyKey);
        Assert.Equal("subscription", stripeEvent.Data.ObjectType);
        Assert.False(stripeEvent.Data.PreviousAttributes!.Value.GetProperty("cancel_at_period_end").GetBoolean());

        var subscription = stripeEvent.Data.ToSubscription();
        Assert.Equal("sub_1", subscription.Id);
        Assert.Equal("cus_1", subscription.Customer?.Id);
        Assert.True(subscription.CancelAtPeriodEnd);
        Assert.Equal("t_1", subscription.Metadata?["tenant_id"]);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_748_736_000), subscription.CurrentPeriod?.Start);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_751_328_000), subscription.CurrentPeriod?.End);
        Assert.Equal("pro_monthly", subscription.Items!.Data[0].Price?.LookupKey);
        Assert.Equal(4900, subscription.Items.Data[0].Price?.UnitAmount);
    }

    [Fact]
    public void A_typed_accessor_for_another_object_type_throws_a_clear_error()
    {
        var stripeEvent = StripeEventParser.Parse(Encoding.UTF8.GetBytes(SubscriptionUpdated));

        var error = Assert.Throws<InvalidOperationException>(() => stripeEvent.Data.ToInvoice());

        Assert.Contains("'subscription'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Request_and_api_version_may_be_null()
    {
        var stripeEvent = StripeEventParser.Parse("""{"id":"evt_2","object":"event","type":"invoice.paid","created":1,"livemode":true,"pending_webhooks":0,"api_version":null,"request":null,"data":{"object":{"id":"in_1","object":"invoice","customer":{"id":"cus_9","object":"customer"},"amount_due":100,"amount_paid":100,"amount_remaining":0,"subtotal":100,"total":100,"parent":{"type":"subscription_details","subscription_details":{"subscription":"sub_9"}}}}}"""u8);

        Assert.Null(stripeEvent.ApiVersion);
        Assert.Null(stripeEvent.Request);
        Assert.Null(stripeEvent.Data.PreviousAttributes);
        var invoice = stripeEvent.Data.ToInvoice();
        Assert.Equal("cus_9", invoice.Customer?.Id);
        Assert.True(invoice.Customer?.IsExpanded);
        Assert.Equal("sub_9", invoice.SubscriptionId);
    }

    [Fact]
    public void A_valid_signature_over_a_non_event_body_is_a_malformed_payload()
    {
        var payload = """{"hello":"world"}"""u8.ToArray();

        var result = Verifier().VerifyAndParse(payload, StripeSignature.ComputeHeader(Now, payload, Secret));

        Assert.False(result.IsValid);
        Assert.Equal(WebhookVerificationFailure.MalformedPayload, result.Failure);
        Assert.Null(result.Event);
    }

    [Fact]
    public void A_bad_signature_is_not_parsed()
    {
        var payload = Encoding.UTF8.GetBytes(SubscriptionUpdated);

        var result = Verifier().VerifyAndParse(payload, StripeSignature.ComputeHeader(Now, payload, "whsec_wrong"));

        Assert.Equal(WebhookVerificationFailure.NoMatchingSignature, result.Failure);
        Assert.Null(result.Event);
    }

    [Fact]
    public void Parse_throws_a_json_exception_for_a_non_event()
    {
        Assert.ThrowsAny<JsonException>(() => StripeEventParser.Parse("[]"u8));
        Assert.False(StripeEventParser.TryParse("{"u8, out _));
    }

    private static StripeWebhookVerifier Verifier()
    {
        var options = new StripeWebhookOptions();
        options.Secrets.Add(Secret);
        return new StripeWebhookVerifier(options, new ManualTimeProvider(Now));
    }
}
