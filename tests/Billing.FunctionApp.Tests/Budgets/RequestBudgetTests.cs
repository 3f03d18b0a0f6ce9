using Billing.Cosmos.Usage;
using Billing.FunctionApp.Admin;
using Billing.FunctionApp.Api;
using Billing.FunctionApp.Metering;
using Billing.FunctionApp.Webhooks;
using Billing.Infrastructure.StripeApi;
using Billing.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Billing.FunctionApp.Tests.Budgets;

/// <summary>
/// What one call of a hot path costs in Cosmos DB and Stripe requests (docs/data-model.md, "Cost per function"), counted
/// on the app's own clients against the local Cosmos server and the Stripe emulator: a change that adds a request to
/// one of them fails here. Every list is the whole of what the call sent, Stripe included.
/// </summary>
public sealed class RequestBudgetTests(BudgetApp app) : IClassFixture<BudgetApp>
{
    private const string Meter = "agent_runs";
    private const string Service = "product-backend";

    private static readonly string RecordUsage = "procedure " + CosmosUsageLedger.RecordUsageProcedureId;

    private readonly string _account = "budget-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Recording_usage_in_steady_state_is_one_stored_procedure_execution()
    {
        await RegisterAsync();
        await RecordAsync("first"); // the period's first record: its counters and closing-day entry

        var requests = await RequestsOfAsync(() => RecordAsync("second"));

        Assert.Equal([RecordUsage], requests);
    }

