using Billing.StripeEmulator.Api;
using Billing.StripeEmulator.Billing;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.State.Objects;
using Billing.StripeEmulator.Wire;

namespace Billing.StripeEmulator.Checkout;

/// <summary>`POST /v1/checkout/sessions`: validates like Stripe and stores an open session with a local payment page URL.</summary>
internal static class CheckoutSessions
{
    public const long DefaultLifetime = 24 * 3600;

    private static readonly string[] Allowed =
    [
        "mode", "line_items", "customer", "customer_email", "customer_creation", "client_reference_id", "metadata",
        "subscription_data", "success_url", "cancel_url", "return_url", "ui_mode", "allow_promotion_codes", "expires_at",
        "payment_method_types", "locale", "billing_address_collection", "automatic_tax", "customer_update", "tax_id_collection",
        "payment_method_collection", "consent_collection", "invoice_creation", "payment_intent_data", "submit_type",
        "phone_number_collection", "saved_payment_method_options", "discounts", "currency",
        "allowed_payment_method_types", "excluded_payment_method_types", "redirect_on_completion", "name_collection",
        "payment_method_configuration", "integration_identifier",
    ];

    /// <summary>Payment method types Checkout takes (the emulator's page always pays by card).</summary>
    private static readonly string[] PaymentMethodTypes =
    [
        "acss_debit", "affirm", "afterpay_clearpay", "alipay", "amazon_pay", "au_becs_debit", "bacs_debit", "bancontact",
        "blik", "boleto", "card", "cashapp", "customer_balance", "eps", "fpx", "giropay", "grabpay", "ideal", "klarna",
        "konbini", "link", "mobilepay", "multibanco", "oxxo", "p24", "paypal", "pix", "revolut_pay", "sepa_debit",
        "sofort", "swish", "twint", "us_bank_account", "wechat_pay", "zip",
    ];

    /// <summary>
    /// Taken by Stripe, not modelled by the emulator (its page collects a card and an email only, adds no tax, discount
    /// or invoice, and there is no Connect): refused rather than ignored. `currency` is taken when it is the prices' own.
    /// </summary>
    private static readonly string[] NotModelledParams =
    [
        "locale", "billing_address_collection", "customer_update", "tax_id_collection", "consent_collection", "submit_type",
        "phone_number_collection", "saved_payment_method_options", "discounts", "name_collection", "payment_method_configuration",
        "integration_identifier",
    ];

    private static readonly string[] PaymentIntentDataAllowed =
    [
        "metadata", "description", "capture_method", "receipt_email", "setup_future_usage", "statement_descriptor",
        "statement_descriptor_suffix", "shipping", "on_behalf_of", "transfer_data", "transfer_group", "application_fee_amount",
    ];

    private static readonly string[] SubscriptionDataAllowed =
    [
        "trial_period_days", "trial_end", "metadata", "description", "trial_settings", "billing_mode", "proration_behavior",
        "billing_cycle_anchor", "default_tax_rates", "invoice_settings", "application_fee_percent", "on_behalf_of", "transfer_data",
    ];

