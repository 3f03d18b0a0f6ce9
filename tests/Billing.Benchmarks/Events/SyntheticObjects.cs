namespace Billing.Benchmarks.Events;

/// <summary>Hand-written stand-ins with the shape of Stripe's objects, used when ../shared/stripe (Stripe's own
/// example objects) is absent, so the benchmarks still run on bodies of a realistic size and depth.</summary>
internal static class SyntheticObjects
{
    public const string Subscription = """
        {
          "id": "sub_1SynthBenchSubscription01",
          "object": "subscription",
          "application": null,
          "application_fee_percent": null,
          "automatic_tax": { "disabled_reason": null, "enabled": false, "liability": null },
          "billing_cycle_anchor": 1763700000,
          "billing_cycle_anchor_config": null,
          "billing_mode": { "flexible": null, "type": "classic" },
          "billing_thresholds": null,
          "cancel_at": null,
          "cancel_at_period_end": false,
          "canceled_at": null,
          "cancellation_details": { "comment": null, "feedback": null, "reason": null },
          "collection_method": "charge_automatically",
          "created": 1763700000,
          "currency": "usd",
          "customer": "cus_SynthBenchCustomer1",
          "customer_account": null,
          "days_until_due": null,
          "default_payment_method": "pm_1SynthBenchPaymentMethod",
          "default_source": null,
          "default_tax_rates": [],
          "description": null,
          "discounts": [],
          "ended_at": null,
          "invoice_settings": { "account_tax_ids": null, "issuer": { "type": "self" } },
          "items": {
            "object": "list",
            "data": [
              {
                "id": "si_SynthBenchItem0001",
                "object": "subscription_item",
                "billing_thresholds": null,
                "created": 1763700001,
                "current_period_end": 1766292000,
                "current_period_start": 1763700000,
                "discounts": [],
                "metadata": {},
                "plan": {
                  "id": "price_1SynthBenchProMonthly",
                  "object": "plan",
                  "active": true,
                  "amount": 4900,
                  "amount_decimal": "4900",
                  "billing_scheme": "per_unit",
                  "created": 1760000000,
                  "currency": "usd",
                  "interval": "month",
                  "interval_count": 1,
                  "livemode": false,
                  "metadata": {},
                  "meter": null,
                  "nickname": "Pro monthly",
                  "product": "prod_SynthBenchPro",
                  "tiers_mode": null,
                  "transform_usage": null,
                  "trial_period_days": null,
                  "usage_type": "licensed"
                },
                "price": {
                  "id": "price_1SynthBenchProMonthly",
                  "object": "price",
                  "active": true,
                  "billing_scheme": "per_unit",
                  "created": 1760000000,
                  "currency": "usd",
                  "custom_unit_amount": null,
                  "livemode": false,
                  "lookup_key": "pro_monthly",
                  "metadata": { "plan_code": "PRO" },
                  "nickname": "Pro monthly",
                  "product": "prod_SynthBenchPro",
                  "recurring": { "interval": "month", "interval_count": 1, "meter": null, "trial_period_days": null, "usage_type": "licensed" },
                  "tax_behavior": "exclusive",
                  "tiers_mode": null,
                  "transform_quantity": null,
                  "type": "recurring",
                  "unit_amount": 4900,
                  "unit_amount_decimal": "4900"
                },
                "quantity": 1,
                "subscription": "sub_1SynthBenchSubscription01",
                "tax_rates": []
              },
              {
                "id": "si_SynthBenchItem0002",
                "object": "subscription_item",
                "billing_thresholds": null,
                "created": 1763700001,
                "current_period_end": 1766292000,
                "current_period_start": 1763700000,
                "discounts": [],
                "metadata": {},
                "price": {
                  "id": "price_1SynthBenchAgentRuns",
                  "object": "price",
                  "active": true,
                  "billing_scheme": "per_unit",
                  "created": 1760000000,
                  "currency": "usd",
                  "custom_unit_amount": null,
                  "livemode": false,
                  "lookup_key": "agent_runs_overage",
                  "metadata": { "meter": "agent_runs" },
                  "nickname": "Agent runs overage",
                  "product": "prod_SynthBenchAgentRuns",
                  "recurring": { "interval": "month", "interval_count": 1, "meter": "mtr_SynthBenchAgentRuns", "trial_period_days": null, "usage_type": "metered" },
                  "tax_behavior": "exclusive",
                  "tiers_mode": null,
                  "transform_quantity": null,
                  "type": "recurring",
                  "unit_amount": 2,
                  "unit_amount_decimal": "2"
                },
                "subscription": "sub_1SynthBenchSubscription01",
                "tax_rates": []
              }
            ],
            "has_more": false,
            "total_count": 2,
            "url": "/v1/subscription_items?subscription=sub_1SynthBenchSubscription01"
          },
          "latest_invoice": "in_1SynthBenchInvoice0001",
          "livemode": false,
          "metadata": { "account_id": "acct-synthetic-0001", "plan_code": "PRO" },
          "next_pending_invoice_item_invoice": null,
          "on_behalf_of": null,
          "pause_collection": null,
          "payment_settings": {
            "payment_method_options": { "card": { "network": null, "request_three_d_secure": "automatic" } },
            "payment_method_types": null,
            "save_default_payment_method": "on_subscription"
          },
          "pending_invoice_item_interval": null,
          "pending_setup_intent": null,
          "pending_update": null,
          "schedule": null,
          "start_date": 1763700000,
          "status": "active",
          "test_clock": null,
          "transfer_data": null,
          "trial_end": 1763700000,
          "trial_settings": { "end_behavior": { "missing_payment_method": "create_invoice" } },
          "trial_start": 1762490400
        }
        """;

    /// <summary>A small event envelope of the kind Stripe sends for catalog changes.</summary>
    public const string SmallEvent = """
        {
          "id": "evt_1SynthBenchSmallEvent01",
          "object": "event",
          "api_version": "2026-07-29.dahlia",
          "created": 1763700000,
          "data": {
            "object": {
              "id": "price_1SynthBenchProMonthly",
              "object": "plan",
              "active": true,
              "amount": 4900,
              "amount_decimal": "4900",
              "billing_scheme": "per_unit",
              "created": 1760000000,
              "currency": "usd",
              "interval": "month",
              "interval_count": 1,
              "livemode": false,
              "metadata": {},
              "meter": null,
              "nickname": "Pro monthly",
              "product": "prod_SynthBenchPro",
              "tiers_mode": null,
              "transform_usage": null,
              "trial_period_days": null,
              "usage_type": "licensed"
            }
          },
          "livemode": false,
          "pending_webhooks": 1,
          "request": { "id": null, "idempotency_key": null },
          "type": "plan.created"
        }
        """;
}