    [Fact]
    public async Task No_user_service_or_admin_view_endpoint_queries_across_partitions()
    {
        var month = app.Time.GetUtcNow().ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        await RegisterAsync();
        await RecordAsync("first");
        Assert.Equal(200, await CheckoutAsync());
        app.Requests.Take();
        Func<Task<int>>[] calls =
        [
            () => app.CallAsync<SubscriptionFunction>((f, r) => f.Run(r, default), _account),
            () => app.CallAsync<EntitlementsFunction>((f, r) => f.Run(r, default), _account),
            () => app.CallAsync<UsageFunction>((f, r) => f.Run(r, default), _account),
            () => app.CallAsync<UsageFunction>((f, r) => f.Run(r, default), _account, query: "period=" + month),
            () => app.CallAsync<InvoicesFunctions>((f, r) => f.List(r, default), _account),
            () => app.CallAsync<InvoicesFunctions>((f, r) => f.Upcoming(r, default), _account),
            () => app.CallAsync<CreditsFunctions>((f, r) => f.Get(r, default), _account),
            () => app.CallAsync<PlansFunction>((f, r) => f.Run(r, default), _account),
            () => app.CallAsync<PortalFunction>((f, r) => f.Run(r, default), _account, json: "{}"),
            () => app.CallAsync<RecordUsageBatchFunction>((f, r) => f.Run(r, default), Service, json: $$"""{"records":[{"accountId":"{{_account}}","meter":"{{Meter}}","quantity":1,"idempotencyKey":"batch"}]}"""),
            () => app.CallAsync<AllocationFunctions>((f, r) => f.Take(r, "projects", default), Service, json: $$"""{"accountId":"{{_account}}","allocationId":"p1"}"""),
            () => app.CallAsync<AllocationFunctions>((f, r) => f.Release(r, "projects", "p1", default), Service, query: "accountId=" + _account),
            () => app.CallAsync<AccountEntitlementsFunction>((f, r) => f.Run(r, _account, default), Service),
            () => app.CallAsync<AdminAccountsFunctions>((f, r) => f.List(r, default), "operator", admin: true),
            () => app.CallAsync<AdminAccountsFunctions>((f, r) => f.Get(r, _account, default), "operator", admin: true),
            () => app.CallAsync<AdminInvoicesFunction>((f, r) => f.Run(r, default), "operator", admin: true),
            () => app.CallAsync<InvoiceRunsFunctions>((f, r) => f.List(r, default), "operator", admin: true, query: "period=" + month),
        ];

        foreach (var call in calls)
        {
            Assert.DoesNotContain(await RequestsOfAsync(call), r => r.StartsWith("cross-partition", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_batch_for_an_account_not_registered_reads_it_once_for_all_its_records()
    {
        var records = string.Join(",", Enumerable.Range(1, 3).Select(i => $$"""{"accountId":"{{_account}}","meter":"{{Meter}}","quantity":1,"idempotencyKey":"k{{i}}"}"""));

        var requests = await RequestsOfAsync(() => app.CallAsync<RecordUsageBatchFunction>((f, r) => f.Run(r, default), Service, json: $$"""{"records":[{{records}}]}"""));

        Assert.Equal(["read account"], requests);
    }

    [Fact]
    public async Task Checking_usage_reads_the_account_and_the_period_counters()
    {
        await RegisterAsync();
        await RecordAsync("first");

        var requests = await RequestsOfAsync(() => app.CallAsync<CheckUsageFunction>((f, r) => f.Run(r, default), Service, json: $$"""{"accountId":"{{_account}}","meter":"{{Meter}}","quantity":1}"""));

        Assert.Equal(["read account", "read usage"], requests);
    }

    [Fact]
    public async Task The_subscription_view_reads_the_account_and_the_period_counters()
    {
        await RegisterAsync();

        var requests = await RequestsOfAsync(() => app.CallAsync<SubscriptionFunction>((f, r) => f.Run(r, default), _account));

        Assert.Equal(["read account", "read usage"], requests);
    }

    [Fact]
    public async Task The_entitlements_read_the_account_and_the_allocation_counter()
    {
        await RegisterAsync();

        var requests = await RequestsOfAsync(() => app.CallAsync<EntitlementsFunction>((f, r) => f.Run(r, default), _account));

        Assert.Equal(["read account", "read allocations"], requests);
    }

    [Fact]
    public async Task A_webhook_is_kept_with_one_create_and_queued_with_one_send()
    {
        var body = $$"""{"id":"evt_{{_account.Replace("-", "", StringComparison.Ordinal)}}","object":"event","api_version":"2026-10-28.endive","created":{{app.Time.GetUtcNow().ToUnixTimeSeconds()}},"livemode":false,"pending_webhooks":1,"type":"customer.updated","data":{"object":{"id":"cus_budget","object":"customer"} } }""";
        var signature = StripeSigner.Header(app.Time.GetUtcNow(), body, app.Services.GetRequiredService<IOptions<StripeOptions>>().Value.WebhookSecrets[0]);
        var requests = await RequestsOfAsync(() => app.CallAsync<StripeWebhookFunction>((f, r) => f.Run(r, default), "stripe", json: body, headers: new Dictionary<string, string> { ["Stripe-Signature"] = signature }));

        Assert.Equal(["create stripe-events", "queue send stripe-events"], requests.Order()); // sent at once, in either order
    }

    [Fact]
    public async Task A_Checkout_the_account_has_open_already_is_answered_from_one_read_of_the_account()
    {
        Assert.Equal(200, await CheckoutAsync());

        var requests = await RequestsOfAsync(CheckoutAsync);

        Assert.Equal(["read account"], requests);
    }

    [Fact]
    public async Task An_add_on_Checkout_of_an_account_with_a_Stripe_customer_reads_the_account_once_and_creates_the_session()
    {
        Assert.Equal(200, await CheckoutAsync()); // the account's Stripe customer

        var requests = await RequestsOfAsync(() => app.CallAsync<CreditsFunctions>((f, r) => f.BuyAddOn(r, default), _account, json: """{"addOn":"EXTRA_PROJECTS_5"}"""));

        Assert.Equal(["read account", "stripe POST /v1/checkout/sessions"], requests);
    }

    [Fact]
    public async Task A_trial_for_an_account_never_stored_creates_it_after_one_read()
    {
        var requests = await RequestsOfAsync(() => app.CallAsync<TrialFunction>((f, r) => f.Run(r, default), _account, json: "{}"));

        Assert.Equal(
            ["read account", "create account", "read account-summary", "create account-summary", "read account", "replace account", "read account-summary", "replace account-summary"],
            requests);
    }

    [Fact]
    public async Task A_Checkout_for_an_account_never_stored_creates_it_after_one_read()
    {
        var requests = await RequestsOfAsync(CheckoutAsync);

        Assert.Equal(
            [
                "read account", "create account", "read account-summary", "create account-summary",
                "stripe POST /v1/customers", "create stripe-customers", "read account", "replace account", "read account-summary", "replace account-summary",
                "stripe POST /v1/checkout/sessions", "read account", "replace account", "read account-summary", "replace account-summary",
            ],
            requests);
    }

    [Fact]
    public async Task An_add_on_Checkout_for_an_account_never_stored_creates_it_after_one_read()
    {
        var requests = await RequestsOfAsync(() => app.CallAsync<CreditsFunctions>((f, r) => f.BuyAddOn(r, default), _account, json: """{"addOn":"EXTRA_PROJECTS_5"}"""));

        Assert.Equal(
            [
                "read account", "create account", "read account-summary", "create account-summary",
                "stripe POST /v1/customers", "create stripe-customers", "read account", "replace account", "read account-summary", "replace account-summary",
                "stripe POST /v1/checkout/sessions",
            ],
            requests);
    }

    [Fact]
    public async Task A_resync_that_applies_nothing_does_not_read_the_account_again()
    {
        Assert.Equal(200, await CheckoutAsync()); // a Stripe customer without a subscription

        var requests = await RequestsOfAsync(() => app.CallAsync<ResyncAccountFunction>((f, r) => f.Run(r, _account, default), "operator", json: "{}", admin: true));

        Assert.Equal(["read account", "create stripe-customers", "read stripe-customers", "stripe GET /v1/subscriptions"], requests);
    }

    private Task<int> CheckoutAsync() =>
        app.CallAsync<CheckoutFunction>((f, r) => f.Run(r, default), _account, json: """{"plan":"PRO","interval":"month"}""");

    /// <summary>The requests <paramref name="call"/> sent, which must answer 200.</summary>
    private async Task<IReadOnlyList<string>> RequestsOfAsync(Func<Task<int>> call)
    {
        app.Requests.Take();
        Assert.Equal(200, await call());
        return app.Requests.Take();
    }

    private async Task RegisterAsync() =>
        Assert.Equal(201, await app.CallAsync<RegisterAccountFunction>((f, r) => f.Run(r, _account, default), Service, json: "{}"));

    private Task<int> RecordAsync(string key) =>
        app.CallAsync<RecordUsageFunction>((f, r) => f.Run(r, default), Service, json: $$"""{"accountId":"{{_account}}","meter":"{{Meter}}","quantity":1,"idempotencyKey":"{{key}}"}""");
}