    public static CheckoutSessionRecord Create(Mutation m, StripeParams p)
    {
        p.AllowOnly(Allowed).NotModelled(NotModelledParams).NotModelledUnless("payment_method_collection", "always");
        p.Child("automatic_tax")?.AllowOnly("enabled", "liability").NotModelled("liability").NotModelledUnless("enabled", "false");
        p.Child("invoice_creation")?.AllowOnly("enabled", "invoice_data").NotModelled("invoice_data").NotModelledUnless("enabled", "false");
        var mode = p.NonEmptyString("mode") ?? throw StripeApiException.ParameterMissing("mode");
        if (mode == "setup")
        {
            throw StripeApiException.ParameterInvalid("mode", "The emulator supports mode=payment and mode=subscription only.");
        }

        p.OneOf("mode", "payment", "subscription");
        var uiMode = p.OneOf("ui_mode", "hosted_page", "embedded_page", "elements") ?? "hosted_page";
        if (uiMode != "hosted_page")
        {
            foreach (var urlParam in new[] { "success_url", "cancel_url" })
            {
                if (p.Has(urlParam))
                {
                    throw StripeApiException.ParameterInvalid(urlParam, $"`{urlParam}` is not allowed when `ui_mode` is `{uiMode}`.");
                }
            }
        }

        var successUrl = p.Url("success_url");
        var cancelUrl = p.Url("cancel_url");
        var returnUrl = p.Url("return_url");
        var lines = LineItems(m.State, p, mode);
        var currency = m.State.Prices[lines[0].PriceId].Currency;
        if (PricesApi.Currency(p, "currency") is { } requested && requested != currency)
        {
            // Stripe presents a price's other currency_options in that currency; the emulator's prices have one currency.
            throw StripeApiException.NotModelledValue("currency", requested, [currency]);
        }

        var customerId = p.NonEmptyString("customer");
        var customerEmail = p.NonEmptyString("customer_email");
        if (customerId is not null && customerEmail is not null)
        {
            throw StripeApiException.InvalidRequest("You may only specify one of these parameters: customer, customer_email.", "customer_email");
        }

        if (customerId is not null)
        {
            Lookup.Customer(m.State, customerId, "customer");
        }

        var clientReferenceId = p.NonEmptyString("client_reference_id");
        if (clientReferenceId is { Length: > 200 })
        {
            throw StripeApiException.ParameterInvalid("client_reference_id", "client_reference_id can be at most 200 characters.");
        }

        var customerCreation = p.OneOf("customer_creation", "always", "if_required");
        if (customerCreation is not null && mode == "subscription")
        {
            throw StripeApiException.ParameterInvalid("customer_creation", "`customer_creation` can only be used in `payment` mode.");
        }

        var expiresAt = p.Long("expires_at") ?? m.Now + DefaultLifetime;
        if (expiresAt < m.Now + 1800 || expiresAt > m.Now + DefaultLifetime)
        {
            throw StripeApiException.ParameterInvalid("expires_at", "The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.", "parameter_invalid_integer");
        }

        var allowedTypes = PaymentMethodTypeList(p, "allowed_payment_method_types");
        var legacyTypes = PaymentMethodTypeList(p, "payment_method_types");
        if (allowedTypes is not null && legacyTypes is not null)
        {
            throw StripeApiException.InvalidRequest("You may only specify one of these parameters: allowed_payment_method_types, payment_method_types.", "payment_method_types");
        }

        var typesParam = allowedTypes is not null ? "allowed_payment_method_types" : "payment_method_types";
        allowedTypes ??= legacyTypes;
        var excludedTypes = PaymentMethodTypeList(p, "excluded_payment_method_types");
        if (allowedTypes is not null && excludedTypes is not null)
        {
            throw StripeApiException.InvalidRequest("You may only specify one of these parameters: allowed_payment_method_types, excluded_payment_method_types.", "excluded_payment_method_types");
        }

        // The emulator's page pays by card (its delayed payment standing for a bank debit): a session the customer could
        // not pay by card on Stripe is not modelled, and would otherwise complete with a card charge Stripe never makes.
        if (allowedTypes is not null && !allowedTypes.Contains("card", StringComparer.Ordinal))
        {
            throw StripeApiException.NotModelledValue(typesParam, string.Join(", ", allowedTypes), ["a list with card"]);
        }

        if (excludedTypes is not null && excludedTypes.Contains("card", StringComparer.Ordinal))
        {
            throw StripeApiException.NotModelledValue("excluded_payment_method_types", string.Join(", ", excludedTypes), ["a list without card"]);
        }

        var paymentIntentData = p.Child("payment_intent_data")?.AllowOnly(PaymentIntentDataAllowed)
            .NotModelled("receipt_email", "setup_future_usage", "statement_descriptor", "statement_descriptor_suffix", "shipping", "on_behalf_of", "transfer_data", "transfer_group", "application_fee_amount")
            .NotModelledUnless("capture_method", "automatic", "automatic_async");
        if (paymentIntentData is not null && mode != "payment")
        {
            throw StripeApiException.ParameterInvalid("payment_intent_data", "You can only pass `payment_intent_data` in `payment` mode.");
        }

        var redirectOnCompletion = p.OneOf("redirect_on_completion", "always", "if_required", "never");
        if (redirectOnCompletion is not null && uiMode == "hosted_page")
        {
            throw StripeApiException.ParameterInvalid("redirect_on_completion", "`redirect_on_completion` can only be used with `ui_mode` `embedded_page` or `elements`.");
        }

        var subscriptionData = p.Child("subscription_data");
        if (subscriptionData is not null && mode != "subscription")
        {
            throw StripeApiException.ParameterInvalid("subscription_data", "You can only pass `subscription_data` in `subscription` mode.");
        }

        subscriptionData?.AllowOnly(SubscriptionDataAllowed)
            .NotModelled("trial_settings", "default_tax_rates", "invoice_settings", "application_fee_percent", "on_behalf_of", "transfer_data");
        subscriptionData?.Child("billing_mode")?.AllowOnly("type", "flexible").NotModelled("flexible").NotModelledUnless("type", "classic");

        // Without a billing_cycle_anchor (refused below) there is nothing to prorate, as on Stripe: only checked.
        subscriptionData?.OneOf("proration_behavior", "create_prorations", "none");
        if (subscriptionData?.Has("billing_cycle_anchor") == true)
        {
            // Not modelled (Stripe's first period would end at the anchor, prorated): refused rather than billed a whole
            // interval from payment with other dates than Stripe's.
            throw StripeApiException.ParameterInvalid("subscription_data[billing_cycle_anchor]", "The emulator does not model subscription_data[billing_cycle_anchor]; create the subscription without it and set billing_cycle_anchor=now on it later.");
        }

        var trialDays = subscriptionData?.Long("trial_period_days");
        if (trialDays is < 1 or > 730)
        {
            throw StripeApiException.ParameterInvalid("subscription_data[trial_period_days]", "trial_period_days must be between 1 and 730.", "parameter_invalid_integer");
        }

        var trialEnd = subscriptionData?.Long("trial_end");
        if (trialEnd is not null)
        {
            if (trialDays is not null)
            {
                throw StripeApiException.InvalidRequest("You may only specify one of these parameters: subscription_data[trial_end], subscription_data[trial_period_days].", "subscription_data[trial_end]");
            }

            if (trialEnd < m.Now + 2 * 86400)
            {
                throw StripeApiException.ParameterInvalid("subscription_data[trial_end]", "subscription_data[trial_end] must be at least 48 hours in the future.", "parameter_invalid_integer");
            }

            trialDays = (trialEnd.Value - m.Now + 86399) / 86400;
        }

        var id = IdGenerator.CheckoutSession();
        var session = new CheckoutSessionRecord
        {
            Id = id,
            Created = m.Now,
            Mode = mode,
            LineItems = lines,
            Currency = currency,
            CustomerId = customerId,
            CustomerEmail = customerEmail,
            CustomerCreation = mode == "payment" ? customerCreation ?? "if_required" : null,
            ClientReferenceId = clientReferenceId,
            SuccessUrl = successUrl,
            CancelUrl = cancelUrl,
            UiMode = uiMode,
            AllowPromotionCodes = p.Bool("allow_promotion_codes"),
            ExpiresAt = expiresAt,
            TrialPeriodDays = trialDays,
            TrialEnd = trialEnd,
            SubscriptionDescription = subscriptionData?.NonEmptyString("description"),
            AllowedPaymentMethodTypes = allowedTypes,
            ExcludedPaymentMethodTypes = excludedTypes,
            PaymentIntentDescription = paymentIntentData?.NonEmptyString("description"),
            RedirectOnCompletion = uiMode == "hosted_page" ? null : redirectOnCompletion ?? "always",
            ReturnUrl = returnUrl,
            Url = uiMode == "hosted_page" ? $"{m.State.PublicBaseUrl}/checkout/{id}" : null,
        };
        p.Metadata()?.ApplyTo(session.Metadata);
        subscriptionData?.Metadata()?.ApplyTo(session.SubscriptionMetadata);
        paymentIntentData?.Metadata()?.ApplyTo(session.PaymentIntentMetadata);
        return m.State.Add(m.State.CheckoutSessions, session);
    }

