using System.Text.Json.Nodes;
using Billing.Stripe.BillingPortal;
using Billing.Stripe.Checkout;
using Billing.Stripe.Common;
using Billing.Stripe.Customers;
using Billing.Stripe.Events;
using Billing.Stripe.InvoiceItems;
using Billing.Stripe.Invoices;
using Billing.Stripe.Meters;
using Billing.Stripe.Prices;
using Billing.Stripe.Subscriptions;
using Billing.Stripe.Tests.Support;

namespace Billing.Stripe.Tests.Contract;

/// <summary>Every request the client can build, each from a representative request object with every property set.</summary>
internal static class RequestCases
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_767_225_600);
    private static readonly Dictionary<string, string> Metadata = new() { ["tenant_id"] = "t_42", ["plan"] = "pro" };
    private static readonly StripeDateRange Range = new() { Gt = T0, Gte = T0, Lt = T0.AddDays(30), Lte = T0.AddDays(30) };

    public static readonly CustomerCreateRequest CustomerCreate = new()
    {
        Email = "ada@example.com",
        Name = "Ada Lovelace",
        Description = "Tenant t_42",
        Phone = "+44 20 7946 0000",
        Metadata = Metadata,
        TestClock = "clock_1",
        Expand = ["test_clock"],
    };

    public static readonly CustomerSearchRequest CustomerSearch = new() { Query = "metadata['tenant_id']:'t_42'", Limit = 100, Page = "page_2", Expand = ["data.test_clock"] };

    public static readonly RetrieveRequest Retrieve = RetrieveRequest.Expanding("customer", "latest_invoice");

    public static readonly CheckoutSessionCreateRequest CheckoutSubscription = new()
    {
        Mode = CheckoutSessionModes.Subscription,
        LineItems = [new() { Price = "price_pro_monthly", Quantity = 1 }, new() { Price = "price_seat", Quantity = 5 }],
        Customer = "cus_1",
        CustomerEmail = "ada@example.com",
        ClientReferenceId = "t_42",
        SuccessUrl = "https://app.example/billing/success?session={CHECKOUT_SESSION_ID}",
        CancelUrl = "https://app.example/billing",
        ReturnUrl = "https://app.example/billing/return",
        UiMode = CheckoutUiModes.HostedPage,
        Metadata = Metadata,
        SubscriptionData = new CheckoutSubscriptionData
        {
            TrialPeriodDays = 14,
            TrialSettings = new CheckoutTrialSettings { EndBehavior = new CheckoutTrialEndBehavior { MissingPaymentMethod = "cancel" } },
            Metadata = Metadata,
            Description = "Pro plan",
            ProrationBehavior = ProrationBehaviors.CreateProrations,
            BillingMode = new CheckoutBillingMode { Type = "flexible" },
        },
        PaymentIntentData = new CheckoutPaymentIntentData { Description = "Top-up", Metadata = Metadata, SetupFutureUsage = "off_session" },
        AllowPromotionCodes = true,
        PaymentMethodCollection = "if_required",
        ExpiresAt = T0.AddHours(2),
        Locale = "auto",
        Expand = ["line_items"],
    };

    public static readonly CheckoutSessionCreateRequest CheckoutPayment = new()
    {
        Mode = CheckoutSessionModes.Payment,
        LineItems = [new() { Price = "price_credits_1000", Quantity = 3 }],
        Customer = "cus_1",
        ClientReferenceId = "t_42:topup:7",
        SuccessUrl = "https://app.example/credits/success",
        CancelUrl = "https://app.example/credits",
        PaymentIntentData = new CheckoutPaymentIntentData { Metadata = Metadata },
        Metadata = Metadata,
    };

    public static readonly BillingPortalSessionCreateRequest Portal = new()
    {
        Customer = "cus_1",
        ReturnUrl = "https://app.example/billing",
        Configuration = "bpc_1",
        Locale = "en",
        FlowData = new BillingPortalFlowData
        {
            Type = BillingPortalFlowTypes.SubscriptionUpdateConfirm,
            AfterCompletion = new BillingPortalFlowAfterCompletion
            {
                Type = "redirect",
                Redirect = new BillingPortalRedirect { ReturnUrl = "https://app.example/billing/done" },
                HostedConfirmation = new BillingPortalHostedConfirmation { CustomMessage = "Thanks!" },
            },
            SubscriptionCancel = new BillingPortalSubscriptionFlow { Subscription = "sub_1" },
            SubscriptionUpdate = new BillingPortalSubscriptionFlow { Subscription = "sub_1" },
            SubscriptionUpdateConfirm = new BillingPortalSubscriptionUpdateConfirm
            {
                Subscription = "sub_1",
                Items = [new BillingPortalSubscriptionUpdateItem { Id = "si_1", Price = "price_team", Quantity = 2 }],
            },
        },
    };

    public static readonly SubscriptionUpdateRequest SubscriptionUpdate = new()
    {
        Items =
        [
            new SubscriptionItemUpdate { Id = "si_1", Price = "price_team", Quantity = 3, Deleted = false, Metadata = Metadata },
        ],
        ProrationBehavior = ProrationBehaviors.AlwaysInvoice,
        ProrationDate = T0,
        CancelAtPeriodEnd = false,
        PaymentBehavior = PaymentBehaviors.PendingIfIncomplete,
        TrialEnd = T0.AddDays(7),
        Metadata = Metadata,
        Expand = ["latest_invoice"],
    };

    public static readonly SubscriptionCancelRequest SubscriptionCancel = new()
    {
        InvoiceNow = true,
        Prorate = true,
        CancellationDetails = new SubscriptionCancellationDetailsRequest { Comment = "Closing the company", Feedback = "unused" },
    };

    public static readonly SubscriptionListRequest SubscriptionList = new()
    {
        Customer = "cus_1",
        Price = "price_pro_monthly",
        Status = "all",
        CollectionMethod = "charge_automatically",
        Created = Range,
        Limit = 100,
        StartingAfter = "sub_0",
        Expand = ["data.latest_invoice"],
    };

    public static readonly PriceListRequest PriceList = new()
    {
        LookupKeys = ["pro_monthly", "team_monthly"],
        Active = true,
        Product = "prod_1",
        Currency = "eur",
        Type = "recurring",
        Created = Range,
        Limit = 100,
        StartingAfter = "price_0",
        Expand = ["data.product"],
    };

    public static readonly InvoiceItemCreateRequest InvoiceItem = new()
    {
        Customer = "cus_1",
        Amount = 1250,
        Currency = "eur",
        Pricing = new InvoiceItemPricingRequest { Price = "price_overage" },
        PriceData = new InvoiceItemPriceData { Currency = "eur", Product = "prod_overage", UnitAmount = 2, UnitAmountDecimal = 0.125m, TaxBehavior = "exclusive" },
        Quantity = 4,
        Period = new InvoiceItemPeriodRequest { Start = T0, End = T0.AddDays(31) },
        Description = "API calls over quota",
        Invoice = "in_1",
        Subscription = "sub_1",
        Discountable = false,
        Metadata = Metadata,
    };

    public static readonly InvoiceCreateRequest InvoiceCreate = new()
    {
        Customer = "cus_1",
        AutoAdvance = false,
        CollectionMethod = CollectionMethods.SendInvoice,
        DaysUntilDue = 14,
        Currency = "eur",
        Description = "Usage January 2026",
        PendingInvoiceItemsBehavior = PendingInvoiceItemsBehaviors.Include,
        Subscription = "sub_1",
        Metadata = Metadata,
        Expand = ["customer"],
    };

    public static readonly InvoiceFinalizeRequest InvoiceFinalize = new() { AutoAdvance = true, Expand = ["payment_intent"] };

    public static readonly InvoicePayRequest InvoicePay = new() { PaymentMethod = "pm_1", OffSession = true, PaidOutOfBand = false, Expand = ["customer"] };

    public static readonly InvoiceListRequest InvoiceList = new()
    {
        Customer = "cus_1",
        Status = InvoiceStatuses.Open,
        Subscription = "sub_1",
        CollectionMethod = CollectionMethods.ChargeAutomatically,
        Created = Range,
        Limit = 100,
        StartingAfter = "in_0",
        Expand = ["data.customer"],
    };

    public static readonly EventListRequest EventList = new()
    {
        Type = "invoice.*",
        Types = [StripeEventTypes.InvoicePaid, StripeEventTypes.CustomerSubscriptionUpdated],
        Created = Range,
        DeliverySuccess = false,
        Limit = 100,
        StartingAfter = "evt_0",
    };

    public static readonly MeterEventCreateRequest MeterEvent = new()
    {
        EventName = "api_requests",
        Payload = new Dictionary<string, string> { [MeterEventPayloadKeys.StripeCustomerId] = "cus_1", [MeterEventPayloadKeys.Value] = "25" },
        Identifier = "usage:t_42:2026-01-01T10",
        Timestamp = T0,
    };

    public static IReadOnlyList<RequestCase> All { get; } =
    [
        new("customers create", "ICustomerService.CreateAsync", HttpMethod.Post, "/v1/customers", CustomerCreate,
            async c => await c.Customers.CreateAsync(CustomerCreate), () => Fixture("customer")),
        new("customers retrieve", "ICustomerService.GetAsync", HttpMethod.Get, "/v1/customers/{customer}", Retrieve,
            async c => await c.Customers.GetAsync("cus_1", Retrieve), () => Fixture("customer")),
        new("customers search", "ICustomerService.SearchAsync", HttpMethod.Get, "/v1/customers/search", CustomerSearch,
            async c => await c.Customers.SearchAsync(CustomerSearch), () => Search("customer", "/v1/customers/search")),
        new("customers search auto-paging", "ICustomerService.SearchAutoPagingAsync", HttpMethod.Get, "/v1/customers/search", CustomerSearch,
            async c => await c.Customers.SearchAutoPagingAsync(CustomerSearch).ToListAsync(), () => Search("customer", "/v1/customers/search")),

        new("checkout sessions create (subscription mode)", "ICheckoutSessionService.CreateAsync", HttpMethod.Post, "/v1/checkout/sessions", CheckoutSubscription,
            async c => await c.CheckoutSessions.CreateAsync(CheckoutSubscription), () => Fixture("checkout.session")),
        new("checkout sessions create (payment mode)", "ICheckoutSessionService.CreateAsync", HttpMethod.Post, "/v1/checkout/sessions", CheckoutPayment,
            async c => await c.CheckoutSessions.CreateAsync(CheckoutPayment), () => Fixture("checkout.session"), FullyPopulated: false),
        new("checkout sessions retrieve", "ICheckoutSessionService.GetAsync", HttpMethod.Get, "/v1/checkout/sessions/{session}", Retrieve,
            async c => await c.CheckoutSessions.GetAsync("cs_test_1", Retrieve), () => Fixture("checkout.session")),
        new("checkout sessions retrieve with line items", "ICheckoutSessionService.GetWithLineItemsAsync", HttpMethod.Get, "/v1/checkout/sessions/{session}", null,
            async c => await c.CheckoutSessions.GetWithLineItemsAsync("cs_test_1"), CheckoutSessionWithLineItems),

        new("billing portal sessions create", "IBillingPortalSessionService.CreateAsync", HttpMethod.Post, "/v1/billing_portal/sessions", Portal,
            async c => await c.BillingPortalSessions.CreateAsync(Portal), () => Fixture("billing_portal.session")),

        new("subscriptions retrieve", "ISubscriptionService.GetAsync", HttpMethod.Get, "/v1/subscriptions/{subscription_exposed_id}", Retrieve,
            async c => await c.Subscriptions.GetAsync("sub_1", Retrieve), () => Fixture("subscription")),
        new("subscriptions list by customer", "ISubscriptionService.ListAsync", HttpMethod.Get, "/v1/subscriptions", SubscriptionList,
            async c => await c.Subscriptions.ListAsync(SubscriptionList), () => List("subscription", "/v1/subscriptions")),
        new("subscriptions list auto-paging", "ISubscriptionService.ListAutoPagingAsync", HttpMethod.Get, "/v1/subscriptions", SubscriptionList,
            async c => await c.Subscriptions.ListAutoPagingAsync(SubscriptionList).ToListAsync(), () => List("subscription", "/v1/subscriptions")),
        new("subscriptions update", "ISubscriptionService.UpdateAsync", HttpMethod.Post, "/v1/subscriptions/{subscription_exposed_id}", SubscriptionUpdate,
            async c => await c.Subscriptions.UpdateAsync("sub_1", SubscriptionUpdate), () => Fixture("subscription")),
        new("subscriptions cancel", "ISubscriptionService.CancelAsync", HttpMethod.Delete, "/v1/subscriptions/{subscription_exposed_id}", SubscriptionCancel,
            async c => await c.Subscriptions.CancelAsync("sub_1", SubscriptionCancel), () => Fixture("subscription")),

        new("prices retrieve", "IPriceService.GetAsync", HttpMethod.Get, "/v1/prices/{price}", Retrieve with { Expand = ["product"] },
            async c => await c.Prices.GetAsync("price_1", RetrieveRequest.Expanding("product")), () => Fixture("price")),
        new("prices list by lookup keys", "IPriceService.ListAsync", HttpMethod.Get, "/v1/prices", PriceList,
            async c => await c.Prices.ListAsync(PriceList), () => List("price", "/v1/prices")),
        new("prices list auto-paging", "IPriceService.ListAutoPagingAsync", HttpMethod.Get, "/v1/prices", PriceList,
            async c => await c.Prices.ListAutoPagingAsync(PriceList).ToListAsync(), () => List("price", "/v1/prices")),

        new("invoice items create", "IInvoiceItemService.CreateAsync", HttpMethod.Post, "/v1/invoiceitems", InvoiceItem,
            async c => await c.InvoiceItems.CreateAsync(InvoiceItem), () => Fixture("invoiceitem")),

        new("invoices create", "IInvoiceService.CreateAsync", HttpMethod.Post, "/v1/invoices", InvoiceCreate,
            async c => await c.Invoices.CreateAsync(InvoiceCreate), () => Fixture("invoice")),
        new("invoices finalize", "IInvoiceService.FinalizeAsync", HttpMethod.Post, "/v1/invoices/{invoice}/finalize", InvoiceFinalize,
            async c => await c.Invoices.FinalizeAsync("in_1", InvoiceFinalize), () => Fixture("invoice")),
        new("invoices pay", "IInvoiceService.PayAsync", HttpMethod.Post, "/v1/invoices/{invoice}/pay", InvoicePay,
            async c => await c.Invoices.PayAsync("in_1", InvoicePay), () => Fixture("invoice")),
        new("invoices retrieve", "IInvoiceService.GetAsync", HttpMethod.Get, "/v1/invoices/{invoice}", Retrieve,
            async c => await c.Invoices.GetAsync("in_1", Retrieve), () => Fixture("invoice")),
        new("invoices list", "IInvoiceService.ListAsync", HttpMethod.Get, "/v1/invoices", InvoiceList,
            async c => await c.Invoices.ListAsync(InvoiceList), () => List("invoice", "/v1/invoices")),
        new("invoices list auto-paging", "IInvoiceService.ListAutoPagingAsync", HttpMethod.Get, "/v1/invoices", InvoiceList,
            async c => await c.Invoices.ListAutoPagingAsync(InvoiceList).ToListAsync(), () => List("invoice", "/v1/invoices")),

        new("events retrieve", "IEventService.GetAsync", HttpMethod.Get, "/v1/events/{id}", null,
            async c => await c.Events.GetAsync("evt_1"), () => Fixture("event")),
        new("events list", "IEventService.ListAsync", HttpMethod.Get, "/v1/events", EventList,
            async c => await c.Events.ListAsync(EventList), () => List("event", "/v1/events")),
        new("events list auto-paging", "IEventService.ListAutoPagingAsync", HttpMethod.Get, "/v1/events", EventList,
            async c => await c.Events.ListAutoPagingAsync(EventList).ToListAsync(), () => List("event", "/v1/events")),

        new("billing meter events create", "IMeterEventService.CreateAsync", HttpMethod.Post, "/v1/billing/meter_events", MeterEvent,
            async c => await c.BillingMeterEvents.CreateAsync(MeterEvent), () => Fixture("billing.meter_event")),
    ];

    public static JsonNode Fixture(string objectType) => StripeSharedFiles.Fixture(objectType);

    public static JsonNode List(string objectType, string url) =>
        new JsonObject { ["object"] = "list", ["url"] = url, ["has_more"] = false, ["data"] = new JsonArray(Fixture(objectType)) };

    public static JsonNode Search(string objectType, string url) =>
        new JsonObject { ["object"] = "search_result", ["url"] = url, ["has_more"] = false, ["next_page"] = null, ["data"] = new JsonArray(Fixture(objectType)) };

    public static JsonNode CheckoutSessionWithLineItems()
    {
        var session = StripeSharedFiles.Fixture("checkout.session");
        session["line_items"] = List("item", "/v1/checkout/sessions/cs_test_1/line_items");
        return session;
    }
}
