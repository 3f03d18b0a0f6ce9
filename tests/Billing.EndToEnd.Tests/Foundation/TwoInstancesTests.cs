using System.Net;
using System.Text.Json;
using Billing.Domain.Subscriptions;
using Billing.EndToEnd.Tests.Accounts;
using Billing.EndToEnd.Tests.Invoicing;
using Billing.EndToEnd.Tests.Support;
using Billing.TestSupport;

namespace Billing.EndToEnd.Tests.Foundation;

/// <summary>
/// The app scaled out: two function apps (two local hosts, two workers, each with its own memory) on the same Cosmos DB
/// database, the same queues and the same Stripe account, as two instances in Azure. Stripe's webhooks reach the first;
/// the queues are served by both; each fires its own timers (the local host takes no singleton lease, as two function
/// apps on one storage account, or a host started twice, would not). The tests share one pair of instances
/// (<see cref="Instances"/>), each with accounts of its own; both fire the invoicing timer every 2 s throughout, which
/// never refreshes the account copies usage recording keeps (RecentAccounts), so the plan-change test's second instance
/// still records against the copy it kept.
/// </summary>
[Trait(LongClassesFirst.Trait, LongClassesFirst.LongRunning)]
public sealed class TwoInstancesTests(TwoInstancesTests.Instances instances) : IClassFixture<TwoInstancesTests.Instances>
{
    [Fact]
    public async Task A_plan_change_processed_by_one_instance_changes_the_limits_of_usage_recorded_on_the_other_at_once()
    {
        var (stack, other) = (instances.Stack, instances.Other);
        var accountId = "two-" + Guid.NewGuid().ToString("N")[..12];
        (await SendAsync(other, HttpMethod.Put, $"/api/accounts/{accountId}", null)).ShouldBe(HttpStatusCode.Created);

        // The other instance keeps the FREE account it recorded for (20 agent runs, a hard limit).
        var free = await RecordAsync(other, accountId, 20);
        Assert.Equal(20, free.ShouldBe(HttpStatusCode.OK).GetProperty("limit").GetInt64());
        Assert.Equal("FREE", (await RecordAsync(other, accountId, 1)).ShouldBeProblem(HttpStatusCode.PaymentRequired).GetProperty("plan").GetString());

        // BASIC through Checkout: the webhooks reach the first instance, and the queue is served by either.
        var customer = await stack.CreateCustomerAsync(accountId);
        await stack.CheckoutAsync(accountId, customer.Id, "price_basic_monthly");
        var basic = await stack.Data.WaitForAccountAsync(accountId, a => a.Subscription?.Status == SubscriptionStatus.Active, "active");

        var upgraded = (await RecordAsync(other, accountId, 1)).ShouldBe(HttpStatusCode.OK);
        Assert.Equal(500, upgraded.GetProperty("limit").GetInt64());

        // Canceled in Stripe: the account falls back to FREE, and the other instance's copy (BASIC) no longer counts.
        await stack.Stripe.V1.Subscriptions.CancelAsync(basic.Subscription!.SubscriptionId);
        await stack.Data.WaitForAccountAsync(accountId, a => a.Subscription?.Status == SubscriptionStatus.Canceled, "canceled");

        var afterCancel = await RecordAsync(other, accountId, 490);
        Assert.Equal("FREE", afterCancel.ShouldBeProblem(HttpStatusCode.PaymentRequired).GetProperty("plan").GetString());
    }

    [Fact]
    public async Task Two_instances_firing_the_invoicing_timer_at_once_make_one_invoice_per_closed_period()
    {
        var (stack, other) = (instances.Stack, instances.Other);
        var subscribers = await Task.WhenAll(InvoicingTests.SubscribeAsync(stack, "price_pro_monthly"), InvoicingTests.SubscribeAsync(stack, "price_pro_monthly"));
        await InvoicingTests.OpenPeriodsAsync(stack, subscribers);
        foreach (var subscriber in subscribers)
        {
            (await RecordAsync(other, subscriber.AccountId, 5_250)).ShouldBe(HttpStatusCode.OK); // 250 beyond PRO's 5,000
        }

        await InvoicingTests.ClosePeriodsNowAsync(stack, subscribers);

        foreach (var subscriber in subscribers)
        {
            await Eventually.GetAsync(
                () => InvoicingTests.InvoicesOfAsync(stack, subscriber.CustomerId),
                invoices => invoices.Any(i => i.Status == "open"),
                $"a finalized usage invoice for {subscriber.AccountId}",
                TimeSpan.FromSeconds(90));
        }

        await Task.Delay(TimeSpan.FromSeconds(8)); // several more runs of both timers
        foreach (var subscriber in subscribers)
        {
            var invoice = Assert.Single(await InvoicingTests.InvoicesOfAsync(stack, subscriber.CustomerId));
            Assert.Equal((500L, 1), (invoice.Total, invoice.Lines.Data.Count));
        }
    }

    /// <summary>The first instance (the stack's app, which Stripe's webhooks reach) and the other one, on its settings.</summary>
    public sealed class Instances : SharedStackFixture
    {
        internal FunctionAppProcess Other { get; private set; } = null!;

        public override async Task DisposeAsync()
        {
            if (Other is not null)
            {
                await Other.DisposeAsync();
            }

            await base.DisposeAsync();
        }

        private protected override async Task<WebhookStack> StartAsync()
        {
            var stack = await WebhookStack.StartAsync(configure: settings =>
            {
                settings["MONTHLY_INVOICING_SCHEDULE"] = "*/2 * * * * *";
                settings["Billing__Invoicing__LookbackDays"] = "2";
            });
            try
            {
                Other = await FunctionAppProcess.StartAsync(stack.Settings);
                return stack;
            }
            catch
            {
                await stack.DisposeAsync();
                throw;
            }
        }
    }

    private static Task<ApiResponse> RecordAsync(FunctionAppProcess app, string accountId, long quantity) =>
        SendAsync(app, HttpMethod.Post, "/api/usage", JsonSerializer.Serialize(new { accountId, meter = "agent_runs", quantity, idempotencyKey = Guid.NewGuid().ToString() }));

    private static async Task<ApiResponse> SendAsync(FunctionAppProcess app, HttpMethod method, string path, string? json)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        request.Headers.Add(ServiceCredentials.ApiKeyHeader, ServiceCredentials.ApiKey);
        using var response = await app.Http.SendAsync(request);
        return await ApiResponse.ReadAsync(response);
    }
}