    /// <summary>`allowed_payment_method_types[]=card` and the like: known types, no repeats; null when absent.</summary>
    private static List<string>? PaymentMethodTypeList(StripeParams p, string name)
    {
        if (!p.Has(name))
        {
            return null;
        }

        var types = p.Strings(name);
        foreach (var type in types)
        {
            if (!PaymentMethodTypes.Contains(type, StringComparer.Ordinal))
            {
                throw StripeApiException.ParameterInvalid(name, $"Invalid {name}[]: must be one of {string.Join(", ", PaymentMethodTypes)}");
            }
        }

        if (types.Count == 0)
        {
            throw StripeApiException.ParameterInvalid(name, $"Invalid array: {name} must not be empty.", "parameter_invalid_empty");
        }

        return [.. types.Distinct(StringComparer.Ordinal)];
    }

    private static List<CheckoutLineItem> LineItems(EmulatorState state, StripeParams p, string mode)
    {
        var lines = new List<CheckoutLineItem>();
        foreach (var item in p.List("line_items"))
        {
            item.AllowOnly("price", "quantity", "adjustable_quantity", "dynamic_tax_rates", "tax_rates", "price_data")
                .NotModelled("adjustable_quantity", "dynamic_tax_rates", "tax_rates");
            if (item.Has("price_data"))
            {
                throw StripeApiException.ParameterInvalid(item.ParamName("price_data"), "The emulator needs existing prices: pass `price` (create one with POST /v1/prices).");
            }

            var priceId = item.RequireString("price");
            var price = Lookup.Price(state, priceId, item.ParamName("price"));
            if (!price.Active)
            {
                throw StripeApiException.InvalidRequest($"The price `{price.Id}` is not active.", item.ParamName("price"));
            }

            // A price stays active when its product is archived, and Stripe refuses it then too (stripe/stripe-node#2131,
            // stripe/stripe-go#1031: "The product ... is marked as inactive, and thus no new subscriptions can be created").
            if (state.Products.TryGetValue(price.ProductId, out var product) && !product.Active)
            {
                throw StripeApiException.InvalidRequest($"The product `{product.Id}` of price `{price.Id}` is not active, and thus cannot be sold.", item.ParamName("price"));
            }

            var quantity = item.NonNegativeLong("quantity") ?? 1;
            if (quantity < 1)
            {
                throw StripeApiException.ParameterInvalid(item.ParamName("quantity"), "Quantity must be at least 1.", "parameter_invalid_integer");
            }

            lines.Add(new CheckoutLineItem { Id = IdGenerator.New("li"), PriceId = price.Id, Quantity = quantity });
        }

        if (lines.Count == 0)
        {
            throw StripeApiException.ParameterMissing("line_items");
        }

        var prices = lines.Select(l => state.Prices[l.PriceId]).ToList();
        if (prices.Select(pr => pr.Currency).Distinct(StringComparer.Ordinal).Count() > 1)
        {
            throw StripeApiException.InvalidRequest("All prices in a Checkout Session must have the same currency.", "line_items");
        }

        if (mode == "payment" && prices.Any(pr => pr.IsRecurring))
        {
            throw StripeApiException.InvalidRequest("You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.", "line_items");
        }

        if (mode == "subscription")
        {
            if (!prices.Any(pr => pr.IsRecurring))
            {
                throw StripeApiException.InvalidRequest("You must provide at least one recurring price in `subscription` mode when using prices.", "line_items");
            }

            if (prices.Any(pr => !pr.IsRecurring))
            {
                throw StripeApiException.InvalidRequest("The emulator does not support one-time prices in `subscription` mode.", "line_items");
            }

            if (prices.Select(pr => (pr.Interval, pr.IntervalCount)).Distinct().Count() > 1)
            {
                throw StripeApiException.InvalidRequest("All recurring prices in a Checkout Session must have the same billing interval.", "line_items");
            }

            if (prices.Select(pr => pr.Id).Distinct(StringComparer.Ordinal).Count() != prices.Count)
            {
                throw StripeApiException.InvalidRequest("A price can appear only once in `line_items` in `subscription` mode.", "line_items");
            }
        }

        return lines;
    }
}
