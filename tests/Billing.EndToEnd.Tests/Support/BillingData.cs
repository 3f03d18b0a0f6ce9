using Billing.Application.Accounts;
using Billing.Application.Invoicing;
using Billing.Application.StripeCustomers;
using Billing.Application.StripeEvents;
using Billing.Application.Usage;
using Billing.Cosmos.DependencyInjection;
using Billing.Cosmos.Provisioning;
using Billing.Domain.Accounts;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.EndToEnd.Tests.Support;

/// <summary>The app's Cosmos data (same database), read and written with the app's own stores.</summary>
internal sealed class BillingData : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public BillingData(string cosmosConnectionString, string databaseName)
    {
        _services = new ServiceCollection()
            .AddLogging()
            .AddBillingCosmos(o =>
            {
                o.ConnectionString = cosmosConnectionString;
                o.DatabaseName = databaseName;
            })
            .BuildServiceProvider();
    }

    public static BillingData For(Billing.TestSupport.LocalEmulators emulators, IDictionary<string, string?> appSettings) =>
        new(emulators.CosmosConnectionString, appSettings["Billing__Cosmos__DatabaseName"]!);

    public IBillingAccountStore Accounts => _services.GetRequiredService<IBillingAccountStore>();

    public IStripeEventStore Events => _services.GetRequiredService<IStripeEventStore>();

    public IStripeCustomerLinks Links => _services.GetRequiredService<IStripeCustomerLinks>();

    public IUsageLedger Usage => _services.GetRequiredService<IUsageLedger>();

    /// <summary>The invoice runs (a test stores history the invoicing job would have written over the years).</summary>
    public Billing.Application.Invoicing.IInvoiceRunStore InvoiceRuns => _services.GetRequiredService<Billing.Application.Invoicing.IInvoiceRunStore>();

    /// <summary>The invoicing sweep's mark (where its last successful run left off).</summary>
    public IInvoicingSweepMarkStore InvoicingSweepMarks => _services.GetRequiredService<IInvoicingSweepMarkStore>();

    /// <summary>Creates the app's database and containers before the app starts (as the app does on start-up).</summary>
    public Task ProvisionAsync() => _services.GetRequiredService<CosmosProvisioner>().ProvisionAsync(CancellationToken.None);

    public Task<BillingAccount?> AccountAsync(string accountId) => Accounts.GetAsync(AccountId.Parse(accountId), CancellationToken.None);

    public Task<BillingAccount> WaitForAccountAsync(string accountId, Func<BillingAccount, bool> condition, string what) =>
        Eventually.GetAsync(() => AccountAsync(accountId), a => a is not null && condition(a), $"account {accountId}: {what}")!;

    public Task<StripeEventRecord> WaitForEventAsync(string eventId, Func<StripeEventRecord, bool> condition, string what) =>
        Eventually.GetAsync(() => Events.GetAsync(eventId, CancellationToken.None), e => e is not null && condition(e), $"event {eventId}: {what}")!;

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
